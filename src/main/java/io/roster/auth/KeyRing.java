package io.roster.auth;

import io.roster.common.ApiException;
import io.roster.common.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The keys that sign and verify access tokens, one ring per process. One key is current (it
 * signs); the keys it replaced keep verifying, and stay in the JWKS, until every token they
 * signed has expired. Tokens carry iss (PUBLIC_BASE_URL) and aud ("roster"), and a token without
 * them is refused. Rotation (support) writes the new key to the database; every replica reloads
 * the ring every {@link #RELOAD_MS} and at once when it meets a kid it does not know.
 */
public final class KeyRing {
  public static final String AUDIENCE = "roster";
  static final long RELOAD_MS = 10_000;
  private static final long MIN_RELOAD_GAP_MS = 200;

  private static final String LIVE = """
      SELECT kid, private_pem, retired_at IS NULL AS current FROM signing_keys
      WHERE retired_at IS NULL OR retired_at > now() ORDER BY created_at DESC, kid""";
  private static final String ROTATE_RETIRE =
      "UPDATE signing_keys SET retired_at = now() + make_interval(secs => $1) WHERE retired_at IS NULL";
  private static final String INSERT = "INSERT INTO signing_keys (kid, private_pem) VALUES ($1, $2)";

  private record State(SigningKey current, List<SigningKey> accepted, JWTAuth signer, JWTAuth verifier, JsonObject jwks) {}

  private final Vertx vertx;
  private final Pool pool;
  private final io.roster.crypto.Secrets secrets;
  private final boolean configured;
  private final String issuer;
  private final Duration accessTtl;
  private volatile State state;
  private volatile long reloadedAt;
  private volatile Future<Void> reloading;

  private KeyRing(Vertx vertx, Pool pool, io.roster.crypto.Secrets secrets, boolean configured, String issuer, Duration accessTtl) {
    this.vertx = vertx;
    this.pool = pool;
    this.secrets = secrets;
    this.configured = configured;
    this.issuer = issuer;
    this.accessTtl = accessTtl;
  }

  /** The ring of JWT_PRIVATE_KEY_PEM when given (one key, no rotation), else of the database's keys. */
  public static Future<KeyRing> load(Vertx vertx, Pool pool, io.roster.crypto.Secrets secrets, String configuredPem, String issuer,
      Duration accessTtl) {
    KeyRing ring = new KeyRing(vertx, pool, secrets, configuredPem != null && !configuredPem.isBlank(), issuer, accessTtl);
    return SigningKey.load(pool, configuredPem, secrets).compose(key -> {
      if (ring.configured) {
        ring.state = ring.build(key, List.of(key));
        return Future.succeededFuture(ring);
      }
      return ring.reload().map(ring);
    }).onSuccess(r -> {
      if (!r.configured) {
        vertx.setPeriodic(RELOAD_MS, id -> r.reload());
      }
    });
  }

  private State build(SigningKey current, List<SigningKey> accepted) {
    JWTOptions checks = new JWTOptions().setAlgorithm(SigningKey.ALGORITHM).setLeeway(0).setIssuer(issuer)
        .setAudience(List.of(AUDIENCE));
    JWTAuthOptions verify = new JWTAuthOptions().setJWTOptions(checks);
    JsonArray keys = new JsonArray();
    for (SigningKey k : accepted) {
      k.addVerification(verify);
      keys.add(k.jwk());
    }
    JWTAuth signer = JWTAuth.create(vertx, current.signingOptions());
    return new State(current, List.copyOf(accepted), signer, JWTAuth.create(vertx, verify), new JsonObject().put("keys", keys));
  }

  /** Reads the live keys again (the current one first). */
  public Future<Void> reload() {
    if (configured) {
      return Future.succeededFuture();
    }
    reloadedAt = System.currentTimeMillis();
    return pool.query(LIVE).execute().map(rows -> {
      List<SigningKey> keys = new ArrayList<>();
      SigningKey current = null;
      for (Row r : rows) {
        SigningKey k = SigningKey.fromPemUnchecked(secrets.decrypt(r.getString("private_pem"), r.getString("kid")));
        keys.add(k);
        if (current == null && r.getBoolean("current")) {
          current = k;
        }
      }
      if (current != null) {
        state = build(current, keys);
      }
      return null;
    });
  }

  /** Signs with the current key, naming the issuer and the audience. */
  public String sign(JsonObject claims, JWTOptions options) {
    options.setIssuer(issuer).setAudience(List.of(AUDIENCE)).setHeader(new JsonObject().put("kid", state.current().kid()));
    return state.signer().generateToken(claims, options);
  }

  /**
   * Verifies signature, expiry, issuer and audience. A kid this ring does not know yet (another
   * replica rotated) makes it reload, once per {@link #MIN_RELOAD_GAP_MS} whatever the number of
   * such tokens (concurrent ones share the reload), and verify again.
   */
  public Future<User> verify(String token) {
    State now = state;
    return now.verifier().authenticate(new TokenCredentials(token)).recover(err -> {
      String kid = kidOf(token);
      boolean unknown = kid != null && now.accepted().stream().noneMatch(k -> k.kid().equals(kid));
      if (!unknown || configured) {
        return Future.failedFuture(err);
      }
      Future<Void> pending = reloading;
      if (pending == null || (pending.isComplete() && System.currentTimeMillis() - reloadedAt > MIN_RELOAD_GAP_MS)) {
        pending = reloading = reload();
      }
      return pending.compose(x -> state == now ? Future.failedFuture(err) : state.verifier().authenticate(new TokenCredentials(token)));
    });
  }

  public JsonObject jwks() {
    return state.jwks();
  }

  /**
   * Makes a new key current; the one it replaces keeps verifying (and stays in the JWKS) for one
   * access-token lifetime. Answers the new key's kid.
   */
  public Future<JsonObject> rotate() {
    if (configured) {
      return Future.failedFuture(new ApiException(ErrorCode.INVALID_STATUS_TRANSITION,
          "The signing key comes from JWT_PRIVATE_KEY_PEM; rotate it by changing that key"));
    }
    String pem = SigningKey.generatePem();
    SigningKey next = SigningKey.fromPemUnchecked(pem);
    return pool.withTransaction(tx -> tx.query("SELECT pg_advisory_xact_lock(7301)").execute()
            .compose(x -> tx.preparedQuery(ROTATE_RETIRE).execute(Tuple.of((double) accessTtl.toSeconds() + 60)))
            .compose(x -> tx.preparedQuery(INSERT).execute(Tuple.of(next.kid(), secrets.encrypt(pem, next.kid())))))
        .compose(x -> reload())
        .map(x -> new JsonObject().put("kid", next.kid()));
  }

  private static String kidOf(String token) {
    try {
      String header = new String(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))));
      return new JsonObject(header).getString("kid");
    } catch (RuntimeException e) {
      return null;
    }
  }
}
