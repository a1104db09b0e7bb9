package io.roster.audit;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;

/** Audit events, written in the transaction of the change they record. Actions as in API.md section 8. */
public final class Audit {
  public static final String USER_CREATED = "USER_CREATED";
  public static final String USER_UPDATED = "USER_UPDATED";
  public static final String USER_DELETED = "USER_DELETED";
  public static final String USER_DEACTIVATED = "USER_DEACTIVATED";
  public static final String USER_ACTIVATED = "USER_ACTIVATED";
  public static final String USER_UNLOCKED = "USER_UNLOCKED";
  public static final String USER_LOCKED = "USER_LOCKED";
  public static final String USER_AUTO_UNLOCKED = "USER_AUTO_UNLOCKED";
  public static final String LOGIN_SUCCEEDED = "LOGIN_SUCCEEDED";
  public static final String LOGIN_FAILED = "LOGIN_FAILED";
  public static final String INVITATION_SENT = "INVITATION_SENT";
  public static final String INVITATION_ACCEPTED = "INVITATION_ACCEPTED";
  public static final String TWO_FACTOR_ENROLLED = "TWO_FACTOR_ENROLLED";
  public static final String TWO_FACTOR_RESET = "TWO_FACTOR_RESET";
  public static final String PASSWORD_RESET_REQUESTED = "PASSWORD_RESET_REQUESTED";
  public static final String PASSWORD_CHANGED = "PASSWORD_CHANGED";
  public static final String SESSIONS_REVOKED = "SESSIONS_REVOKED";
  public static final String ROOT_ADMIN_PROMOTED = "ROOT_ADMIN_PROMOTED";
  public static final String PASSWORD_POLICY_UPDATED = "PASSWORD_POLICY_UPDATED";

  /** The INSERT, for commands that fold it into a larger statement. Parameters: org, actor, action, target, details. */
  public static final String INSERT = """
      INSERT INTO audit_events (id, organization_id, actor_id, action, target_user_id, details)
      VALUES (gen_random_uuid(), $1, $2, $3, $4, $5)""";

  private Audit() {}

  public static Future<Void> record(SqlClient tx, UUID org, UUID actor, String action, UUID target, JsonObject details) {
    return tx.preparedQuery(INSERT)
        .execute(Tuple.of(org, actor, action, target, details == null ? new JsonObject() : details))
        .mapEmpty();
  }
}
