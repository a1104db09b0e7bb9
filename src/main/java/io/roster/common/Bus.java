package io.roster.common;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

/** Request/reply over the event bus with the action header; failures come back as ApiException. */
public final class Bus {
  public static final String ACTION = "action";
  /** Header carrying the HTTP request's id, so a failure logged by a command names the request. */
  public static final String REQUEST_ID = "requestId";
  private static final long TIMEOUT_MS = 30_000;

  private Bus() {}

  public static Future<JsonObject> request(Vertx vertx, String address, String action, JsonObject body) {
    return request(vertx, address, action, body, TIMEOUT_MS);
  }

  public static Future<JsonObject> request(Vertx vertx, String address, String action, JsonObject body, long timeoutMs) {
    return request(vertx, address, action, body, timeoutMs, null);
  }

  public static Future<JsonObject> request(Vertx vertx, String address, String action, JsonObject body, long timeoutMs,
      String requestId) {
    DeliveryOptions options = new DeliveryOptions().addHeader(ACTION, action).setSendTimeout(timeoutMs);
    if (requestId != null) {
      options.addHeader(REQUEST_ID, requestId);
    }
    return vertx.eventBus().<JsonObject>request(address, body, options)
        .map(reply -> reply.body())
        .recover(err -> Future.failedFuture(ApiException.fromReply(err)));
  }
}
