package io.roster.sessions;

import io.roster.common.Caller;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A per-process cache of live sessions, so that a request costs no database round trip to prove
 * its session was not revoked. Every replica LISTENs on {@link Revocations#CHANNEL}; a revocation
 * or a change to a user NOTIFYs it in the revoking transaction, and the command that made the
 * change also evicts locally before it answers. It fails closed: while the LISTEN connection is
 * down nothing is served from the cache, and everything cached before is dropped.
 */
public final class SessionCache {
  private static final Logger LOG = LoggerFactory.getLogger(SessionCache.class);
  private static final long ENTRY_TTL_MS = 30_000;
  /**
   * The channel is proven alive by a query on it every HEARTBEAT_MS; PostgreSQL delivers pending
   * notifications before it answers one, so an answer received at t means every revocation
   * committed before the query was sent has arrived. Without a fresh answer (TRUST_MS) the cache
   * is not used: revocations reach this replica within a second even on a silently dead link.
   */
  private static final long HEARTBEAT_MS = 250;
  private static final long TRUST_MS = 750;

  private record Entry(Caller caller, long expiresAt) {}

  private final ConcurrentHashMap<UUID, Entry> bySession = new ConcurrentHashMap<>();
  /** Organizations' IP allowlists, cached and dropped like sessions (an "org:" notice). */
  private final ConcurrentHashMap<UUID, io.roster.domain.Allowlist> allowlists = new ConcurrentHashMap<>();
  private final AtomicLong generation = new AtomicLong();
  private volatile boolean listening;
  private volatile long provenAt;
  private volatile boolean closed;
  private Vertx vertx;
  private io.roster.db.Servers servers;
  private PgConnection connection;
  private long heartbeat = -1;

  /** Connects the LISTEN channel; resolves once listening (or failed, in which case it retries). */
  public Future<Void> start(Vertx vertx, io.roster.db.Servers servers) {
    this.vertx = vertx;
    this.servers = servers;
    return connect().recover(err -> Future.succeededFuture());
  }

  /** LISTEN on the server that takes writes (NOTIFY is sent there; a standby cannot LISTEN). */
  private Future<Void> connect() {
    return servers.writable(vertx)
        .compose(o -> PgConnection.connect(vertx, o.addProperty("application_name", "roster-session-listener")))
        .compose(this::listen)
        .onFailure(err -> {
          LOG.warn("Session invalidation channel unavailable ({}); sessions are checked in the database", err.toString());
          retryLater();
        });
  }

  private Future<Void> listen(PgConnection conn) {
    conn.notificationHandler(n -> onNotification(n.getPayload()));
    conn.closeHandler(v -> lost("connection closed"));
    conn.exceptionHandler(err -> lost(err.toString()));
    return conn.query("LISTEN " + Revocations.CHANNEL).execute().map(rs -> {
      connection = conn;
      clear();
      provenAt = System.currentTimeMillis();
      listening = true;
      heartbeat = vertx.setPeriodic(HEARTBEAT_MS, id -> {
        long sent = System.currentTimeMillis();
        conn.query("SELECT 1").execute()
            .onSuccess(x -> provenAt = Math.max(provenAt, sent))
            .onFailure(err -> conn.close());
      });
      return (Void) null;
    });
  }

  private void lost(String why) {
    if (!listening) {
      return;
    }
    listening = false;
    clear();
    if (heartbeat >= 0) {
      vertx.cancelTimer(heartbeat);
      heartbeat = -1;
    }
    LOG.warn("Session invalidation channel lost ({}); sessions are checked in the database until it is back", why);
    retryLater();
  }

  private void retryLater() {
    if (!closed) {
      vertx.setTimer(1_000, id -> {
        if (!closed && !listening) {
          connect();
        }
      });
    }
  }

  void onNotification(String payload) {
    if (payload == null) {
      return;
    }
    String[] parts = payload.split(":");
    if (parts.length >= 2 && "user".equals(parts[0])) {
      evictUser(UUID.fromString(parts[1]));
    } else if (parts.length == 2 && "session".equals(parts[0])) {
      evictSession(UUID.fromString(parts[1]));
    } else if (parts.length == 2 && "org".equals(parts[0])) {
      evictOrganization(UUID.fromString(parts[1]));
    } else {
      clear();
    }
  }

  /** A cached caller for a live session, or null (also whenever the channel is down). */
  public Caller get(UUID sessionId) {
    if (!trusted()) {
      return null;
    }
    Entry e = bySession.get(sessionId);
    if (e == null || e.expiresAt < System.currentTimeMillis()) {
      return null;
    }
    return e.caller;
  }

  /** The generation to pass to {@link #put}; a lookup that raced an eviction is not cached. */
  public long generation() {
    return generation.get();
  }

  private boolean trusted() {
    return listening && System.currentTimeMillis() - provenAt < TRUST_MS;
  }

  /** Caches a live session until its own end at the latest (sessionEndsAt, epoch millis). */
  public void put(UUID sessionId, Caller caller, long seenGeneration, long sessionEndsAt) {
    if (trusted() && generation.get() == seenGeneration) {
      bySession.put(sessionId, new Entry(caller, Math.min(System.currentTimeMillis() + ENTRY_TTL_MS, sessionEndsAt)));
      if (generation.get() != seenGeneration) {
        bySession.remove(sessionId);
      }
    }
  }

  /** A cached allowlist of an organization, or null (also whenever the channel is down). */
  public io.roster.domain.Allowlist allowlist(UUID organizationId) {
    return trusted() ? allowlists.get(organizationId) : null;
  }

  /** Caches an organization's allowlist as read at seenGeneration (see {@link #put}). */
  public void putAllowlist(UUID organizationId, io.roster.domain.Allowlist allowlist, long seenGeneration) {
    if (trusted() && generation.get() == seenGeneration) {
      allowlists.put(organizationId, allowlist);
      if (generation.get() != seenGeneration) {
        allowlists.remove(organizationId);
      }
    }
  }

  /** An organization's settings changed (its allowlist): its cached allowlist goes. */
  public void evictOrganization(UUID organizationId) {
    generation.incrementAndGet();
    allowlists.remove(organizationId);
  }

  public void evictUser(UUID userId) {
    generation.incrementAndGet();
    bySession.values().removeIf(e -> e.caller.userId().equals(userId));
  }

  public void evictSession(UUID sessionId) {
    generation.incrementAndGet();
    bySession.remove(sessionId);
  }

  public void clear() {
    generation.incrementAndGet();
    bySession.clear();
    allowlists.clear();
  }

  /** How many sessions are cached now (for tests and diagnostics). */
  public int size() {
    return bySession.size();
  }

  public boolean listening() {
    return listening;
  }

  /** Stops serving from the cache and stops reconnecting; the connection closes with Vert.x. */
  public void shutdown() {
    closed = true;
    listening = false;
    clear();
  }
}
