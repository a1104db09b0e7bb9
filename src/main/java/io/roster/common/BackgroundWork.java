package io.roster.common;

import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * The unit of work a background verticle (mail dispatch, lockout sweep, purge) has under way, so
 * that stopping lets that unit finish and starts no other. Used from the verticle's own context.
 */
public final class BackgroundWork {
  private boolean stopping;
  private Future<?> current = Future.succeededFuture();

  public boolean stopping() {
    return stopping;
  }

  /** Starts a unit unless the verticle is stopping (then nothing runs); answers the unit. */
  public <T> Future<T> run(Supplier<Future<T>> unit) {
    if (stopping) {
      return Future.succeededFuture();
    }
    Future<T> f = unit.get();
    current = f;
    return f;
  }

  /** No new unit starts from now on; completes once the current one has, whatever its outcome. */
  public Future<Void> finish() {
    stopping = true;
    return current.transform(x -> Future.succeededFuture());
  }
}
