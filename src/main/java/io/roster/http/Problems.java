package io.roster.http;

import io.roster.common.ApiException;
import io.roster.common.ErrorCode;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The single place where failures become application/problem+json (RFC 9457). */
final class Problems {
  private static final Logger LOG = LoggerFactory.getLogger(Problems.class);

  private Problems() {}

  static void handle(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure != null) {
      failure = ApiException.fromReply(failure);
    }
    if (failure instanceof ApiException e) {
      send(ctx, e);
      return;
    }
    int status = ctx.statusCode();
    ErrorCode code = switch (status) {
      case 400 -> ErrorCode.MALFORMED_REQUEST;
      case 401 -> ErrorCode.UNAUTHENTICATED;
      case 403 -> ErrorCode.FORBIDDEN;
      case 404, 405 -> ErrorCode.NOT_FOUND;
      case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
      default -> ErrorCode.INTERNAL;
    };
    if (code == ErrorCode.INTERNAL) {
      LOG.error("{} {} failed (request {})", ctx.request().method(), ctx.request().path(), ctx.get(Api.REQUEST_ID), failure);
      send(ctx, new ApiException(code, "An unexpected error occurred; it has been logged"));
    } else {
      send(ctx, new ApiException(code, code == ErrorCode.PAYLOAD_TOO_LARGE ? "The request body is too large" : code.title()));
    }
  }

  /**
   * Answers the problem. A request whose body was not (or not all) read cannot be followed by
   * another on its connection, so the answer says Connection: close and the connection closes.
   */
  static void send(RoutingContext ctx, ApiException e) {
    if (!ctx.request().isEnded() && !ctx.response().headWritten() && ctx.request().connection() != null) {
      lingerThenClose(ctx.request());
      ctx.response().putHeader("Connection", "close");
    }
    write(ctx.response(), e);
  }

  private static final long LINGER_BYTES = HttpVerticle.BODY_LIMIT;

  /**
   * An answer that comes before the body was read: the rest of the body is read and dropped (up
   * to 1 MiB) and the connection closes when it ends. Closing at once, with unread bytes in the
   * socket, makes the kernel reset the connection, and the client may lose the answer.
   */
  private static void lingerThenClose(io.vertx.core.http.HttpServerRequest req) {
    io.vertx.core.http.HttpConnection conn = req.connection();
    long[] drained = {0};
    req.handler(chunk -> {
      drained[0] += chunk.length();
      if (drained[0] > LINGER_BYTES) {
        conn.close();
      }
    });
    req.endHandler(v -> conn.close());
    req.exceptionHandler(err -> conn.close());
    req.resume();
  }

  /** Writes the problem on a bare response (also for requests the router never saw). */
  static void write(io.vertx.core.http.HttpServerResponse response, ApiException e) {
    if (response.headWritten()) {
      response.reset();
      return;
    }
    ErrorCode code = e.code();
    JsonObject body = new JsonObject()
        .put("type", "urn:roster:problem:" + code.code().toLowerCase().replace('_', '-'))
        .put("title", code.title())
        .put("status", code.status())
        .put("detail", e.getMessage())
        .put("code", code.code());
    JsonObject extra = e.extra().copy();
    Object retryAfter = extra.remove("retryAfter");
    body.mergeIn(extra);
    if (retryAfter != null) {
      response.putHeader("Retry-After", String.valueOf(retryAfter));
    }
    if (code == ErrorCode.UNAUTHENTICATED) {
      response.putHeader("WWW-Authenticate", "Bearer");
    }
    response.setStatusCode(code.status())
        .putHeader("Content-Type", "application/problem+json")
        .putHeader("Cache-Control", "no-store")
        .end(body.encode());
  }
}
