package io.roster.auth;

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
  private static final Argon2id.Params CURRENT = new Argon2id.Params(MEMORY_KIB, ITERATIONS, PARALLELISM);
  /** Verified against for unknown emails and accounts with no password, so they cost the same time. */
  private static final String DUMMY = Argon2id.hashOnce("roster-dummy-password-never-valid", CURRENT);

  /**
   * Hashing threads for this process: one per core the JVM sees (its CPU quota in a container),
   * but no more than a quarter of the heap holds at MEMORY_KIB each (every hashing thread keeps
   * its argon2 memory, and a 100,000-row import needs the rest of a 160 MiB heap), so a small
   * heap on a big machine gets fewer threads, never an OutOfMemoryError.
   */
  public static int threads() {
    int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
    long byHeap = Math.round(Runtime.getRuntime().maxMemory() / 4.0 / (MEMORY_KIB * 1024L));
    return (int) Math.max(1, Math.min(cores, byHeap));
  }

  /**
   * How far past the queue timeout the expected wait of the queue ahead must be before a call is
   * refused at once. Below it the call queues and, if it still has not started at its deadline, is
   * refused then. The estimate is noisy, and an at-once refusal to a client that retries at once
   * (a closed-loop load tester) turns an estimate a little too high into a storm of refusals that
   * takes the hashing threads' CPU; a refusal at the deadline costs that client the timeout.
   */
  static final double ADMISSION_MARGIN = 1.5;

  private final Vertx vertx;
  private final WorkerExecutor workers;
  /** A moving average of how long one check takes, in microseconds of wall time (what a caller waits). */
  private final java.util.concurrent.atomic.AtomicLong typicalMicros = new java.util.concurrent.atomic.AtomicLong(50_000);
  /**
   * A moving average of the CPU time one check takes, in microseconds: the admission estimate.
   * Wall time would feed back: under a storm of refusals the hashing threads get less of the CPU,
   * each check takes longer by the clock, the queue looks slower, more is refused at once and
   * the storm grows. What the CPU-time estimate admits too optimistically is refused at its deadline.
   */
  private final java.util.concurrent.atomic.AtomicLong typicalCpuMicros = new java.util.concurrent.atomic.AtomicLong(50_000);
  private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

  private final long queueTimeoutMs;
  private final int poolSize;
  /** Calls admitted to the hashing queue that have neither started nor been refused yet. */
  private final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();

  /**
   * A bounded queue in front of poolSize hashing threads: a hash that cannot start within
   * queueTimeout is not computed (503 OVERLOADED with Retry-After), so no request waits longer for
   * a thread, and calls that need no hash never queue behind these (separate executor).
   */
  public Passwords(Vertx vertx, int poolSize, java.time.Duration queueTimeout) {
    this.vertx = vertx;
    this.workers = vertx.createSharedWorkerExecutor("roster-password-hashing", poolSize, 30, TimeUnit.SECONDS);
    this.queueTimeoutMs = queueTimeout.toMillis();
    this.poolSize = Math.max(1, poolSize);
  }

  /** The latest start (this process's clock) of a hash asked for now. */
  public long startBy(long askedAt) {
    return askedAt + queueTimeoutMs;
  }

  public Future<String> hash(String password) {
    long startBy = startBy(System.currentTimeMillis());
    return queued(startBy, () -> Argon2id.hash(password, CURRENT));
  }

  /**
   * Runs work on the hashing pool if it can start by startBy. A call that, by the queue ahead of
   * it (waiting calls x the typical check's CPU time / threads), clearly could not start in time is
   * refused at once, without queueing. One that was admitted is refused at startBy if no thread
   * has taken it by then (a timer on the caller's context), and the thread that reaches it later
   * skips it, so nothing waits past its deadline and no refused call is hashed.
   */
  private <T> Future<T> queued(long startBy, java.util.concurrent.Callable<T> work) {
    long now = System.currentTimeMillis();
    if (now >= startBy || now + expectedWaitMs() > startBy + (long) ((ADMISSION_MARGIN - 1) * queueTimeoutMs)) {
      return Future.failedFuture(refusal());
    }
    long queuedAt = System.nanoTime();
    Metrics.hashQueued();
    waiting.incrementAndGet();
    // 0 queued, 1 taken by a hashing thread, 2 refused at the deadline: whichever comes first.
    java.util.concurrent.atomic.AtomicInteger state = new java.util.concurrent.atomic.AtomicInteger();
    io.vertx.core.Promise<T> answer = io.vertx.core.Promise.promise();
    long deadline = vertx.setTimer(Math.max(1, startBy - now), t -> {
      if (state.compareAndSet(0, 2)) {
        waiting.decrementAndGet();
        Metrics.hashDequeued(System.nanoTime() - queuedAt, true);
        answer.tryFail(overloaded());
      }
    });
    workers.executeBlocking(() -> {
      if (!state.compareAndSet(0, 1)) {
        return null; // refused at its deadline already
      }
      waiting.decrementAndGet();
      vertx.cancelTimer(deadline);
      Metrics.hashDequeued(System.nanoTime() - queuedAt, false);
      return work.call();
    }, false).onComplete(ran -> {
      // On the caller's context, as the timer is.
      if (state.get() == 1) {
        answer.handle(ran);
      }
    });
    return answer.future();
  }

  private long expectedWaitMs() {
    return waiting.get() * typicalCpuMicros.get() / poolSize / 1_000;
  }

  /**
   * Admission for a call that will need a hash, asked before it does any other work (a sign-in
   * asks before its database statement): whether a hash asked for now could not start within
   * the queue timeout by a clear margin ({@link #ADMISSION_MARGIN}). Such a call is answered
   * {@link #refusal()} at once, so an overload's excess costs one cheap answer each and takes
   * nothing from the hashing.
   */
  public boolean full() {
    return expectedWaitMs() > ADMISSION_MARGIN * queueTimeoutMs;
  }

  /** The 503 OVERLOADED for a call that could not start hashing in time, counted as a refusal. */
  public ApiException refusal() {
    Metrics.hashQueued();
    Metrics.hashDequeued(0, true);
    return overloaded();
  }

  private static ApiException overloaded() {
    return new ApiException(ErrorCode.OVERLOADED, "Too many sign-ins are being checked; try again",
        new JsonObject().put("retryAfter", 1));
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
      long cpu0 = CPU.getCurrentThreadCpuTime();
      try {
        if (storedHash != null) {
          try {
            return Argon2id.verify(password, storedHash);
          } catch (RuntimeException e) {
            LOG.warn("A stored password hash cannot be read ({}); it matches no password", e.toString());
          }
        }
        Argon2id.verify(password, DUMMY);
        return false;
      } finally {
        long micros = (System.nanoTime() - t0) / 1_000;
        typicalMicros.updateAndGet(avg -> avg + (micros - avg) / 8);
        long cpuMicros = cpu0 < 0 ? micros : (CPU.getCurrentThreadCpuTime() - cpu0) / 1_000;
        typicalCpuMicros.updateAndGet(avg -> avg + (cpuMicros - avg) / 8);
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
      Argon2id.Params p = Argon2id.paramsOf(storedHash);
      return p.memoryKiB() < MEMORY_KIB || p.iterations() < ITERATIONS;
    } catch (RuntimeException e) {
      return true;
    }
  }

  /**
   * This machine's hash bound: password checks per second with today's parameters, one thread
   * per core, over about the given time (java -jar roster.jar measure-hashing; bench/run.sh's baseline).
   */
  public static JsonObject measureBound(int threads, java.time.Duration time) throws InterruptedException {
    String hash = Argon2id.hashOnce("bench-password", CURRENT);
    long t0 = System.nanoTime();
    int single = 0;
    while (single < 5 || System.nanoTime() - t0 < 500_000_000L) {
      Argon2id.verify("bench-password", hash);
      single++;
    }
    double singleMillis = (System.nanoTime() - t0) / 1e6 / single;
    java.util.concurrent.atomic.AtomicLong checks = new java.util.concurrent.atomic.AtomicLong();
    long end = System.nanoTime() + time.toNanos();
    Thread[] pool = new Thread[threads];
    long start = System.nanoTime();
    for (int i = 0; i < threads; i++) {
      pool[i] = new Thread(() -> {
        while (System.nanoTime() < end) {
          Argon2id.verify("bench-password", hash);
          checks.incrementAndGet();
        }
      });
      pool[i].start();
    }
    for (Thread t : pool) {
      t.join();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return new JsonObject().put("threads", threads).put("checksPerSecond", checks.get() / seconds)
        .put("singleCheckMillis", singleMillis).put("memoryKiB", MEMORY_KIB).put("iterations", ITERATIONS);
  }
}
