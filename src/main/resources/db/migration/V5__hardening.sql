-- Issue 9: mail budgets, verified email changes, signing-key rotation, bounded tables.

-- Mails that a stranger can cause (forgot password, resend invitation, email verification) count
-- against a per-address budget; the others (an admin's actions) do not.
ALTER TABLE mail_outbox ADD COLUMN limited boolean NOT NULL DEFAULT false;
CREATE INDEX mail_outbox_limited ON mail_outbox (recipient, created_at) WHERE limited;
CREATE INDEX mail_outbox_sent ON mail_outbox (sent_at) WHERE sent_at IS NOT NULL;

-- A new address waits here until the link mailed to it is used.
ALTER TABLE users ADD COLUMN pending_email text;
ALTER TABLE action_tokens DROP CONSTRAINT action_tokens_kind_check;
ALTER TABLE action_tokens ADD CONSTRAINT action_tokens_kind_check CHECK (kind IN ('INVITATION', 'RESET', 'EMAIL'));
ALTER TABLE action_tokens ADD COLUMN new_email text;
CREATE INDEX action_tokens_expiry ON action_tokens (expires_at);

-- Signing keys: one current, the previous ones listed in JWKS until retired.
ALTER TABLE signing_keys ADD COLUMN retired_at timestamptz;

-- Purging by age.
CREATE INDEX sessions_expiry ON sessions (expires_at);
CREATE INDEX mfa_tokens_expiry ON mfa_tokens (expires_at);
CREATE INDEX phantom_logins_updated ON phantom_logins (updated_at);
