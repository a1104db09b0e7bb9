package io.roster.auth;

import io.roster.domain.Tokens;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.UUID;

/**
 * Sessions and their tokens. An access token is a JWT naming its session (sid); a refresh token
 * is random, stored hashed, single-use. A session ends SESSION_MAX_LIFETIME after sign-in however
 * often it is refreshed. Ending sessions is {@link io.roster.sessions.Revocations}.
 */
public final class Sessions {
  private static final String INSERT_SESSION = """
      INSERT INTO sessions (id, user_id, organization_id, expires_at)
      VALUES ($1, $2, $3, now() + make_interval(secs => $4))""";
  private static final String INSERT_REFRESH = """
      INSERT INTO refresh_tokens (token_hash, session_id, expires_at)
      SELECT $1, $2, LEAST(now() + make_interval(secs => $3), s.expires_at) FROM sessions s WHERE s.id = $2""";
  private static final String EXTEND = """
      UPDATE sessions SET last_refreshed_at = now(),
        expires_at = LEAST(now() + make_interval(secs => $2), created_at + make_interval(secs => $3)) WHERE id = $1""";
  private final KeyRing keys;
  private final Duration accessTtl;
  private final Duration refreshTtl;
  private final Duration maxLifetime;

  public Sessions(KeyRing keys, Duration accessTtl, Duration refreshTtl, Duration maxLifetime) {
    this.keys = keys;
    this.accessTtl = accessTtl;
    this.refreshTtl = refreshTtl;
    this.maxLifetime = maxLifetime;
  }

  /** Starts a session and answers the token pair of API.md section 5. */
  public Future<JsonObject> start(SqlClient tx, UUID userId, UUID org, String role) {
    UUID sid = UUID.randomUUID();
    double seconds = Math.min(refreshTtl.toSeconds(), maxLifetime.toSeconds());
    return tx.preparedQuery(INSERT_SESSION).execute(Tuple.of(sid, userId, org, seconds))
        .compose(x -> issue(tx, sid, userId, org, role));
  }

  /** Issues a new pair inside an existing session (after a refresh). */
  public Future<JsonObject> rotate(SqlClient tx, UUID sid, UUID userId, UUID org, String role) {
    return tx.preparedQuery(EXTEND).execute(Tuple.of(sid, (double) refreshTtl.toSeconds(), (double) maxLifetime.toSeconds()))
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
    return keys.sign(claims, options);
  }

}
