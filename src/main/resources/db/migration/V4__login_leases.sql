-- Issue 7: every reserved sign-in attempt holds a lease of its own, so a leaked one expires by
-- itself whatever the traffic, and the reservation answers the lock in the same statement.
-- users.inflight / inflight_expires and phantom_logins.inflight / inflight_expires are no longer
-- read or written; they stay for one release so that the previous version can roll alongside.

CREATE TABLE login_leases (
    id                   uuid        PRIMARY KEY,
    subject              text        NOT NULL,  -- a user id, or 'email:' || an email with no account
    expires_at           timestamptz NOT NULL
);
CREATE INDEX login_leases_subject ON login_leases (subject, expires_at);

-- Reserves one attempt of a user (p_user) or of an unknown email (p_email), under the row lock
-- of its guard row, and answers one of:
--   RESERVED  the lease p_lease is held until now() + p_lease_secs
--   LOCKED    the account is locked until until_at
--   BUSY      every remaining attempt is being checked by another request
--   GONE      the user no longer exists
-- A failure count above the maximum (the policy was lowered) leaves exactly one attempt, so every
-- account is either usable or locks at its next failure; none is stranded.
CREATE FUNCTION login_reserve(p_user uuid, p_email text, p_max int, p_lease uuid, p_lease_secs double precision)
RETURNS TABLE (outcome text, until_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
  v_subject text := COALESCE(p_user::text, 'email:' || p_email);
  v_failed int;
  v_locked timestamptz;
  v_live int;
BEGIN
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
