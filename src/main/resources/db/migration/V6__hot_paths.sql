-- Issue 10: index-backed search and sorts, and a refusal of a locked account that writes nothing.

-- q= matches email, first or last name with ILIKE '%…%'. One generated column holds the three
-- (newline-separated, which no search term contains) so that one trigram index serves the search
-- (patterns of three characters or more) and each insert updates one index, not three. pg_trgm is
-- a trusted extension (a database owner may create it); where it cannot be created the search
-- still works, as a scan.
ALTER TABLE users ADD COLUMN search text GENERATED ALWAYS AS (email || E'\n' || first_name || E'\n' || last_name) STORED;
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
  CREATE INDEX users_search_trgm ON users USING gin (search gin_trgm_ops);
EXCEPTION WHEN OTHERS THEN
  RAISE WARNING 'pg_trgm is not available (%): user search runs without an index', SQLERRM;
END;
$$;

-- sort=status orders by the status shown. LOCKED_OUT depends on the clock, which an index cannot
-- hold; this key reads a lock from locked_until being set, which the lockout sweeper clears
-- within LOCKOUT_SWEEP_INTERVAL of its end, so for that moment an account just unlocked still
-- sorts among the locked ones.
CREATE INDEX users_org_status ON users (organization_id,
  (CASE WHEN status <> 'DEACTIVATED' AND locked_until IS NOT NULL THEN 'LOCKED_OUT' ELSE status END), id);

-- The reservation answers a lock without taking the row lock first: a refusal of a locked account
-- (or of a locked unknown email) is then a read, which writes and waits for nothing.
CREATE OR REPLACE FUNCTION login_reserve(p_user uuid, p_email text, p_max int, p_lease uuid, p_lease_secs double precision)
RETURNS TABLE (outcome text, until_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
  v_subject text := COALESCE(p_user::text, 'email:' || p_email);
  v_failed int;
  v_locked timestamptz;
  v_live int;
BEGIN
  IF p_user IS NOT NULL THEN
    SELECT u.locked_until INTO v_locked FROM users u WHERE u.id = p_user;
  ELSE
    SELECT p.locked_until INTO v_locked FROM phantom_logins p WHERE p.email = p_email;
  END IF;
  IF v_locked > now() THEN
    RETURN QUERY SELECT 'LOCKED'::text, v_locked;
    RETURN;
  END IF;
  IF p_user IS NOT NULL THEN
    SELECT u.failed_attempts, u.locked_until INTO v_failed, v_locked FROM users u WHERE u.id = p_user FOR UPDATE;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'GONE'::text, NULL::timestamptz;
      RETURN;
    END IF;
  ELSE
    INSERT INTO phantom_logins AS p (email) VALUES (p_email)
      ON CONFLICT (email) DO UPDATE SET updated_at = now()
      RETURNING p.failed_attempts, p.locked_until INTO v_failed, v_locked;
  END IF;
  IF v_locked > now() THEN
    RETURN QUERY SELECT 'LOCKED'::text, v_locked;
    RETURN;
  END IF;
  -- Each statement of this function sees what committed before it, so after the row lock the
  -- count includes every lease taken by whoever held the lock before us.
  SELECT count(*) INTO v_live FROM login_leases l WHERE l.subject = v_subject AND l.expires_at > now();
  IF LEAST(v_failed, p_max - 1) + v_live >= p_max THEN
    RETURN QUERY SELECT 'BUSY'::text, NULL::timestamptz;
    RETURN;
  END IF;
  DELETE FROM login_leases l WHERE l.subject = v_subject AND l.expires_at <= now();
  INSERT INTO login_leases (id, subject, expires_at) VALUES (p_lease, v_subject, now() + make_interval(secs => p_lease_secs));
  RETURN QUERY SELECT 'RESERVED'::text, NULL::timestamptz;
END;
$$;

-- The outbox claim walks the unsent rows in id order; sent rows (kept for RETENTION) stay out of it.
CREATE INDEX mail_outbox_unsent ON mail_outbox (id) WHERE sent_at IS NULL;
