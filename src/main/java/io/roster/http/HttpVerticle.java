package io.roster.http;

import io.roster.auth.SessionCache;
import io.roster.auth.SessionGuard;
import io.roster.auth.SigningKey;
import io.roster.common.ApiException;
import io.roster.common.ErrorCode;
import io.roster.common.Settings;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
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

  /** Paths that need a valid access token; every other route is public. */
  private static final String[] AUTHENTICATED = {
      "/api/v1/auth/logout", "/api/v1/me", "/api/v1/me/*", "/api/v1/users", "/api/v1/users/*",
      "/api/v1/organization/*", "/api/v1/audit-events", "/api/v1/sso/*"};

  private static final java.util.regex.Pattern REQUEST_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private final Pool pool;
  private final SigningKey key;
  private final SessionCache sessions;
  private HttpServer server;

  public HttpVerticle(Pool pool, SigningKey key, SessionCache sessions) {
    this.pool = pool;
    this.key = key;
    this.sessions = sessions;
  }

  @Override
  public Future<?> start() {
    JsonObject conf = config();
    SessionGuard guard = new SessionGuard(JWTAuth.create(vertx, key.authOptions()), pool, sessions);
    Router router = Router.router(vertx);

    router.route().handler(HttpVerticle::requestId);
    mountOperations(router);
    BodyHandler importBodies = BodyHandler.create(false).setBodyLimit(IMPORT_BODY_LIMIT);
    BodyHandler bodies = BodyHandler.create(false).setBodyLimit(BODY_LIMIT);
    router.route("/api/*").handler(ctx -> (ctx.request().path().equals(IMPORT_PATH) ? importBodies : bodies).handle(ctx));
    router.route("/scim/*").handler(bodies);

    for (String path : AUTHENTICATED) {
      router.route(path).handler(ctx -> authenticate(ctx, guard));
    }
    AuthRoutes auth = new AuthRoutes(guard, key);
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
      return listen(router, conf);
    });
  }

  private Future<HttpServer> listen(Router router, JsonObject conf) {
    HttpServerOptions options = new HttpServerOptions()
        .setHost(Settings.string(conf, "HTTP_HOST", "127.0.0.1"))
        .setPort(Settings.integer(conf, "HTTP_PORT", 8080))
        .setCompressionSupported(true);
    return vertx.createHttpServer(options).requestHandler(router).listen().onSuccess(s -> server = s);
  }

  /** The port this instance listens on (useful with HTTP_PORT 0). */
  public int port() {
    return server.actualPort();
  }

  @Override
  public Future<?> stop() {
    // Stop accepting and give in-flight requests up to 10 s to finish.
    return server == null ? Future.succeededFuture() : server.shutdown(10, TimeUnit.SECONDS);
  }

  private void mountOperations(Router router) {
    router.get("/health/live").handler(ctx -> Api.json(ctx, 200, new JsonObject().put("status", "UP")));
    HealthCheckHandler ready = HealthCheckHandler.create(vertx);
    ready.register("database", promise -> pool.query("SELECT 1").execute()
        .onSuccess(x -> promise.complete(Status.OK()))
        .onFailure(err -> promise.complete(Status.KO(new JsonObject().put("error", err.getMessage())))));
    router.get("/health/ready").handler(ready);
    router.get("/metrics").handler(PrometheusScrapingHandler.create());
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
    guard.authenticate(token).onFailure(ctx::fail).onSuccess(caller -> {
      ctx.put(Api.CALLER, caller);
      ctx.next();
    });
  }
}
