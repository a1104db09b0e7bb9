package io.roster.common;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.micrometer.backends.BackendRegistries;
import java.util.concurrent.atomic.AtomicLong;

/** Roster's own meters (API.md section 11), registered in the registry Vert.x scrapes at /metrics. */
public final class Metrics {
  private static final AtomicLong MAIL_PENDING = new AtomicLong();
  private static volatile MeterRegistry bound;
  /** Where the meters live: the scraped registry, or a private one when there is none. */
  private static volatile MeterRegistry registry;
  private static volatile Counter verifications;
  private static volatile Counter lockouts;
  private static volatile Counter tokenVerifications;
  private static volatile Counter hashRefusals;
  private static volatile io.micrometer.core.instrument.Timer hashWait;
  private static final java.util.concurrent.atomic.AtomicInteger HASH_QUEUE = new java.util.concurrent.atomic.AtomicInteger();

  private Metrics() {}

  /** The request timers by method, route template and status: found with one map look-up per request. */
  private static final java.util.concurrent.ConcurrentHashMap<String, io.micrometer.core.instrument.Timer> REQUEST_TIMERS =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** Binds the meters to the registry Vert.x scrapes now (a new Vertx instance brings a new one). */
  private static void init() {
    MeterRegistry current = BackendRegistries.getDefaultNow();
    if (verifications != null && (current == null || current == bound)) {
      return;
    }
    bind(current);
  }

  private static synchronized void bind(MeterRegistry current) {
    if (verifications != null && (current == null || current == bound)) {
      return;
    }
    MeterRegistry registry = current == null ? new SimpleMeterRegistry() : current;
    Metrics.registry = registry;
    REQUEST_TIMERS.clear();
    verifications = Counter.builder("roster.password.verifications")
        .description("Password hashes computed to check a login, dummy checks for unknown emails included")
        .register(registry);
    lockouts = Counter.builder("roster.lockouts").description("Accounts locked after too many failed attempts")
        .register(registry);
    tokenVerifications = Counter.builder("roster.access.token.verifications")
        .description("Access-token signatures verified (one per authenticated request)").register(registry);
    hashRefusals = Counter.builder("roster.password.hashing.refused")
        .description("Hashing requests refused (503) because they could not start within LOGIN_QUEUE_TIMEOUT").register(registry);
    hashWait = io.micrometer.core.instrument.Timer.builder("roster.password.hashing.wait")
        .description("Time from queueing a password hash to its start").publishPercentileHistogram().register(registry);
    Gauge.builder("roster.password.hashing.queue", HASH_QUEUE, java.util.concurrent.atomic.AtomicInteger::get)
        .description("Password hashes waiting for a hashing thread").register(registry);
    Gauge.builder("roster.mail.outbox.pending", MAIL_PENDING, AtomicLong::get)
        .description("Mails in the outbox not yet sent").register(registry);
    bound = current;
  }

  /** The gauge of open API connections (roster_http_server_connections), counted by the edge that accepts them. */
  public static <T> void connections(T edge, java.util.function.ToDoubleFunction<T> open) {
    init();
    Gauge.builder("roster.http.server.connections", edge, open).description("HTTP connections open on the API port")
        .register(registry);
  }

  public static void passwordVerified() {
    init();
    verifications.increment();
  }

  /**
   * A sign-in's first step answered: outcome is mfa_required, enrollment_required, or the error
   * code in lower case (invalid_credentials, account_locked, overloaded, unavailable, ...).
   */
  public static void login(String outcome) {
    init();
    Counter.builder("roster.logins").description("Sign-in first steps by outcome").tag("outcome", outcome)
        .register(registry).increment();
  }

  /** One HTTP request answered: by method, route template (never the raw path) and status. */
  public static void httpRequest(String method, String route, int status, long nanos) {
    init();
    REQUEST_TIMERS.computeIfAbsent(method + ' ' + status + ' ' + route, k -> io.micrometer.core.instrument.Timer
            .builder("roster.http.server.requests")
            .description("HTTP requests by route template, with latency histograms").tag("method", method).tag("route", route)
            .tag("status", String.valueOf(status)).publishPercentileHistogram()
            .register(registry))
        .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  public static void lockedOut() {
    init();
    lockouts.increment();
  }

  public static void accessTokenVerified() {
    init();
    tokenVerifications.increment();
  }

  public static void hashQueued() {
    init();
    HASH_QUEUE.incrementAndGet();
  }

  /** A queued hash left the queue: started after waitNanos, or refused. */
  public static void hashDequeued(long waitNanos, boolean refused) {
    init();
    HASH_QUEUE.decrementAndGet();
    hashWait.record(waitNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    if (refused) {
      hashRefusals.increment();
    }
  }

  public static void mailPending(long n) {
    init();
    MAIL_PENDING.set(n);
  }

  /** Registers the meters at start-up so that /metrics lists them from the first scrape. */
  public static void register() {
    init();
  }
}
