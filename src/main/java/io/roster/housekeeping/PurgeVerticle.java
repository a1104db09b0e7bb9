package io.roster.housekeeping;

import io.roster.common.BackgroundWork;
import io.roster.common.FailureLog;
import io.roster.common.Settings;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the tables an attacker (or plain time) can grow bounded. Every PURGE_INTERVAL it deletes,
 * in batches of {@link #BATCH} rows so no statement holds long locks: guard rows of unknown emails
 * once their lock window is over, expired attempt leases, and, after RETENTION, spent or expired
 * links and second-step tokens, sent mails, and ended sessions (with their refresh tokens). Every
 * replica may run it; deleting what is already gone is harmless. Audit events are kept.
 */
public final class PurgeVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(PurgeVerticle.class);
  private final FailureLog failures = new FailureLog(LOG, "Purge");
  static final int BATCH = 1_000;

  /** Table and the condition of a purgeable row; $1 is the retention in seconds. */
  private static final List<String[]> PURGES = List.of(
      // Unknown emails: the default policy's lock window (10 minutes) is as long as a row matters.
      new String[] {"phantom_logins", "updated_at < now() - interval '10 minutes' AND (locked_until IS NULL OR locked_until < now())"},
      new String[] {"login_leases", "expires_at < now() - interval '1 minute'"},
      new String[] {"action_tokens", "COALESCE(used_at, expires_at) < now() - make_interval(secs => $1) AND (used_at IS NOT NULL OR expires_at < now())"},
      new String[] {"mfa_tokens", "COALESCE(used_at, expires_at) < now() - make_interval(secs => $1) AND (used_at IS NOT NULL OR expires_at < now())"},
      // Limited mails stay at least as long as the mail budget counts them.
      new String[] {"mail_outbox", "sent_at < now() - make_interval(secs => $1)"
          + " AND (NOT limited OR created_at < now() - interval '" + io.roster.mail.Outbox.BUDGET_WINDOW + "')"},
      new String[] {"sessions", "COALESCE(revoked_at, expires_at) < now() - make_interval(secs => $1) AND (revoked_at IS NOT NULL OR expires_at < now())"});

  private final Pool pool;
  private long timer;
  private double retentionSeconds;
  private final BackgroundWork work = new BackgroundWork();

  public PurgeVerticle(Pool pool) {
    this.pool = pool;
  }

  @Override
  public Future<?> start() {
    retentionSeconds = Settings.duration(config(), "RETENTION", Duration.ofDays(30)).toSeconds();
    long interval = Settings.duration(config(), "PURGE_INTERVAL", Duration.ofMinutes(5)).toMillis();
    timer = vertx.setPeriodic(Math.max(100, interval), id -> work.run(this::purge));
    return Future.succeededFuture();
  }

  /** No new round starts; the batch under way finishes. */
  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return work.finish();
  }

  Future<Void> purge() {
    Future<Void> chain = Future.succeededFuture();
    for (String[] p : PURGES) {
      chain = chain.compose(x -> purge(p[0], p[1], 0));
    }
    return chain.onSuccess(x -> failures.succeeded()).onFailure(failures::failed);
  }

  private Future<Void> purge(String table, String condition, int total) {
    String sql = "DELETE FROM " + table + " WHERE ctid = ANY(ARRAY(SELECT ctid FROM " + table + " WHERE " + condition
        + " LIMIT " + BATCH + "))";
    Tuple params = condition.contains("$1") ? Tuple.of(retentionSeconds) : Tuple.tuple();
    return pool.preparedQuery(sql).execute(params).compose(rs -> {
      int n = rs.rowCount();
      if (n == BATCH && !work.stopping()) {
        return purge(table, condition, total + n);
      }
      if (total + n > 0) {
        LOG.debug("Purged {} rows of {}", total + n, table);
      }
      return Future.succeededFuture();
    });
  }
}
