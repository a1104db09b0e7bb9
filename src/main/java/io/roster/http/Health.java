package io.roster.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.TimeUnit;

/**
 * Liveness and readiness, for the main port (status only) and the management port. Ready means
 * the database answers within a second and the process is not stopping: from the first moment
 * of a shutdown readiness is 503, so the Service stops sending traffic while requests drain.
 * No answer ever carries a database message or a stack.
 */
public final class Health {
  private static final long PROBE_MS = 1_000;
  private final Pool pool;
  private volatile boolean stopping;

  public Health(Pool pool) {
    this.pool = pool;
  }

  /** From now on readiness is 503, whatever the database says. */
  public void stopping() {
    stopping = true;
  }

  void live(RoutingContext ctx) {
    Api.json(ctx, 200, new JsonObject().put("status", "UP"));
  }

  void ready(RoutingContext ctx) {
    if (stopping) {
      Api.json(ctx, 503, new JsonObject().put("status", "DOWN").put("reason", "stopping"));
      return;
    }
    pool.query("SELECT 1").execute().timeout(PROBE_MS, TimeUnit.MILLISECONDS).onComplete(ar -> {
      if (ar.succeeded() && !stopping) {
        Api.json(ctx, 200, new JsonObject().put("status", "UP"));
      } else {
        Api.json(ctx, 503, new JsonObject().put("status", "DOWN").put("reason", stopping ? "stopping" : "database"));
      }
    });
  }
}
