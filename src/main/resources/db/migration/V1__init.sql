-- Roster schema. All shared state lives here so that any number of replicas behave as one.

CREATE TABLE organizations (
    id                   uuid        PRIMARY KEY,
    name                 text        NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    -- password policy (API.md section 3)
    min_length           int         NOT NULL DEFAULT 12  CHECK (min_length BETWEEN 8 AND 64),
    require_uppercase    boolean     NOT NULL DEFAULT true,
    require_lowercase    boolean     NOT NULL DEFAULT true,
    require_digit        boolean     NOT NULL DEFAULT true,
    require_symbol       boolean     NOT NULL DEFAULT true,
    max_failed_attempts  int         NOT NULL DEFAULT 5   CHECK (max_failed_attempts BETWEEN 1 AND 100),
    lockout_seconds      bigint      NOT NULL DEFAULT 600 CHECK (lockout_seconds BETWEEN 1 AND 86400),
    reveal_lockout       boolean     NOT NULL DEFAULT true
);
CREATE INDEX organizations_created ON organizations (created_at, id);

-- status holds the lasting status (INVITED, ACTIVE, DEACTIVATED); LOCKED_OUT is derived from
-- locked_until > now(), so a lock ends on every replica at the same instant without a writer.
CREATE TABLE users (
    id                   uuid        PRIMARY KEY,
    organization_id      uuid        NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email                text        NOT NULL UNIQUE,
    first_name           text        NOT NULL,
    last_name            text        NOT NULL,
    role                 text        NOT NULL CHECK (role IN ('ADMIN', 'BILLING_AND_PURCHASING', 'USER', 'CO_MANAGED_USER')),
    root_admin           boolean     NOT NULL DEFAULT false,
    status               text        NOT NULL CHECK (status IN ('INVITED', 'ACTIVE', 'DEACTIVATED')),
    deactivation_reason  text        CHECK (deactivation_reason IN ('ADMIN', 'SSO_MAPPING', 'SCIM')),
    groups               text[]      NOT NULL DEFAULT '{}',
    password_hash        text,
    email_verified       boolean     NOT NULL DEFAULT false,
    totp_secret          text,
    totp_pending_secret  text,
    totp_last_step       bigint,
    -- login guard: failures in the current window, attempts being verified right now (a lease)
    failed_attempts      int         NOT NULL DEFAULT 0,
    inflight             int         NOT NULL DEFAULT 0,
    inflight_expires     timestamptz,
    locked_until         timestamptz,
    last_login_at        timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    version              int         NOT NULL DEFAULT 1,
    CHECK (NOT root_admin OR role = 'ADMIN')
);
CREATE UNIQUE INDEX users_one_root_admin ON users (organization_id) WHERE root_admin;
CREATE INDEX users_org_created ON users (organization_id, created_at, id);
CREATE INDEX users_org_email ON users (organization_id, email, id);
CREATE INDEX users_org_last_name ON users (organization_id, last_name, id);
CREATE INDEX users_locked ON users (locked_until) WHERE locked_until IS NOT NULL;

-- Attempts against emails that have no account: the same guard, so that unknown emails lock
-- out exactly like real ones (no enumeration by lockout behaviour).
CREATE TABLE phantom_logins (
    email                text        PRIMARY KEY,
    failed_attempts      int         NOT NULL DEFAULT 0,
    inflight             int         NOT NULL DEFAULT 0,
    inflight_expires     timestamptz,
    locked_until         timestamptz,
    updated_at           timestamptz NOT NULL DEFAULT now()
);

-- Single-use links sent by mail (invitation, password reset). Only a SHA-256 of the token is kept.
CREATE TABLE action_tokens (
    token_hash           bytea       PRIMARY KEY,
    user_id              uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind                 text        NOT NULL CHECK (kind IN ('INVITATION', 'RESET')),
    expires_at           timestamptz NOT NULL,
    used_at              timestamptz
);
CREATE INDEX action_tokens_user ON action_tokens (user_id, kind);

-- Second-step tokens between password and TOTP.
CREATE TABLE mfa_tokens (
    token_hash           bytea       PRIMARY KEY,
    user_id              uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at           timestamptz NOT NULL,
    used_at              timestamptz
);
CREATE INDEX mfa_tokens_user ON mfa_tokens (user_id);

CREATE TABLE sessions (
    id                   uuid        PRIMARY KEY,
    user_id              uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id      uuid        NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    last_refreshed_at    timestamptz NOT NULL DEFAULT now(),
    expires_at           timestamptz NOT NULL,
    revoked_at           timestamptz
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE refresh_tokens (
    token_hash           bytea       PRIMARY KEY,
    session_id           uuid        NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    expires_at           timestamptz NOT NULL,
    used_at              timestamptz
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- Transactional outbox: written in the same transaction as the change that causes the mail.
CREATE TABLE mail_outbox (
    id                   bigserial   PRIMARY KEY,
    recipient            text        NOT NULL,
    subject              text        NOT NULL,
    text_body            text,
    html_body            text,
    created_at           timestamptz NOT NULL DEFAULT now(),
    attempts             int         NOT NULL DEFAULT 0,
    next_attempt_at      timestamptz NOT NULL DEFAULT now(),
    claimed_until        timestamptz,
    sent_at              timestamptz,
    last_error           text
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL;

CREATE TABLE audit_events (
    id                   uuid        PRIMARY KEY,
    organization_id      uuid        NOT NULL,
    at                   timestamptz NOT NULL DEFAULT clock_timestamp(),
    seq                  bigserial,
    actor_id             uuid,
    action               text        NOT NULL,
    target_user_id       uuid,
    details              jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_org ON audit_events (organization_id, seq DESC);
CREATE INDEX audit_events_target ON audit_events (organization_id, target_user_id, seq DESC);

-- The JWT signing key every replica shares when JWT_PRIVATE_KEY_PEM is not given.
CREATE TABLE signing_keys (
    kid                  text        PRIMARY KEY,
    private_pem          text        NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now()
);
