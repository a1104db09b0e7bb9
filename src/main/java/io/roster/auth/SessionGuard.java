package io.roster.auth;

import io.roster.common.ApiException;
import io.roster.common.Caller;
import io.roster.common.CommandVerticle;
import io.roster.common.Unavailable;
import io.roster.common.ErrorCode;
import io.roster.common.Ids;
import io.roster.common.Metrics;
import io.roster.domain.Allowlist;
import io.roster.domain.Role;
import io.roster.sessions.SessionCache;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.InetAddress;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Turns a bearer access token into a {@link Caller}: the JWT must verify and its session must be
 * live, with the user's current role read from the database (a role change applies at once), and
 * the client's address must pass the organization's IP allowlist (API.md 12.4).
 */
public final class SessionGuard {
  private static final String LIVE = """
      SELECT u.organization_id, u.role, u.root_admin, s.expires_at, o.ip_allowlist_enabled, o.ip_allowlist
      FROM sessions s JOIN users u ON u.id = s.user_id JOIN organizations o ON o.id = u.organization_id
      WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL AND s.expires_at > now() AND u.status <> 'DEACTIVATED'""";
  private static final String ALLOWLIST = "SELECT ip_allowlist_enabled, ip_allowlist FROM organizations WHERE id = $1";

  private final KeyRing keys;
  private final Pool pool;
  private final SessionCache cache;

  public SessionGuard(KeyRing keys, Pool pool, SessionCache cache) {
    this.keys = keys;
    this.pool = pool;
    this.cache = cache;
  }

  /**
   * The caller, or UNAUTHENTICATED for a missing, malformed, forged, expired or revoked token, or
   * IP_NOT_ALLOWED when the organization's allowlist does not hold the client's address. A
   * database that cannot answer is UNAVAILABLE (503): that says nothing about the token, and
   * clients must not take it for "signed out".
   */
  public Future<Caller> authenticate(String token, Optional<InetAddress> client) {
    return claims(token).compose(c -> c == null ? Future.failedFuture(unauthenticated()) : live(c))
        .compose(live -> (live.allowlist() != null ? Future.succeededFuture(live.allowlist()) : allowlist(live.caller().organizationId()))
            .compose(a -> a.permits(client) ? Future.succeededFuture(live.caller()) : Future.failedFuture(ipNotAllowed())))
        .recover(err -> Future.failedFuture(err instanceof ApiException ? err
            : Unavailable.isDatabaseDown(err) ? Unavailable.error() : unauthenticated()));
  }

  /**
   * Verified claims of a live token with the user's role as it is now (not as it was signed), or
   * null. Introspection asks this for a resource server, whose address is not the user's, so the
   * allowlist does not apply.
   */
  public Future<JsonObject> activeClaims(String token) {
    return claims(token).compose(c -> c == null ? Future.succeededFuture(null)
        : live(c).map(live -> c.copy().put("role", live.caller().role().name()))
            .recover(err -> Unavailable.isDatabaseDown(err) ? Future.failedFuture(Unavailable.error()) : Future.succeededFuture(null)));
  }

  public static ApiException ipNotAllowed() {
    return new ApiException(ErrorCode.IP_NOT_ALLOWED, "This organization does not allow access from this address");
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

  /** A live session's caller, and its organization's allowlist when the session had to be read (else null). */
  private record Live(Caller caller, Allowlist allowlist) {}

  private Future<Live> live(JsonObject claims) {
    UUID user = UUID.fromString(claims.getString("sub"));
    UUID sid = UUID.fromString(claims.getString("sid"));
    Caller cached = cache.get(sid);
    if (cached != null && cached.userId().equals(user)) {
      return Future.succeededFuture(new Live(cached, null));
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
      Allowlist allowlist = allowlistOf(r);
      cache.putAllowlist(caller.organizationId(), allowlist, generation);
      return Future.succeededFuture(new Live(caller, allowlist));
    });
  }

  /** The organization's allowlist: cached (the session read above usually brought it), else read. */
  private Future<Allowlist> allowlist(UUID org) {
    Allowlist cached = cache.allowlist(org);
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    long generation = cache.generation();
    return pool.preparedQuery(ALLOWLIST).execute(Tuple.of(org))
        .timeout(CommandVerticle.DEADLINE_MS, TimeUnit.MILLISECONDS).map(rows -> {
          Allowlist a = rows.size() == 0 ? Allowlist.OFF : allowlistOf(rows.iterator().next());
          cache.putAllowlist(org, a, generation);
          return a;
        });
  }

  public static Allowlist allowlistOf(Row r) {
    return Allowlist.of(r.getBoolean("ip_allowlist_enabled"), r.getArrayOfStrings("ip_allowlist"));
  }

  private static ApiException unauthenticated() {
    return new ApiException(ErrorCode.UNAUTHENTICATED, "A valid access token is required");
  }
}
