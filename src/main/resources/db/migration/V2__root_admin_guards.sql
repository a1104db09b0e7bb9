-- The Root Admin rules hold in the database as well as in code: one per organization (unique
-- index in V1), always an ADMIN (check in V1), never deactivated, never deleted.
ALTER TABLE users ADD CONSTRAINT users_root_admin_active CHECK (NOT (root_admin AND status = 'DEACTIVATED'));

CREATE FUNCTION users_protect_root_admin() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'the Root Admin cannot be deleted' USING ERRCODE = 'check_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER users_root_admin_kept BEFORE DELETE ON users
  FOR EACH ROW WHEN (OLD.root_admin) EXECUTE FUNCTION users_protect_root_admin();
