package io.roster.lockout;

import io.roster.auth.AuthCommands;
import io.roster.common.BackgroundWork;
import io.roster.common.FailureLog;
import io.roster.common.Settings;
import io.roster.lifecycle.Lifecycle;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends locks and mails their notices. The status a client sees already turns from LOCKED_OUT back
 * at lockedUntil (it is computed from the database clock), so this verticle only clears due locks
 * and records each USER_AUTO_UNLOCKED once: the UPDATE that clears a lock is the one that audits
 * it, so several replicas sweeping together still write one event. Each sweep also queues the
 * notice of every lock not yet noticed ({@link Lifecycle#noticeLocks}: once per lock, whoever
 * sweeps). It sweeps when this process takes a lock (for its notice), when that lock is due,
 * at start-up and every LOCKOUT_SWEEP_INTERVAL for the rest (restarts, other replicas).
 */
public final class LockoutTimerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(LockoutTimerVerticle.class);
  private final FailureLog failures = new FailureLog(LOG, "Lockout sweep");

  private static final String SWEEP = """
      WITH due AS (
        UPDATE users SET locked_until = NULL
        WHERE locked_until IS NOT NULL AND locked_until <= now()
        RETURNING id, organization_id)
      INSERT INTO audit_events (id, organization_id, actor_id, action, target_user_id, details)
      SELECT gen_random_uuid(), organization_id, NULL, 'USER_AUTO_UNLOCKED', id, '{}'::jsonb FROM due""";

  private final Pool pool;
  private final Lifecycle lifecycle;
  private long periodic;
  private final BackgroundWork work = new BackgroundWork();

  public LockoutTimerVerticle(Pool pool, Lifecycle lifecycle) {
    this.pool = pool;
    this.lifecycle = lifecycle;
  }

  @Override
  public Future<?> start() {
    long interval = Settings.duration(config(), "LOCKOUT_SWEEP_INTERVAL", Duration.ofSeconds(1)).toMillis();
    periodic = vertx.setPeriodic(Math.max(100, interval), id -> sweep());
    vertx.eventBus().<JsonObject>localConsumer(AuthCommands.LOCKED, msg -> {
      sweep();
      long delay = msg.body().getLong("lockedUntil") - System.currentTimeMillis();
      vertx.setTimer(Math.max(1, delay + 5), id -> sweep());
    });
    return sweep();
  }

  /** No new sweep starts; the one under way (one statement) finishes. */
  @Override
  public Future<?> stop() {
    vertx.cancelTimer(periodic);
    return work.finish();
  }

  Future<?> sweep() {
    return work.run(() -> pool.query(SWEEP).execute()
        .map(rs -> rs.rowCount())
        .onSuccess(n -> {
          if (n > 0) {
            LOG.info("Unlocked {} account(s) whose lockout ended", n);
          }
        })
        .compose(n -> lifecycle.noticeLocks())
        .onSuccess(x -> failures.succeeded())
        .onFailure(failures::failed));
  }
}
