package io.roster.audit;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Refusals of locked accounts, counted in memory and written by {@link #flush} as one fold per
 * lock window (LOGIN_FAILED with details.attempts), so a flood against a locked account costs
 * the database one write per account and flush, not one per attempt. Counts not yet flushed when
 * a process dies are lost; the lock itself, and its USER_LOCKED event, are not. One instance per
 * verticle, used on its context only.
 */
public final class LockedRefusals {
  private record Window(UUID org, UUID target, String reason, String lockedUntil) {}

  private Map<Window, Integer> pending = new HashMap<>();

  public void add(UUID org, UUID target, String reason, String lockedUntil) {
    pending.merge(new Window(org, target, reason, lockedUntil), 1, Integer::sum);
  }

  /** Writes what was counted since the last flush. */
  public Future<Void> flush(SqlClient client) {
    if (pending.isEmpty()) {
      return Future.succeededFuture();
    }
    Map<Window, Integer> counted = pending;
    pending = new HashMap<>();
    List<Future<Void>> writes = new ArrayList<>();
    counted.forEach((w, count) ->
        writes.add(Audit.lockedRefusals(client, w.org(), w.target(), w.reason(), w.lockedUntil(), count)));
    return Future.join(writes).mapEmpty();
  }
}
