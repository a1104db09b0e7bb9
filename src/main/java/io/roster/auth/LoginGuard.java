package io.roster.auth;

import io.roster.common.ApiException;
import io.roster.common.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exact lockout under any concurrency, on any number of replicas. Before a password or TOTP
 * check, a caller reserves one of the account's remaining attempts with one atomic UPDATE
 * (failed + in flight < max); the check's outcome then either spends it (a failure, which may
 * lock) or hands it back. So at most max wrong guesses are ever verified per lock window, and
 * correct logins beyond the free slots wait for one rather than fail. Reservations are leases:
 * a replica that dies mid-check frees its slots after {@link #LEASE}.
 *
 * The same guard runs over users (by id) and over phantom_logins (by email) for emails with no
 * account, so those lock out exactly like real ones.
 */
public final class LoginGuard {
  static final Duration LEASE = Duration.ofSeconds(30);
  private static final long WAIT_LIMIT_MS = 20_000;

  private static final String LIVE_INFLIGHT = "(CASE WHEN inflight_expires > now() THEN inflight ELSE 0 END)";

  private static final String RESERVE_USER = """
      UPDATE users SET inflight = %1$s + 1, inflight_expires = now() + make_interval(secs => %2$d)
      WHERE id = $1 AND (locked_until IS NULL OR locked_until <= now()) AND failed_attempts + %1$s < $2
      RETURNING id""".formatted(LIVE_INFLIGHT, LEASE.toSeconds());
  private static final String RESERVE_PHANTOM = """
      INSERT INTO phantom_logins AS p (email, inflight, inflight_expires) VALUES ($1, 1, now() + make_interval(secs => %2$d))
      ON CONFLICT (email) DO UPDATE
        SET inflight = %1$s + 1, inflight_expires = now() + make_interval(secs => %2$d), updated_at = now()
        WHERE (p.locked_until IS NULL OR p.locked_until <= now()) AND p.failed_attempts + %1$s < $2
      RETURNING email""".formatted(LIVE_INFLIGHT.replace("inflight", "p.inflight"), LEASE.toSeconds());
  private static final String LOCK_OF = "SELECT locked_until FROM %s WHERE %s = $1 AND locked_until > now()";
  // SET expressions read the old row: the failure that reaches max locks and restarts the count.
  private static final String FAIL = """
      UPDATE %s SET inflight = GREATEST(%s - 1, 0),
        failed_attempts = CASE WHEN failed_attempts + 1 >= $2 THEN 0 ELSE failed_attempts + 1 END,
        locked_until = CASE WHEN failed_attempts + 1 >= $2 THEN now() + make_interval(secs => $3) ELSE locked_until END
      WHERE %s = $1 RETURNING failed_attempts = 0 AS locked_now, locked_until""";
  private static final String RELEASE = """
      UPDATE %s SET inflight = GREATEST(%s - 1, 0) WHERE %s = $1
      RETURNING CASE WHEN locked_until > now() THEN locked_until END AS locked_until""";

  /** The lockout settings that apply to one account (the default policy for unknown emails). */
  public record Policy(int maxFailedAttempts, long lockoutSeconds, boolean revealLockout) {}

  /** What a failure did: whether it locked the account, and until when. */
  public record Failure(boolean lockedNow, OffsetDateTime lockedUntil) {}

  private final Vertx vertx;
  private final Pool pool;
  private final String reserve;
  private final String lockOf;
  private final String fail;
  private final String release;

  private LoginGuard(Vertx vertx, Pool pool, boolean phantom) {
    this.vertx = vertx;
    this.pool = pool;
    String table = phantom ? "phantom_logins" : "users";
    String key = phantom ? "email" : "id";
    this.reserve = phantom ? RESERVE_PHANTOM : RESERVE_USER;
    this.lockOf = LOCK_OF.formatted(table, key);
    this.fail = FAIL.formatted(table, LIVE_INFLIGHT, key);
    this.release = RELEASE.formatted(table, LIVE_INFLIGHT, key);
  }

  public static LoginGuard forUsers(Vertx vertx, Pool pool) {
    return new LoginGuard(vertx, pool, false);
  }

  public static LoginGuard forUnknownEmails(Vertx vertx, Pool pool) {
    return new LoginGuard(vertx, pool, true);
  }

  /**
   * Reserves one attempt. Fails with ACCOUNT_LOCKED (or INVALID_CREDENTIALS when the policy
   * hides locks and hideLock is set) while the account is locked; waits while every remaining
   * attempt is being checked by another request.
   */
  public Future<Void> reserve(Object key, Policy policy, boolean hideLock) {
    Promise<Void> done = Promise.promise();
    tryReserve(key, policy, hideLock, 0, System.currentTimeMillis() + WAIT_LIMIT_MS, done);
    return done.future();
  }

  private void tryReserve(Object key, Policy policy, boolean hideLock, int round, long deadline, Promise<Void> done) {
    pool.preparedQuery(reserve).execute(Tuple.of(key, policy.maxFailedAttempts()))
        .compose(rows -> rows.size() > 0 ? Future.succeededFuture(Boolean.TRUE)
            : pool.preparedQuery(lockOf).execute(Tuple.of(key)).compose(locks -> {
              if (locks.size() > 0) {
                return Future.failedFuture(locked(locks.iterator().next().getOffsetDateTime(0), policy, hideLock));
              }
              return Future.succeededFuture(Boolean.FALSE);
            }))
        .onFailure(done::fail)
        .onSuccess(reserved -> {
          if (reserved) {
            done.complete();
          } else if (System.currentTimeMillis() > deadline) {
            done.fail(new ApiException(ErrorCode.OVERLOADED, "Too many concurrent sign-ins for this account; try again",
                new JsonObject().put("retryAfter", 1)));
          } else {
            long delay = Math.min(5L << Math.min(round, 5), 100) + ThreadLocalRandom.current().nextLong(5);
            vertx.setTimer(delay, t -> tryReserve(key, policy, hideLock, round + 1, deadline, done));
          }
        });
  }

  /** Spends the reserved attempt on a failure; the failure that reaches the maximum locks. */
  public Future<Failure> fail(Object key, Policy policy) {
    return pool.preparedQuery(fail).execute(Tuple.of(key, policy.maxFailedAttempts(), (double) policy.lockoutSeconds()))
        .map(rows -> {
          if (rows.size() == 0) {
            return new Failure(false, null);
          }
          Row r = rows.iterator().next();
          return new Failure(r.getBoolean("locked_now"), r.getOffsetDateTime("locked_until"));
        });
  }

  /** Hands the reserved attempt back after a correct password; answers the lock if one was taken meanwhile. */
  public Future<OffsetDateTime> release(Object key) {
    return pool.preparedQuery(release).execute(Tuple.of(key))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getOffsetDateTime("locked_until"));
  }

  /** The refusal for a locked account: 423 with lockedUntil and Retry-After, or a plain 401 when hidden. */
  public static ApiException locked(OffsetDateTime until, Policy policy, boolean hideLock) {
    if (hideLock && !policy.revealLockout()) {
      return invalidCredentials();
    }
    long millis = Duration.between(Instant.now(), until.toInstant()).toMillis();
    long retryAfter = Math.max(1, (millis + 999) / 1000);
    return new ApiException(ErrorCode.ACCOUNT_LOCKED, "Too many failed attempts; the account is locked",
        new JsonObject().put("lockedUntil", io.roster.common.Times.format(until)).put("retryAfter", retryAfter));
  }

  public static ApiException invalidCredentials() {
    return new ApiException(ErrorCode.INVALID_CREDENTIALS, "Invalid email or password");
  }
}
