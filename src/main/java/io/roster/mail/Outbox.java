package io.roster.mail;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.List;

/**
 * The transactional outbox: a command writes its mails with the same connection (transaction)
 * as its data, so a mail exists exactly when the change it announces was committed.
 */
public final class Outbox {
  /** Local event-bus address the mail verticle listens on to poll at once after a commit. */
  public static final String WAKE_UP = "mail.wakeup";

  private static final String INSERT =
      "INSERT INTO mail_outbox (recipient, subject, text_body, html_body) VALUES ($1, $2, $3, $4)";

  private static final String INSERT_ALL = """
      INSERT INTO mail_outbox (recipient, subject, text_body, html_body)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])""";

  private Outbox() {}

  public static Future<Void> enqueue(SqlClient tx, Mail mail) {
    return tx.preparedQuery(INSERT).execute(Tuple.of(mail.to(), mail.subject(), mail.text(), mail.html())).mapEmpty();
  }

  /** Many mails in one statement (a batch of invitations). */
  public static Future<Void> enqueueAll(SqlClient tx, List<Mail> mails) {
    if (mails.size() == 1) {
      return enqueue(tx, mails.get(0));
    }
    Tuple params = Tuple.of(mails.stream().map(Mail::to).toArray(String[]::new), mails.stream().map(Mail::subject).toArray(String[]::new),
        mails.stream().map(Mail::text).toArray(String[]::new), mails.stream().map(Mail::html).toArray(String[]::new));
    return tx.preparedQuery(INSERT_ALL).execute(params).mapEmpty();
  }

  /** Tells this process's mail verticle that there is work; other replicas find it on their next poll. */
  public static void wakeUp(Vertx vertx) {
    vertx.eventBus().publish(WAKE_UP, null);
  }
}
