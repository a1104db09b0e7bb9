-- Issue 12: IP allowlist, lockout notice and self-unlock, recovery codes, password history.

-- The organization's allowlist (API.md 12.4) and the new policy fields (12.5, 12.7).
ALTER TABLE organizations
    ADD COLUMN ip_allowlist_enabled    boolean NOT NULL DEFAULT false,
    ADD COLUMN ip_allowlist            text[]  NOT NULL DEFAULT '{}',
    ADD COLUMN notify_on_lockout       boolean NOT NULL DEFAULT true,
    ADD COLUMN password_history        int     NOT NULL DEFAULT 5 CHECK (password_history BETWEEN 0 AND 24),
    ADD COLUMN reject_common_passwords boolean NOT NULL DEFAULT true;

-- The lock a notice was mailed for: the notice goes out only when this moves to a new lock's end,
-- a conditional update that one replica wins, so each lock gets one mail.
ALTER TABLE users ADD COLUMN lock_notified_until timestamptz;

-- Unlock links (mailed with the notice) are action tokens that expire when the lock ends.
ALTER TABLE action_tokens DROP CONSTRAINT action_tokens_kind_check;
ALTER TABLE action_tokens ADD CONSTRAINT action_tokens_kind_check
    CHECK (kind IN ('INVITATION', 'RESET', 'EMAIL', 'UNLOCK'));

-- Single-use second factors: only a SHA-256 of each code is kept (codes are 50 random bits, so
-- a fast hash is enough: a guess is a sign-in attempt, counted and locked like a wrong code).
CREATE TABLE recovery_codes (
    user_id              uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash            bytea       NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    used_at              timestamptz,
    PRIMARY KEY (user_id, code_hash)
);

-- The hashes of a user's earlier passwords, newest first by seq; at most 24 are kept.
CREATE TABLE password_history (
    seq                  bigserial   PRIMARY KEY,
    user_id              uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    password_hash        text        NOT NULL,
    replaced_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX password_history_user ON password_history (user_id, seq DESC);
