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
      "INSERT INTO mail_outbox (recipient, subject, text_body, html_body, limited) VALUES ($1, $2, $3, $4, $5)";
  /** At most this many limited mails go to one address per {@link #BUDGET_WINDOW}. */
  public static final int BUDGET = 3;
  public static final String BUDGET_WINDOW = "15 minutes";
  // The advisory lock makes concurrent requests for one address count one after another; the count
  // is a statement of its own so that its snapshot is taken after the lock (READ COMMITTED).
  private static final String LOCK_ADDRESS = "SELECT pg_advisory_xact_lock(hashtext('mail:' || $1))";
  private static final String WITHIN_BUDGET = """
      SELECT count(*) < %d AS allowed FROM mail_outbox
      WHERE recipient = $1 AND limited AND created_at > now() - interval '%s'""".formatted(BUDGET, BUDGET_WINDOW);

  private static final String INSERT_ALL = """
      INSERT INTO mail_outbox (recipient, subject, text_body, html_body)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])""";

  private Outbox() {}

  public static Future<Void> enqueue(SqlClient tx, Mail mail) {
    return enqueue(tx, mail, false);
  }

  /** A limited mail counts against its address's budget (see {@link #withinBudget}). */
  public static Future<Void> enqueue(SqlClient tx, Mail mail, boolean limited) {
    return tx.preparedQuery(INSERT).execute(Tuple.of(mail.to(), mail.subject(), mail.text(), mail.html(), limited)).mapEmpty();
  }

  /**
   * Whether one more limited mail may go to this address now: at most {@link #BUDGET} per
   * {@link #BUDGET_WINDOW} (mail bombing through forgot-password, resend-invitation or
   * verification). Holds a transaction lock on the address, so call it in the transaction that
   * queues the mail.
   */
  public static Future<Boolean> withinBudget(SqlClient tx, String recipient) {
    return tx.preparedQuery(LOCK_ADDRESS).execute(Tuple.of(recipient))
        .compose(x -> tx.preparedQuery(WITHIN_BUDGET).execute(Tuple.of(recipient)))
        .map(rs -> rs.iterator().next().getBoolean("allowed"));
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
