package io.roster.common;

import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;

/**
 * The database could not answer in time (down, frozen, failing over, pool exhausted): a 503
 * UNAVAILABLE with Retry-After, never a verdict on the request itself and never a 500.
 */
public final class Unavailable {
  private Unavailable() {}

  public static ApiException error() {
    return new ApiException(ErrorCode.UNAVAILABLE, "The database is not reachable right now; try again shortly",
        new JsonObject().put("retryAfter", 2));
  }

  /** Whether a failure means "no database right now" rather than a bug. */
  public static boolean isDatabaseDown(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause()) {
      // A SocketException (connection reset, broken pipe; ConnectException is one) is the server going away mid-statement.
      if (t instanceof ClosedConnectionException || t instanceof java.net.SocketException
          || t instanceof java.util.concurrent.TimeoutException
          || t instanceof java.nio.channels.ClosedChannelException) {
        return true;
      }
      if (t instanceof PgException pg && pg.getSqlState() != null) {
        String state = pg.getSqlState();
        // 08: connection exception, 57: operator intervention (statement timeout, shutdown), 53: resources, 25006: read-only
        if (state.startsWith("08") || state.startsWith("57") || state.startsWith("53") || state.equals("25006")) {
          return true;
        }
      }
      // The pool's own refusals ("Timeout waiting for connection") and Future.timeout's carry no type of their own.
      String name = t.getClass().getSimpleName();
      String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(java.util.Locale.ROOT);
      if (name.contains("Timeout") || message.contains("timeout") || message.contains("timed out")
          || message.contains("connection refused")) {
        return true;
      }
    }
    return false;
  }

  /** The failure as clients should see it: a database outage becomes UNAVAILABLE, anything else stays. */
  public static Throwable classify(Throwable err) {
    return !(err instanceof ApiException) && isDatabaseDown(err) ? error() : err;
  }
}
