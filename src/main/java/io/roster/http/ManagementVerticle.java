package io.roster.http;

import io.roster.common.Settings;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;

/**
 * The management port (MANAGEMENT_PORT, on HTTP_HOST): /metrics, /health/live and /health/ready,
 * for probes and Prometheus, never for clients. It is the last listener to close on shutdown,
 * so readiness answers 503 for as long as requests drain.
 */
public final class ManagementVerticle extends VerticleBase {
  private final Health health;
  private HttpServer server;

  public ManagementVerticle(Health health) {
    this.health = health;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/health/live").handler(health::live);
    router.get("/health/ready").handler(health::ready);
    router.get("/metrics").handler(PrometheusScrapingHandler.create());
    HttpServerOptions options = new HttpServerOptions()
        .setHost(Settings.string(config(), "HTTP_HOST", "127.0.0.1"))
        .setPort(Settings.integer(config(), "MANAGEMENT_PORT", 9090));
    return vertx.createHttpServer(options).requestHandler(router).listen().onSuccess(s -> server = s);
  }

  public int port() {
    return server.actualPort();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
