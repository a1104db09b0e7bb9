package io.roster.mail;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * The transactional outbox: a command writes its mails with the same connection (transaction)
 * as its data, so a mail exists exactly when the change it announces was committed.
 */
public final class Outbox {
  /** Local event-bus address the mail verticle listens on to poll at once after a commit. */
  public static final String WAKE_UP = "mail.wakeup";

  private static final String INSERT =
      "INSERT INTO mail_outbox (recipient, subject, text_body, html_body) VALUES ($1, $2, $3, $4)";

  private Outbox() {}

  public static Future<Void> enqueue(SqlClient tx, Mail mail) {
    return tx.preparedQuery(INSERT).execute(Tuple.of(mail.to(), mail.subject(), mail.text(), mail.html())).mapEmpty();
  }

  /** Tells this process's mail verticle that there is work; other replicas find it on their next poll. */
  public static void wakeUp(Vertx vertx) {
    vertx.eventBus().publish(WAKE_UP, null);
  }
}
