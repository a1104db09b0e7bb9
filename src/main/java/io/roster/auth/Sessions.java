package io.roster.auth;

import io.roster.domain.Tokens;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.UUID;

/**
 * Sessions and their tokens. An access token is a JWT naming its session (sid); a refresh token
 * is random, stored hashed, single-use. Revocation writes the session row and NOTIFYs every
 * replica (channel {@link #CHANNEL}) in the same transaction.
 */
public final class Sessions {
  public static final String CHANNEL = "roster_sessions";

  private static final String INSERT_SESSION = """
      INSERT INTO sessions (id, user_id, organization_id, expires_at)
      VALUES ($1, $2, $3, now() + make_interval(secs => $4))""";
  private static final String INSERT_REFRESH = """
      INSERT INTO refresh_tokens (token_hash, session_id, expires_at)
      VALUES ($1, $2, now() + make_interval(secs => $3))""";
  private static final String EXTEND = """
      UPDATE sessions SET last_refreshed_at = now(), expires_at = now() + make_interval(secs => $2) WHERE id = $1""";
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

  private final JWTAuth jwt;
  private final Duration accessTtl;
  private final Duration refreshTtl;

  public Sessions(JWTAuth jwt, Duration accessTtl, Duration refreshTtl) {
    this.jwt = jwt;
    this.accessTtl = accessTtl;
    this.refreshTtl = refreshTtl;
  }

  /** Starts a session and answers the token pair of API.md section 5. */
  public Future<JsonObject> start(SqlClient tx, UUID userId, UUID org, String role) {
    UUID sid = UUID.randomUUID();
    return tx.preparedQuery(INSERT_SESSION).execute(Tuple.of(sid, userId, org, (double) refreshTtl.toSeconds()))
        .compose(x -> issue(tx, sid, userId, org, role));
  }

  /** Issues a new pair inside an existing session (after a refresh). */
  public Future<JsonObject> rotate(SqlClient tx, UUID sid, UUID userId, UUID org, String role) {
    return tx.preparedQuery(EXTEND).execute(Tuple.of(sid, (double) refreshTtl.toSeconds()))
        .compose(x -> issue(tx, sid, userId, org, role));
  }

  private Future<JsonObject> issue(SqlClient tx, UUID sid, UUID userId, UUID org, String role) {
    String refresh = Tokens.random();
    return tx.preparedQuery(INSERT_REFRESH).execute(Tuple.of(Tokens.hash(refresh), sid, (double) refreshTtl.toSeconds()))
        .map(x -> new JsonObject()
            .put("accessToken", accessToken(sid, userId, org, role))
            .put("refreshToken", refresh)
            .put("tokenType", "Bearer")
            .put("expiresIn", accessTtl.toSeconds()));
  }

  private String accessToken(UUID sid, UUID userId, UUID org, String role) {
    JsonObject claims = new JsonObject().put("sid", sid.toString()).put("org", org.toString()).put("role", role)
        .put("jti", UUID.randomUUID().toString());
    JWTOptions options = new JWTOptions().setAlgorithm(SigningKey.ALGORITHM).setSubject(userId.toString())
        .setExpiresInSeconds((int) accessTtl.toSeconds());
    return jwt.generateToken(claims, options);
  }

  public static Future<Integer> revokeAll(SqlClient tx, UUID userId) {
    return tx.preparedQuery(REVOKE_USER).execute(Tuple.of(userId)).map(rs -> rs.iterator().next().getInteger("n"));
  }

  /** Tells every replica that a user's role or standing changed, so cached callers are dropped. */
  public static Future<Void> notifyUserChanged(SqlClient tx, UUID userId) {
    return tx.preparedQuery(NOTIFY_USER).execute(Tuple.of(userId)).mapEmpty();
  }

  public static Future<Integer> revokeOne(SqlClient tx, UUID sessionId) {
    return tx.preparedQuery(REVOKE_ONE).execute(Tuple.of(sessionId)).map(rs -> rs.iterator().next().getInteger("n"));
  }

  public static Future<Integer> revokeOthers(SqlClient tx, UUID userId, UUID keep) {
    return tx.preparedQuery(REVOKE_OTHERS).execute(Tuple.of(userId, keep)).map(rs -> rs.iterator().next().getInteger("n"));
  }
}
