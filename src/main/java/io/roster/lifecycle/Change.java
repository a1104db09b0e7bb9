package io.roster.lifecycle;

import io.vertx.sqlclient.SqlClient;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/**
 * One transaction of lifecycle work and what must happen once it commits: the users whose
 * cached sessions this process drops, and whether the mail verticle has new outbox rows.
 */
public final class Change {
  /** The transaction, or the pool itself for work of one statement (see Lifecycle.runOne). */
  public final SqlClient tx;
  final Set<UUID> evicted = new HashSet<>();
  boolean mailed;

  Change(SqlClient tx) {
    this.tx = tx;
  }

  /** After the commit this process stops trusting its cached sessions of the user. */
  public void evict(UUID userId) {
    evicted.add(userId);
  }

  void mailed() {
    mailed = true;
  }
}
