package io.roster.auth;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;
import io.roster.common.ApiException;
import io.roster.common.ErrorCode;
import io.roster.common.Metrics;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.TimeUnit;

/**
 * argon2id hashing on a bounded worker pool, never on an event loop. Hashes are PHC strings
 * that carry their own parameters, so raising them later only needs a rehash at the next login.
 */
public final class Passwords {
  private static final Logger LOG = LoggerFactory.getLogger(Passwords.class);
  /** OWASP's minimum for argon2id: 19 MiB, 2 iterations, 1 lane. */
  public static final int MEMORY_KIB = 19 * 1024;
  public static final int ITERATIONS = 2;
  public static final int PARALLELISM = 1;
  private static final Argon2Function CURRENT = Argon2Function.getInstance(MEMORY_KIB, ITERATIONS, PARALLELISM, 32, Argon2.ID);
  /** Verified against for unknown emails and accounts with no password, so they cost the same time. */
  private static final String DUMMY = Password.hash("roster-dummy-password-never-valid").addRandomSalt(16).with(CURRENT).getResult();

  private final WorkerExecutor workers;
  /** A moving average of how long one check takes, in microseconds. */
  private final java.util.concurrent.atomic.AtomicLong typicalMicros = new java.util.concurrent.atomic.AtomicLong(50_000);

  private final long queueTimeoutMs;

  /**
   * A bounded queue in front of poolSize hashing threads: a hash that cannot start within
   * queueTimeout is not computed (503 OVERLOADED with Retry-After), so no request waits longer for
   * a thread, and calls that need no hash never queue behind these (separate executor).
   */
  public Passwords(Vertx vertx, int poolSize, java.time.Duration queueTimeout) {
    this.workers = vertx.createSharedWorkerExecutor("roster-password-hashing", poolSize, 30, TimeUnit.SECONDS);
    this.queueTimeoutMs = queueTimeout.toMillis();
  }

  /** The latest start (this process's clock) of a hash asked for now. */
  public long startBy(long askedAt) {
    return askedAt + queueTimeoutMs;
  }

  public Future<String> hash(String password) {
    long startBy = startBy(System.currentTimeMillis());
    return queued(startBy, () -> Password.hash(password).addRandomSalt(16).with(CURRENT).getResult());
  }

  private <T> Future<T> queued(long startBy, java.util.concurrent.Callable<T> work) {
    long queuedAt = System.nanoTime();
    Metrics.hashQueued();
    return workers.executeBlocking(() -> {
      boolean late = System.currentTimeMillis() > startBy;
      Metrics.hashDequeued(System.nanoTime() - queuedAt, late);
      if (late) {
        throw new ApiException(ErrorCode.OVERLOADED, "Too many sign-ins are being checked; try again",
            new JsonObject().put("retryAfter", 1));
      }
      return work.call();
    }, false);
  }

  /**
   * Checks a login password against a stored hash (or the dummy when there is none); counts in
   * the metric. A check that has not started by startBy (this process's clock) is not made: it
   * fails with OVERLOADED, so a lockout lease is never used after it may have lapsed. A stored
   * hash that cannot be read matches nothing (it is logged), at the cost of a normal check.
   */
  public Future<Boolean> verify(String password, String storedHash, long startBy) {
    return queued(startBy, () -> {
      Metrics.passwordVerified();
      long t0 = System.nanoTime();
      try {
        if (storedHash != null) {
          try {
            return Password.check(password, storedHash).with(Argon2Function.getInstanceFromHash(storedHash));
          } catch (RuntimeException e) {
            LOG.warn("A stored password hash cannot be read ({}); it matches no password", e.toString());
          }
        }
        Password.check(password, DUMMY).with(CURRENT);
        return false;
      } finally {
        long micros = (System.nanoTime() - t0) / 1_000;
        typicalMicros.updateAndGet(avg -> avg + (micros - avg) / 8);
      }
    });
  }

  /** How long a password check typically takes now (a moving average of the last few). */
  public long typicalCheckMillis() {
    return typicalMicros.get() / 1_000;
  }

  /** Whether a stored hash was made with weaker parameters than today's and should be replaced. */
  public static boolean needsRehash(String storedHash) {
    try {
      Argon2Function f = Argon2Function.getInstanceFromHash(storedHash);
      return f.getVariant() != Argon2.ID || f.getMemory() < MEMORY_KIB || f.getIterations() < ITERATIONS;
    } catch (RuntimeException e) {
      return true;
    }
  }
}
