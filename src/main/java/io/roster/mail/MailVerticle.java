package io.roster.mail;

import io.roster.common.BackgroundWork;
import io.roster.common.FailureLog;
import io.roster.common.Metrics;
import io.roster.common.Settings;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mail dispatch from the outbox. Claims a batch of due rows at a time with FOR UPDATE SKIP LOCKED
 * (so each mail is sent by one replica), sends them over a pool of kept-alive SMTP connections
 * (SMTP_CONNECTIONS, several mails per connection), marks each sent as soon as the server
 * accepted it, and backs off while SMTP is down. Delivery is at least once: a process killed
 * between the SMTP server's acceptance and the mark sends that mail again after the claim
 * expires, with the same Message-ID (derived from the outbox row), so receivers can drop the
 * repeat. Without SMTP_HOST the mails (with their links) are written to the log instead.
 */
public final class MailVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(MailVerticle.class);
  private final FailureLog pollFailures = new FailureLog(LOG, "Outbox poll");
  /** Rows per claim: enough to keep every connection busy; a killed process strands them for at most the claim's minute. */
  private static final int BATCH_PER_CONNECTION = 8;
  private static final long PENDING_METRIC_MS = 5_000;

  private static final String CLAIM = """
      UPDATE mail_outbox SET claimed_until = now() + interval '1 minute', attempts = attempts + 1
      WHERE id IN (SELECT id FROM mail_outbox
                   WHERE sent_at IS NULL AND next_attempt_at <= now()
                     AND (claimed_until IS NULL OR claimed_until < now())
                   ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
      RETURNING id, recipient, subject, text_body, html_body, attempts,
                (extract(epoch FROM created_at) * 1000)::bigint AS created_ms""";
  // Bodies hold single-use links: once delivered they are not kept.
  private static final String SENT =
      "UPDATE mail_outbox SET sent_at = now(), claimed_until = NULL, text_body = NULL, html_body = NULL, last_error = NULL WHERE id = $1";
  private static final String FAILED = """
      UPDATE mail_outbox SET claimed_until = NULL, last_error = $2,
             next_attempt_at = now() + make_interval(secs => least(power(2, attempts), 300))
      WHERE id = $1""";
  private static final String PENDING = "SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL";

  private final Pool pool;
  private MailClient client;
  private String from;
  private String messageIdDomain;
  private long timer;
  private long pendingTimer;
  private int batch;
  private boolean polling;
  private boolean pollAgain;
  private final BackgroundWork work = new BackgroundWork();

  public MailVerticle(Pool pool) {
    this.pool = pool;
  }

  @Override
  public Future<?> start() {
    JsonObject conf = config();
    from = Settings.string(conf, "MAIL_FROM", "no-reply@roster.local");
    messageIdDomain = from.contains("@") ? from.substring(from.lastIndexOf('@') + 1) : "roster.local";
    String host = Settings.string(conf, "SMTP_HOST", null);
    int connections = Math.max(1, Settings.integer(conf, "SMTP_CONNECTIONS", 8));
    batch = connections * BATCH_PER_CONNECTION;
    if (host != null) {
      String user = Settings.string(conf, "SMTP_USERNAME", null);
      MailConfig mc = new MailConfig()
          .setHostname(host)
          .setPort(Settings.integer(conf, "SMTP_PORT", 25))
          .setStarttls(StartTLSOptions.valueOf(Settings.string(conf, "SMTP_STARTTLS", "OPTIONAL")))
          .setLogin(user == null ? LoginOption.DISABLED : LoginOption.REQUIRED)
          .setUsername(user)
          .setPassword(Settings.string(conf, "SMTP_PASSWORD", null))
          .setKeepAlive(true)
          .setMaxPoolSize(connections);
      client = MailClient.create(vertx, mc);
      LOG.info("Mail goes out through {}:{}", host, mc.getPort());
    } else {
      LOG.info("SMTP_HOST is unset: mails are written to the log");
    }
    long interval = Settings.duration(conf, "MAIL_POLL_INTERVAL", java.time.Duration.ofSeconds(1)).toMillis();
    timer = vertx.setPeriodic(Math.max(50, interval), id -> poll());
    pendingTimer = vertx.setPeriodic(PENDING_METRIC_MS, id -> countPending());
    vertx.eventBus().localConsumer(Outbox.WAKE_UP, msg -> poll());
    poll();
    countPending();
    return Future.succeededFuture();
  }

  /** Takes no new batch, lets the one being sent finish (each mail marked as it goes), then closes SMTP. */
  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    vertx.cancelTimer(pendingTimer);
    return work.finish().compose(x -> client == null ? Future.succeededFuture() : client.close());
  }

  /** The Message-ID of an outbox row: the same on every attempt, on every replica. */
  static String messageId(long id, long createdMs, String domain) {
    return "<roster." + id + "." + createdMs + "@" + domain + ">";
  }

  private void poll() {
    if (work.stopping()) {
      return;
    }
    if (polling) {
      pollAgain = true;
      return;
    }
    polling = true;
    pollAgain = false;
    work.run(() -> pool.preparedQuery(CLAIM).execute(Tuple.of(batch))
        .compose(rows -> {
          List<Future<Void>> sends = new ArrayList<>();
          for (Row row : rows) {
            sends.add(deliver(row));
          }
          return Future.join(sends).map(rows.size());
        })
        .onComplete(ar -> {
          polling = false;
          if (ar.failed()) {
            pollFailures.failed(ar.cause());
            return;
          }
          pollFailures.succeeded();
          if (!work.stopping() && (ar.result() == batch || pollAgain)) {
            poll();
          }
        }));
  }

  private void countPending() {
    pool.query(PENDING).execute()
        .onSuccess(rs -> Metrics.mailPending(rs.iterator().next().getLong(0)))
        .onFailure(err -> LOG.debug("Outbox count failed: {}", err.toString()));
  }

  private Future<Void> deliver(Row row) {
    long id = row.getLong("id");
    String to = row.getString("recipient");
    String subject = row.getString("subject");
    String text = row.getString("text_body");
    Future<?> sent;
    if (client == null) {
      LOG.info("Mail to {} (logged, SMTP_HOST unset)\nSubject: {}\n\n{}", to, subject, text);
      sent = Future.succeededFuture();
    } else {
      MailMessage message = new MailMessage().setFrom(from).setTo(to).setSubject(subject)
          .setText(text).setHtml(row.getString("html_body"))
          .setHeaders(io.vertx.core.MultiMap.caseInsensitiveMultiMap()
              .add("Message-ID", messageId(id, row.getLong("created_ms"), messageIdDomain)));
      sent = client.sendMail(message);
    }
    return sent.transform(ar -> {
      if (ar.succeeded()) {
        return markSent(id, System.currentTimeMillis() + MARK_SENT_FOR_MS);
      }
      LOG.warn("Mail {} to {} not sent (attempt {}), will retry: {}", id, to, row.getInteger("attempts"), ar.cause().toString());
      return pool.preparedQuery(FAILED).execute(Tuple.of(id, String.valueOf(ar.cause().getMessage()))).mapEmpty();
    });
  }

  /** How long a mail the SMTP server accepted keeps trying to be marked sent: within its claim. */
  private static final long MARK_SENT_FOR_MS = 50_000;

  /**
   * Marks a mail the SMTP server accepted as sent. The database may be away just then (a failover,
   * an outage): the mark is retried every second while the claim holds, so it lands on whichever
   * server takes writes next and the mail is not sent again. Only a process that dies meanwhile
   * leaves it to be sent again when the claim ends (at least once; the Message-ID is stable).
   */
  private Future<Void> markSent(long id, long until) {
    return pool.preparedQuery(SENT).execute(Tuple.of(id)).<Void>mapEmpty().recover(err -> {
      if (System.currentTimeMillis() > until || work.stopping()) {
        LOG.warn("Mail {} was sent but could not be marked so ({}); it is sent again when its claim ends", id, err.toString());
        return Future.succeededFuture();
      }
      return vertx.timer(1_000).compose(t -> markSent(id, until));
    });
  }
}
