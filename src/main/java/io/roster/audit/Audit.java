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
  public static final String IP_ALLOWLIST_UPDATED = "IP_ALLOWLIST_UPDATED";
  public static final String RECOVERY_CODES_GENERATED = "RECOVERY_CODES_GENERATED";
  public static final String RECOVERY_CODE_USED = "RECOVERY_CODE_USED";
  public static final String GROUP_CHANGED = "GROUP_CHANGED";

  /** The INSERT, for commands that fold it into a larger statement. Parameters: org, actor, action, target, details. */
  public static final String INSERT = """
      INSERT INTO audit_events (id, organization_id, actor_id, action, target_user_id, details)
      VALUES (gen_random_uuid(), $1, $2, $3, $4, $5)""";

  // Refusals while an account is locked are folded into the lock window's one LOGIN_FAILED event
  // (details.attempts counts them), so a flood against a locked account writes no row per attempt.
  private static final String FOLD_LOCKED_REFUSALS = """
      WITH folded AS (
        UPDATE audit_events SET details = jsonb_set(details, '{attempts}', to_jsonb(COALESCE((details->>'attempts')::int, 1) + $5))
        WHERE id = (SELECT id FROM audit_events WHERE organization_id = $1 AND target_user_id = $2 AND action = 'LOGIN_FAILED'
                      AND details->>'lockedUntil' = $4 ORDER BY seq DESC LIMIT 1)
        RETURNING id)
      INSERT INTO audit_events (id, organization_id, actor_id, action, target_user_id, details)
      SELECT gen_random_uuid(), $1, NULL, 'LOGIN_FAILED', $2,
             jsonb_build_object('reason', $3::text, 'lockedUntil', $4::text, 'attempts', $5::int)
      WHERE NOT EXISTS (SELECT 1 FROM folded)""";

  private Audit() {}

  /** LOGIN_FAILED for count refusals during the lock that ends at lockedUntil: one event per lock window, with a count. */
  public static Future<Void> lockedRefusals(SqlClient client, UUID org, UUID target, String reason, String lockedUntil, int count) {
    return client.preparedQuery(FOLD_LOCKED_REFUSALS).execute(Tuple.of(org, target, reason, lockedUntil, count)).mapEmpty();
  }

  public static Future<Void> record(SqlClient tx, UUID org, UUID actor, String action, UUID target, JsonObject details) {
    return tx.preparedQuery(INSERT)
        .execute(Tuple.of(org, actor, action, target, details == null ? new JsonObject() : details))
        .mapEmpty();
  }
}
