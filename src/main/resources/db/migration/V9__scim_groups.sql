-- Issue 13: SCIM Groups and the userName as the identity provider sent it.

-- A SCIM group is a Roster group (a name in users.groups) that a SCIM client has registered: its
-- id, externalId and times live here, its members are the users whose groups hold its name.
CREATE TABLE scim_groups (
    id                   uuid        PRIMARY KEY,
    organization_id      uuid        NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    display_name         text        NOT NULL,
    external_id          text,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    version              int         NOT NULL DEFAULT 1
);
-- One SCIM group per name, case ignored (as SCIM's displayName filter); also the look-up by name.
CREATE UNIQUE INDEX scim_groups_name ON scim_groups (organization_id, lower(display_name));
CREATE INDEX scim_groups_org ON scim_groups (organization_id, created_at, id);
-- Members of a group: users whose groups contain its name.
CREATE INDEX users_groups ON users USING gin (groups);

-- SCIM's userName as sent (case kept); users.email stays the normalised address that uniqueness,
-- sign-in and filters use. Shown only while it still names the current address.
ALTER TABLE users ADD COLUMN user_name text;
-- SCIM clients look users up by externalId too.
CREATE INDEX users_external_id ON users (organization_id, external_id) WHERE external_id IS NOT NULL;
