package io.roster.common;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A verticle that serves request/reply commands on one event-bus address. The "action" header
 * picks the handler; a handler's failed future becomes the reply's failure (see ApiException).
 */
public abstract class CommandVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(CommandVerticle.class);
  private MessageConsumer<JsonObject> consumer;

  protected abstract String address();

  protected abstract Map<String, Function<JsonObject, Future<JsonObject>>> handlers();

  /** Every command answers within this: past it (a frozen database, say) the caller gets 503 UNAVAILABLE. */
  public static final long DEADLINE_MS = 5_000;

  /** The deadline of one action; commands that may wait longer by design (sign-in slots, import) say so. */
  protected long deadlineMs(String action) {
    return DEADLINE_MS;
  }

  @Override
  public Future<?> start() throws Exception {
    Map<String, Function<JsonObject, Future<JsonObject>>> handlers = handlers();
    consumer = vertx.eventBus().consumer(address(), msg -> {
      String action = msg.headers().get(Bus.ACTION);
      Function<JsonObject, Future<JsonObject>> handler = handlers.get(action);
      if (handler == null) {
        ApiException.reply(msg, new IllegalArgumentException("unknown action " + action + " on " + address()));
        return;
      }
      Future<JsonObject> result;
      try {
        result = handler.apply(msg.body());
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.timeout(deadlineMs(action), TimeUnit.MILLISECONDS).onSuccess(msg::reply).onFailure(failure -> {
        Throwable err = Unavailable.classify(failure);
        if (err != failure) {
          LOG.warn("{} {}: database unavailable (request {}): {}", address(), action, msg.headers().get(Bus.REQUEST_ID),
              failure.toString());
        } else if (!(err instanceof ApiException)) {
          LOG.error("{} {} failed (request {})", address(), action, msg.headers().get(Bus.REQUEST_ID), err);
        }
        ApiException.reply(msg, err);
      });
    });
    return consumer.completion();
  }

  @Override
  public Future<?> stop() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }
}
