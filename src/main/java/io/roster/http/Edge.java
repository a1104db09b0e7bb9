package io.roster.http;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.roster.common.ApiException;
import io.roster.common.ErrorCode;
import io.roster.common.Settings;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What protects the listener below the router, shared by every HTTP instance of a process: a
 * cap on open connections (HTTP_MAX_CONNECTIONS), a deadline for a request's headers
 * (HTTP_HEADER_TIMEOUT, from connect or from the previous answer, so slowloris connections
 * die), a deadline for its body (HTTP_BODY_TIMEOUT; imports get HTTP_IMPORT_BODY_TIMEOUT), an
 * idle timeout, and problem+json for requests the HTTP decoder refuses (400, 414, 431) or whose
 * Transfer-Encoding it does not support (501).
 */
public final class Edge {
  private static final Logger LOG = LoggerFactory.getLogger(Edge.class);

  private final int maxConnections;
  private final long headerTimeoutMs;
  private final long bodyTimeoutMs;
  private final long importBodyTimeoutMs;
  private final int idleTimeoutSeconds;
  private final AtomicInteger open = new AtomicInteger();
  private final Map<HttpConnection, Long> awaitingHeaders = new ConcurrentHashMap<>();

  public Edge(JsonObject conf) {
    this.maxConnections = Settings.integer(conf, "HTTP_MAX_CONNECTIONS", 10_000);
    this.headerTimeoutMs = Settings.duration(conf, "HTTP_HEADER_TIMEOUT", Duration.ofSeconds(10)).toMillis();
    this.bodyTimeoutMs = Settings.duration(conf, "HTTP_BODY_TIMEOUT", Duration.ofSeconds(30)).toMillis();
    this.importBodyTimeoutMs = Settings.duration(conf, "HTTP_IMPORT_BODY_TIMEOUT", Duration.ofMinutes(5)).toMillis();
    this.idleTimeoutSeconds = (int) Settings.duration(conf, "HTTP_IDLE_TIMEOUT", Duration.ofSeconds(60)).toSeconds();
    warnAboutFileLimit();
  }

  /** The connections open right now (all instances). */
  public int openConnections() {
    return open.get();
  }

  /**
   * HTTP/1.1 only (no h2c upgrade sniffing), so that a connection is known, counted and given its
   * header deadline the moment it is accepted, before it sends a byte.
   */
  HttpServerOptions options(HttpServerOptions options) {
    return options.setIdleTimeout(idleTimeoutSeconds).setIdleTimeoutUnit(TimeUnit.SECONDS).setHttp2ClearTextEnabled(false);
  }

  void install(Vertx vertx, HttpServer server) {
    server.connectionHandler(conn -> {
      if (open.incrementAndGet() > maxConnections) {
        open.decrementAndGet();
        conn.close();
        return;
      }
      conn.closeHandler(v -> {
        open.decrementAndGet();
        Long timer = awaitingHeaders.remove(conn);
        if (timer != null) {
          vertx.cancelTimer(timer);
        }
      });
      awaitHeaders(vertx, conn);
    });
    server.invalidRequestHandler(Edge::invalid);
  }

  private void awaitHeaders(Vertx vertx, HttpConnection conn) {
    long timer = vertx.setTimer(headerTimeoutMs, id -> {
      if (awaitingHeaders.remove(conn, id)) {
        conn.close();
      }
    });
    Long before = awaitingHeaders.put(conn, timer);
    if (before != null) {
      vertx.cancelTimer(before);
    }
  }

  /**
   * The first handler of every request: its headers are in, so the header deadline stops and the
   * body deadline starts; the next request on the connection gets a header deadline of its own.
   */
  void onRequest(RoutingContext ctx) {
    Vertx vertx = ctx.vertx();
    HttpServerRequest req = ctx.request();
    HttpConnection conn = req.connection();
    Long waiting = conn == null ? null : awaitingHeaders.remove(conn);
    if (waiting != null) {
      vertx.cancelTimer(waiting);
    }
    String te = req.getHeader("Transfer-Encoding");
    if (te != null && !te.trim().equalsIgnoreCase("chunked")) {
      // The body cannot be framed, so the connection cannot carry another request: answer and close.
      req.response().putHeader("Connection", "close").endHandler(v -> conn.close());
      Problems.send(ctx, new ApiException(ErrorCode.NOT_IMPLEMENTED, "Transfer-Encoding " + te + " is not supported; use chunked"));
      return;
    }
    if (!req.isEnded() && conn != null) {
      long limit = HttpVerticle.IMPORT_PATH.equals(req.path()) ? importBodyTimeoutMs : bodyTimeoutMs;
      long timer = vertx.setTimer(limit, id -> {
        if (!req.isEnded() && ctx.response().headWritten()) {
          conn.close(); // answered early and the client never finished its body
        } else if (!req.isEnded()) {
          // The rest of the body may still come: the connection cannot carry another request.
          ctx.response().putHeader("Connection", "close").endHandler(v -> conn.close());
          Problems.send(ctx, new ApiException(ErrorCode.REQUEST_TIMEOUT, "The request body did not arrive in time"));
        }
      });
      ctx.addEndHandler(x -> vertx.cancelTimer(timer));
    }
    if (conn != null) {
      ctx.addEndHandler(x -> {
        if (!req.response().closed()) {
          awaitHeaders(vertx, conn);
        }
      });
    }
    ctx.next();
  }

  /** A request the decoder refused: the same problem+json as every other error, then the connection closes. */
  private static void invalid(HttpServerRequest req) {
    DecoderResult result = req.decoderResult();
    Throwable cause = result == null ? null : result.cause();
    ApiException problem;
    if (cause instanceof TooLongHttpLineException) {
      problem = new ApiException(ErrorCode.URI_TOO_LONG, "The request line is too long");
    } else if (cause instanceof TooLongHttpHeaderException) {
      problem = new ApiException(ErrorCode.HEADERS_TOO_LARGE, "The request headers are too large");
    } else {
      problem = new ApiException(ErrorCode.MALFORMED_REQUEST, "The request is not valid HTTP/1.1");
    }
    req.response().putHeader("Connection", "close").endHandler(v -> {
      if (req.connection() != null) {
        req.connection().close();
      }
    });
    Problems.write(req.response(), problem);
  }

  private void warnAboutFileLimit() {
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.UnixOperatingSystemMXBean os) {
      long limit = os.getMaxFileDescriptorCount();
      if (limit < maxConnections + 1_000L) {
        LOG.warn("The process may open {} files, fewer than HTTP_MAX_CONNECTIONS ({}) plus room for the database and logs;"
            + " raise the limit (ulimit -n) or lower HTTP_MAX_CONNECTIONS", limit, maxConnections);
      }
    }
  }
}
