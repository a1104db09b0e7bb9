-- Issue 4: SSO integrations with mapping rules, SCIM provisioning tokens, SCIM's externalId.

CREATE TABLE sso_integrations (
    id                   uuid        PRIMARY KEY,
    organization_id      uuid        NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name                 text        NOT NULL,
    module               text        NOT NULL,
    enable_mapping_rules boolean     NOT NULL DEFAULT false,
    mapped_groups        text[]      NOT NULL DEFAULT '{}',
    created_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sso_integrations_org ON sso_integrations (organization_id, created_at, id);

-- Bearer tokens of SCIM clients (Okta, Entra ID): only a SHA-256 is kept; revoked ones stay for audit.
CREATE TABLE scim_tokens (
    id                   uuid        PRIMARY KEY,
    organization_id      uuid        NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name                 text        NOT NULL,
    token_hash           bytea       NOT NULL UNIQUE,
    created_at           timestamptz NOT NULL DEFAULT now(),
    revoked_at           timestamptz
);
CREATE INDEX scim_tokens_org ON scim_tokens (organization_id, created_at, id);

ALTER TABLE users ADD COLUMN external_id text;
