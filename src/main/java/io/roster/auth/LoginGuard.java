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
import java.util.UUID;
import io.vertx.core.Context;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Exact lockout under any concurrency, on any number of replicas. Before a password or TOTP
 * check, a caller reserves one of the account's remaining attempts (the database function
 * login_reserve: failed + live leases < max, under the guard row's lock), and the check's
 * outcome either spends it (a failure, which may lock) or hands it back.
 *
 * Every reservation is a lease of its own, expiring after {@link #lease}: a replica that dies
 * mid-check frees its slot then, whatever other traffic the account gets. A lease must be used
 * while it is young: a check that cannot start within half the lease is not made at all
 * (503 OVERLOADED), so a verification never runs on a slot that may already have been handed
 * to someone else, however long the hashing queue grows.
 *
 * The same guard runs over users (by id) and over phantom_logins (by email) for emails with no
 * account, so those lock out exactly like real ones.
 */
public final class LoginGuard {
  static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);
  private static final long WAIT_LIMIT_MS = 20_000;

  private static final String RESERVE = "SELECT outcome, until_at FROM " + reserveCall("$1", "$2", "$3", "$4", "$5");
  // SET expressions read the old row: the failure that reaches max locks and restarts the count.
  // A count above a lowered max counts as max - 1, as login_reserve does.
  private static final String FAIL = """
      WITH spent AS (DELETE FROM login_leases WHERE id = $4)
      UPDATE %s SET
        failed_attempts = CASE WHEN LEAST(failed_attempts, $2 - 1) + 1 >= $2 THEN 0 ELSE failed_attempts + 1 END,
        locked_until = CASE WHEN LEAST(failed_attempts, $2 - 1) + 1 >= $2 THEN now() + make_interval(secs => $3) ELSE locked_until END
      WHERE %s = $1 RETURNING failed_attempts = 0 AS locked_now, locked_until""";
  private static final String RELEASE = """
      WITH spent AS (DELETE FROM login_leases WHERE id = $2)
      SELECT CASE WHEN locked_until > now() THEN locked_until END AS locked_until FROM %s WHERE %s = $1""";

  /** Notes on a refusal (never sent): the lock it was refused under, and whether the answer hides it. */
  public static final String LOCKED_UNTIL = "lockedUntil";
  public static final String HIDDEN = "hidden";

  /** The lockout settings that apply to one account (the default policy for unknown emails). */
  public record Policy(int maxFailedAttempts, long lockoutSeconds, boolean revealLockout) {}

  /** What a failure did: whether it locked the account, and until when. */
  public record Failure(boolean lockedNow, OffsetDateTime lockedUntil) {}

  /** A reserved attempt: its id, and the time (this process's clock) by which its check must start. */
  public record Lease(UUID id, long startBy) {}

  /**
   * Sign-ins of this process waiting for a slot of an account, by account: a release or a spent
   * attempt here wakes them at once; a slot freed on another replica is found by a slower retry.
   * The database stays the only judge of a reservation: a woken waiter just asks again.
   */
  private static final ConcurrentHashMap<String, ConcurrentLinkedQueue<Waiter>> WAITERS = new ConcurrentHashMap<>();

  /** A waiting sign-in: run once, by a wake-up or by its own timer, whichever comes first. */
  private static final class Waiter {
    final AtomicBoolean done = new AtomicBoolean();
    final Runnable retry;

    Waiter(Runnable retry) {
      this.retry = retry;
    }

    boolean fire() {
      if (done.compareAndSet(false, true)) {
        retry.run();
        return true;
      }
      return false;
    }
  }
  private static final long RETRY_MS = 250;

  private final Vertx vertx;
  private final Pool pool;
  private final boolean phantom;
  private final Duration lease;
  private final java.util.function.LongUnaryOperator startBy;
  private final String fail;
  private final String release;

  private LoginGuard(Vertx vertx, Pool pool, boolean phantom, Duration lease, java.util.function.LongUnaryOperator startBy) {
    this.vertx = vertx;
    this.pool = pool;
    this.phantom = phantom;
    this.lease = lease;
    this.startBy = startBy;
    String table = phantom ? "phantom_logins" : "users";
    String key = phantom ? "email" : "id";
    this.fail = FAIL.formatted(table, key);
    this.release = RELEASE.formatted(table, key);
  }

  /** startBy: when a check reserved at a given time must start at the latest (the hashing queue's bound). */
  public static LoginGuard forUsers(Vertx vertx, Pool pool, Duration lease, java.util.function.LongUnaryOperator startBy) {
    return new LoginGuard(vertx, pool, false, lease, startBy);
  }

  public static LoginGuard forUnknownEmails(Vertx vertx, Pool pool, Duration lease, java.util.function.LongUnaryOperator startBy) {
    return new LoginGuard(vertx, pool, true, lease, startBy);
  }

  /**
   * Reserves one attempt. Fails with ACCOUNT_LOCKED (or INVALID_CREDENTIALS when the policy
   * hides locks and hideLock is set) while the account is locked, decided by the reserving
   * statement itself; waits while every remaining attempt is being checked by another request.
   */
  public Future<Lease> reserve(Object key, Policy policy, boolean hideLock) {
    Promise<Lease> done = Promise.promise();
    tryReserve(key, policy, hideLock, System.currentTimeMillis() + WAIT_LIMIT_MS, done);
    return done.future();
  }

  /**
   * Goes on from a reservation that a larger statement already made (the first sign-in step finds
   * the account and calls login_reserve in one round trip, see {@link #reserveCall}): its outcome
   * row, the lease id it asked for and when it asked.
   */
  public Future<Lease> reserved(Row outcome, UUID leaseId, long asked, Object key, Policy policy, boolean hideLock) {
    Promise<Lease> done = Promise.promise();
    answer(outcome, leaseId, asked, key, policy, hideLock, asked + WAIT_LIMIT_MS, done);
    return done.future();
  }

  /** The SQL call that reserves, for a larger statement; its parameters are (user, email, max, lease id, lease seconds). */
  public static String reserveCall(String user, String email, String max, String leaseId, String leaseSeconds) {
    return "login_reserve(" + String.join(", ", user, email, max, leaseId, leaseSeconds) + ")";
  }

  public double leaseSeconds() {
    return lease.toMillis() / 1000.0;
  }

  private void tryReserve(Object key, Policy policy, boolean hideLock, long deadline, Promise<Lease> done) {
    UUID id = UUID.randomUUID();
    long asked = System.currentTimeMillis();
    Tuple params = Tuple.of(phantom ? null : key, phantom ? key : null, policy.maxFailedAttempts(), id, leaseSeconds());
    pool.preparedQuery(RESERVE).execute(params).onFailure(done::fail)
        .onSuccess(rows -> answer(rows.iterator().next(), id, asked, key, policy, hideLock, deadline, done));
  }

  private void answer(Row r, UUID id, long asked, Object key, Policy policy, boolean hideLock, long deadline,
      Promise<Lease> done) {
    switch (r.getString("outcome")) {
      case "RESERVED" -> done.complete(new Lease(id, Math.min(asked + lease.toMillis() / 2, startBy.applyAsLong(asked))));
      case "LOCKED" -> done.fail(locked(r.getOffsetDateTime("until_at"), policy, hideLock));
      case "GONE" -> done.fail(new ApiException(ErrorCode.UNAUTHENTICATED, "The account no longer exists"));
      default -> {
        if (System.currentTimeMillis() > deadline) {
          done.fail(new ApiException(ErrorCode.OVERLOADED, "Too many concurrent sign-ins for this account; try again",
              new JsonObject().put("retryAfter", 1)));
        } else {
          awaitSlot(key, () -> tryReserve(key, policy, hideLock, deadline, done));
        }
      }
    }
  }

  /** Runs retry once: when a slot of this account frees in this process, or after a short wait at the latest. */
  private void awaitSlot(Object key, Runnable retry) {
    Context context = vertx.getOrCreateContext();
    long[] timer = new long[1];
    Waiter w = new Waiter(() -> context.runOnContext(v -> {
      vertx.cancelTimer(timer[0]);
      retry.run();
    }));
    WAITERS.computeIfAbsent(waitKey(key), x -> new ConcurrentLinkedQueue<>()).add(w);
    timer[0] = vertx.setTimer(RETRY_MS + ThreadLocalRandom.current().nextLong(20), t -> w.fire());
  }

  private String waitKey(Object key) {
    return (phantom ? "email:" : "user:") + key;
  }

  /**
   * A slot of the account was just handed back or spent: the longest-waiting sign-in of this
   * process asks again (one per freed slot, so waiters do not stampede the row).
   */
  public void wake(Object key) {
    ConcurrentLinkedQueue<Waiter> queue = WAITERS.get(waitKey(key));
    if (queue == null) {
      return;
    }
    Waiter w;
    while ((w = queue.poll()) != null) {
      if (w.fire()) {
        break;
      }
    }
    if (queue.isEmpty()) {
      WAITERS.remove(waitKey(key), queue);
    }
  }

  /** Spends the reserved attempt on a failure; the failure that reaches the maximum locks. */
  public Future<Failure> fail(Object key, Policy policy, Lease lease) {
    return pool.preparedQuery(fail).execute(Tuple.of(key, policy.maxFailedAttempts(), (double) policy.lockoutSeconds(), lease.id()))
        .onComplete(x -> wake(key))
        .map(rows -> {
          if (rows.size() == 0) {
            return new Failure(false, null);
          }
          Row r = rows.iterator().next();
          return new Failure(r.getBoolean("locked_now"), r.getOffsetDateTime("locked_until"));
        });
  }

  /** Hands the reserved attempt back after a correct check (or none); answers the lock if one was taken meanwhile. */
  public Future<OffsetDateTime> release(Object key, Lease lease) {
    return pool.preparedQuery(release).execute(Tuple.of(key, lease.id()))
        .onComplete(x -> wake(key))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getOffsetDateTime("locked_until"));
  }

  /** The refusal for a locked account: 423 with lockedUntil and Retry-After, or a plain 401 when hidden. */
  public static ApiException locked(OffsetDateTime until, Policy policy, boolean hideLock) {
    String when = io.roster.common.Times.format(until);
    if (hideLock && !policy.revealLockout()) {
      return invalidCredentials().note(LOCKED_UNTIL, when).note(HIDDEN, true);
    }
    long millis = Duration.between(Instant.now(), until.toInstant()).toMillis();
    long retryAfter = Math.max(1, (millis + 999) / 1000);
    return new ApiException(ErrorCode.ACCOUNT_LOCKED, "Too many failed attempts; the account is locked",
        new JsonObject().put("lockedUntil", when).put("retryAfter", retryAfter)).note(LOCKED_UNTIL, when);
  }

  public static ApiException invalidCredentials() {
    return new ApiException(ErrorCode.INVALID_CREDENTIALS, "Invalid email or password");
  }
}
