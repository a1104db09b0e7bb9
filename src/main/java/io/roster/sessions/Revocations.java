package io.roster.sessions;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;

/**
 * Ending sessions. Each statement writes the session rows and NOTIFYs every replica on
 * {@link #CHANNEL} in the caller's transaction, so the notice exists exactly when the change
 * was committed. The caller evicts its own process's {@link SessionCache} after the commit.
 */
public final class Revocations {
  public static final String CHANNEL = "roster_sessions";

  private static final String REVOKE_USER = """
      WITH r AS (UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING id)
      SELECT count(*) AS n, pg_notify('roster_sessions', 'user:' || $1::text) FROM r""";
  private static final String REVOKE_ONE = """
      WITH r AS (UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id)
      SELECT count(*) AS n, pg_notify('roster_sessions', 'session:' || $1::text) FROM r""";
  private static final String REVOKE_OTHERS = """
      WITH r AS (UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL RETURNING id)
      SELECT count(*) AS n, pg_notify('roster_sessions', 'user:' || $1::text || ':except:' || $2::text) FROM r""";
  private static final String NOTIFY_USER = "SELECT pg_notify('roster_sessions', 'user:' || $1::uuid::text)";
  private static final String NOTIFY_ORG = "SELECT pg_notify('roster_sessions', 'org:' || $1::uuid::text)";

  private Revocations() {}

  public static Future<Integer> revokeAll(SqlClient tx, UUID userId) {
    return tx.preparedQuery(REVOKE_USER).execute(Tuple.of(userId)).map(rs -> rs.iterator().next().getInteger("n"));
  }

  public static Future<Integer> revokeOne(SqlClient tx, UUID sessionId) {
    return tx.preparedQuery(REVOKE_ONE).execute(Tuple.of(sessionId)).map(rs -> rs.iterator().next().getInteger("n"));
  }

  public static Future<Integer> revokeOthers(SqlClient tx, UUID userId, UUID keep) {
    return tx.preparedQuery(REVOKE_OTHERS).execute(Tuple.of(userId, keep)).map(rs -> rs.iterator().next().getInteger("n"));
  }

  /** Tells every replica that a user's role or standing changed, so cached callers are dropped. */
  public static Future<Void> notifyUserChanged(SqlClient tx, UUID userId) {
    return tx.preparedQuery(NOTIFY_USER).execute(Tuple.of(userId)).mapEmpty();
  }

  /** Tells every replica that an organization's allowlist changed, so its cached copy is dropped. */
  public static Future<Void> notifyOrganizationChanged(SqlClient tx, UUID organizationId) {
    return tx.preparedQuery(NOTIFY_ORG).execute(Tuple.of(organizationId)).mapEmpty();
  }
}
