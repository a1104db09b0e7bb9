package io.roster.auth;

import io.roster.common.ApiException;
import io.roster.common.Caller;
import io.roster.common.CommandVerticle;
import io.roster.common.Unavailable;
import io.roster.common.ErrorCode;
import io.roster.common.Ids;
import io.roster.common.Metrics;
import io.roster.domain.Role;
import io.roster.sessions.SessionCache;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Turns a bearer access token into a {@link Caller}: the JWT must verify and its session must be
 * live, with the user's current role read from the database (a role change applies at once).
 */
public final class SessionGuard {
  private static final String LIVE = """
      SELECT u.organization_id, u.role, u.root_admin, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL AND s.expires_at > now() AND u.status <> 'DEACTIVATED'""";

  private final KeyRing keys;
  private final Pool pool;
  private final SessionCache cache;

  public SessionGuard(KeyRing keys, Pool pool, SessionCache cache) {
    this.keys = keys;
    this.pool = pool;
    this.cache = cache;
  }

  /**
   * The caller, or UNAUTHENTICATED for a missing, malformed, forged, expired or revoked token.
   * A database that cannot answer is UNAVAILABLE (503): that says nothing about the token, and
   * clients must not take it for "signed out".
   */
  public Future<Caller> authenticate(String token) {
    return claims(token).compose(c -> c == null ? Future.failedFuture(unauthenticated()) : caller(c))
        .recover(err -> Future.failedFuture(err instanceof ApiException ? err
            : Unavailable.isDatabaseDown(err) ? Unavailable.error() : unauthenticated()));
  }

  /** Verified claims of a live token with the user's role as it is now (not as it was signed), or null. */
  public Future<JsonObject> activeClaims(String token) {
    return claims(token).compose(c -> c == null ? Future.succeededFuture(null)
        : caller(c).map(caller -> c.copy().put("role", caller.role().name()))
            .recover(err -> Unavailable.isDatabaseDown(err) ? Future.failedFuture(Unavailable.error()) : Future.succeededFuture(null)));
  }

  private Future<JsonObject> claims(String token) {
    if (token == null || token.isBlank() || token.length() > 8192) {
      return Future.succeededFuture(null);
    }
    Metrics.accessTokenVerified();
    return keys.verify(token)
        .map(user -> {
          // The verified payload (with exp and iat) is the accessToken attribute; the principal omits them.
          JsonObject p = user.attributes().getJsonObject("accessToken", user.principal());
          return Ids.parse(p.getString("sub")).isPresent() && Ids.parse(p.getString("sid")).isPresent() ? p : null;
        })
        .recover(err -> Future.succeededFuture(null));
  }

  private Future<Caller> caller(JsonObject claims) {
    UUID user = UUID.fromString(claims.getString("sub"));
    UUID sid = UUID.fromString(claims.getString("sid"));
    Caller cached = cache.get(sid);
    if (cached != null && cached.userId().equals(user)) {
      return Future.succeededFuture(cached);
    }
    long generation = cache.generation();
    return pool.preparedQuery(LIVE).execute(Tuple.of(sid, user))
        .timeout(CommandVerticle.DEADLINE_MS, TimeUnit.MILLISECONDS).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(unauthenticated());
      }
      Row r = rows.iterator().next();
      Caller caller = new Caller(user, r.getUUID("organization_id"), Role.valueOf(r.getString("role")),
          r.getBoolean("root_admin"), sid);
      cache.put(sid, caller, generation, r.getOffsetDateTime("expires_at").toInstant().toEpochMilli());
      return Future.succeededFuture(caller);
    });
  }

  private static ApiException unauthenticated() {
    return new ApiException(ErrorCode.UNAUTHENTICATED, "A valid access token is required");
  }
}
