package io.roster.http;

import io.roster.sessions.SessionCache;
import io.roster.auth.SessionGuard;
import io.roster.auth.KeyRing;
import io.roster.common.ApiException;
import io.roster.common.ErrorCode;
import io.roster.common.Settings;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP edge: routing, authentication, input validation and the one problem+json mapping.
 * Every state change is a command on the event bus; one instance runs per event loop.
 */
public final class HttpVerticle extends VerticleBase {
  public static final long BODY_LIMIT = 1024 * 1024;
  public static final long IMPORT_BODY_LIMIT = 50L * 1024 * 1024;
  static final String IMPORT_PATH = "/api/v1/users/import";
  /** The detail of a 404 for a path or method the API does not have (not for an unknown id). */
  public static final String NO_ENDPOINT = "No such endpoint";

  /**
   * Paths that need a valid access token; every other route is public. A route "/x/*" also
   * matches "/x", so each path is named once and a request is authenticated once.
   */
  private static final String[] AUTHENTICATED = {
      "/api/v1/auth/logout", "/api/v1/me/*", "/api/v1/users/*", "/api/v1/organization/*", "/api/v1/audit-events",
      "/api/v1/sso/*", "/api/v1/groups"};

  private static final java.util.regex.Pattern REQUEST_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private final Pool pool;
  private final KeyRing keys;
  private final SessionCache sessions;
  private final Edge edge;
  private final Health health;
  private final RateLimiter limiter;
  private HttpServer server;
  private long drainMs;

  /** The public authentication calls of API.md 12.1, limited per client address. */
  static final String[] RATE_LIMITED = {"/api/v1/auth/login", "/api/v1/auth/mfa/verify", "/api/v1/auth/password/forgot",
      "/api/v1/auth/password/reset", "/api/v1/invitations/accept", "/api/v1/auth/unlock"};

  public HttpVerticle(Pool pool, KeyRing keys, SessionCache sessions, Edge edge, Health health, RateLimiter limiter) {
    this.limiter = limiter;
    this.pool = pool;
    this.keys = keys;
    this.sessions = sessions;
    this.edge = edge;
    this.health = health;
  }

  @Override
  public Future<?> start() {
    JsonObject conf = config();
    SessionGuard guard = new SessionGuard(keys, pool, sessions);
    Router router = Router.router(vertx);

    router.route().handler(edge::onRequest);
    router.route().handler(HttpVerticle::requestId);
    ClientAddress clients = limiter.clients();
    router.route().handler(ctx -> {
      ctx.put(Api.CLIENT, clients.of(ctx.request()));
      ctx.next();
    });
    boolean logRequests = "json".equals(conf.getString("LOG_FORMAT"));
    router.route().handler(ctx -> {
      RequestLog.attach(ctx, logRequests);
      ctx.next();
    });
    mountOperations(router);
    // Rate limits first: a refused request costs one map look-up and reads nothing.
    for (String path : RATE_LIMITED) {
      router.post(path).handler(limiter::handle);
    }
    // Nothing is read before we know who sends it: the body waits (paused) while the token is
    // checked; then only an authenticated import may bring up to 50 MiB, every other body 1 MiB.
    router.route("/api/*").handler(ctx -> {
      ctx.request().pause();
      ctx.next();
    });
    for (String path : AUTHENTICATED) {
      router.route(path).handler(ctx -> authenticate(ctx, guard));
    }
    BodyHandler importBodies = BodyHandler.create(false).setBodyLimit(IMPORT_BODY_LIMIT);
    BodyHandler bodies = BodyHandler.create(false).setBodyLimit(BODY_LIMIT);
    router.route("/api/*").handler(ctx ->
        (ctx.request().path().equals(IMPORT_PATH) && ctx.get(Api.CALLER) != null ? importBodies : bodies).handle(ctx));
    router.route("/scim/*").handler(bodies);
    AuthRoutes auth = new AuthRoutes(guard, keys);
    auth.mount(router);
    new SupportRoutes(Settings.string(conf, "SUPPORT_API_KEY", null)).mount(router);
    new AccountRoutes().mount(router);
    new UserRoutes().mount(router);
    new OrganizationRoutes().mount(router);
    new SsoRoutes().mount(router);
    new ScimRoutes(Settings.string(conf, "PUBLIC_BASE_URL", "http://localhost:8080")).mount(router);

    router.route().failureHandler(Problems::handle);
    router.errorHandler(404, ctx -> Problems.send(ctx, new ApiException(ErrorCode.NOT_FOUND, NO_ENDPOINT)));
    router.errorHandler(405, ctx -> Problems.send(ctx, new ApiException(ErrorCode.NOT_FOUND, NO_ENDPOINT)));
    router.errorHandler(500, Problems::handle);

    return vertx.fileSystem().readFile("openapi.yaml").compose(openapi -> {
      router.get("/openapi.yaml").handler(ctx -> ctx.response().putHeader("Content-Type", "application/yaml").end(openapi));
      return Pages.mount(vertx, router);
    }).compose(x -> {
      RequestLog.routes(router.getRoutes());
      return listen(router, conf);
    });
  }

  private Future<HttpServer> listen(Router router, JsonObject conf) {
    HttpServerOptions options = edge.options(new HttpServerOptions()
        .setHost(Settings.string(conf, "HTTP_HOST", "127.0.0.1"))
        .setPort(Settings.integer(conf, "HTTP_PORT", 8080))
        .setCompressionSupported(true));
    HttpServer created = vertx.createHttpServer(options);
    edge.install(vertx, created);
    drainMs = Settings.duration(conf, "SHUTDOWN_DRAIN_TIMEOUT", java.time.Duration.ofSeconds(30)).toMillis();
    return created.requestHandler(router).listen().onSuccess(s -> server = s);
  }

  /** The port this instance listens on (useful with HTTP_PORT 0). */
  public int port() {
    return server.actualPort();
  }

  /**
   * Stops accepting at once and lets every request already received finish (one whose body is
   * still arriving, an import), up to SHUTDOWN_DRAIN_TIMEOUT.
   */
  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.shutdown(drainMs, TimeUnit.MILLISECONDS);
  }

  /** Probes on the main port too; /metrics only on the management port. */
  private void mountOperations(Router router) {
    router.get("/health/live").handler(health::live);
    router.get("/health/ready").handler(health::ready);
  }

  /** Takes the caller's X-Request-Id when it is sane, else makes one; it is echoed and carried to commands. */
  private static void requestId(RoutingContext ctx) {
    String given = ctx.request().getHeader("X-Request-Id");
    String id = given != null && REQUEST_ID.matcher(given).matches() ? given : java.util.UUID.randomUUID().toString();
    ctx.put(Api.REQUEST_ID, id);
    ctx.response().putHeader("X-Request-Id", id).putHeader("X-Content-Type-Options", "nosniff");
    ctx.next();
  }

  private static void authenticate(RoutingContext ctx, SessionGuard guard) {
    String header = ctx.request().getHeader("Authorization");
    String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
    guard.authenticate(token, Api.client(ctx)).onFailure(ctx::fail).onSuccess(caller -> {
      ctx.put(Api.CALLER, caller);
      ctx.next();
    });
  }
}
