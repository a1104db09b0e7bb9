package io.roster.support;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.roster.Main;
import io.roster.Roster;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.net.URI;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Roster for a test class: its own fresh database, a real SMTP server (GreenMail) that
 * the test reads mails back from, and the verticles deployed exactly as Main deploys them.
 */
public final class TestServer implements AutoCloseable {
  public static final String SUPPORT_KEY = "test-support-key-0123456789";
  public static final String BASE_URL = "https://roster.example.test";
  /** The tests' encryption key (32 bytes, base64), the same for every replica of a test. */
  public static final String ENCRYPTION_KEY = "dGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcyEhISE=";
  private static final Pattern LINK = Pattern.compile(Pattern.quote(BASE_URL) + "/(invitation|reset-password|unlock)\\?token=([A-Za-z0-9_-]{32,})");

  public final GreenMail smtp;
  public final String databaseUrl;
  public final Vertx vertx;
  public final Roster roster;
  public final Http http;
  /** The management port: /metrics and the probes. */
  public final Http management;

  private TestServer(GreenMail smtp, String databaseUrl, Vertx vertx, Roster roster) {
    this(smtp, databaseUrl, vertx, roster, roster.port(), roster.managementPort());
  }

  private TestServer(GreenMail smtp, String databaseUrl, Vertx vertx, Roster roster, int port, int managementPort) {
    this.smtp = smtp;
    this.databaseUrl = databaseUrl;
    this.vertx = vertx;
    this.roster = roster;
    this.http = new Http(port);
    this.management = new Http(managementPort);
  }

  /** A Roster running in another process (started by the test), seen through its ports, database and SMTP server. */
  public static TestServer external(GreenMail smtp, String databaseUrl, int port, int managementPort) {
    return new TestServer(smtp, databaseUrl, null, null, port, managementPort);
  }

  public static TestServer start() {
    return start(Map.of());
  }

  /** Starts GreenMail and Roster on a fresh database; overrides win over the test defaults. */
  public static TestServer start(Map<String, Object> overrides) {
    GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
    smtp.start();
    JsonObject conf = config(TestDatabase.fresh(), smtp.getSmtp().getPort());
    overrides.forEach(conf::put);
    return startWith(conf, smtp);
  }

  /** Another replica on the same database and SMTP server, as a second Kubernetes pod would be. */
  public TestServer replica(Map<String, Object> overrides) {
    JsonObject conf = config(databaseUrl, smtp.getSmtp().getPort());
    overrides.forEach(conf::put);
    Vertx v = Vertx.vertx(Main.vertxOptions());
    Roster r = Roster.start(v, conf).await();
    return new TestServer(null, databaseUrl, v, r);
  }

  public static JsonObject config(String databaseUrl, int smtpPort) {
    return new JsonObject()
        .put("DATABASE_URL", databaseUrl)
        .put("ENCRYPTION_KEY", ENCRYPTION_KEY)
        // The tests' own floods come from 127.0.0.1; rate-limit tests call from 127.0.0.2 and up.
        .put("RATE_LIMIT_EXEMPT", "127.0.0.1/32")
        .put("HTTP_HOST", "127.0.0.1")
        .put("HTTP_PORT", 0)
        .put("MANAGEMENT_PORT", 0)
        .put("DATABASE_POOL_SIZE", 16)
        .put("SMTP_HOST", "127.0.0.1")
        .put("SMTP_PORT", smtpPort)
        .put("SMTP_STARTTLS", "DISABLED")
        .put("MAIL_FROM", "roster@example.test")
        .put("PUBLIC_BASE_URL", BASE_URL)
        .put("SUPPORT_API_KEY", SUPPORT_KEY)
        .put("MAIL_POLL_INTERVAL", "PT0.2S")
        .put("LOCKOUT_SWEEP_INTERVAL", "PT0.2S");
  }

  /** Starts Roster (not GreenMail) with exactly this configuration. */
  public static TestServer startWith(JsonObject conf, GreenMail smtp) {
    Vertx vertx = Vertx.vertx(Main.vertxOptions());
    Roster roster = Roster.start(vertx, conf).await();
    return new TestServer(smtp, conf.getString("DATABASE_URL"), vertx, roster);
  }

  // ---- mail ----------------------------------------------------------------------------------

  /** A mail as the test reads it: recipient, subject, the decoded text part and its link token. */
  public record Mail(String to, String subject, String from, String text, String html, String kind, String token) {}

  /** Waits for the newest mail to this address whose subject contains the word, and reads it. */
  public Mail awaitMail(String to, String subjectWord) {
    long deadline = System.currentTimeMillis() + 15_000;
    while (System.currentTimeMillis() < deadline) {
      Optional<MimeMessage> found = Arrays.stream(smtp.getReceivedMessages())
          .filter(m -> recipient(m).equalsIgnoreCase(to) && subject(m).toLowerCase().contains(subjectWord.toLowerCase()))
          .reduce((a, b) -> b);
      if (found.isPresent()) {
        return read(found.get());
      }
      sleep(50);
    }
    throw new AssertionError("No mail to " + to + " about '" + subjectWord + "' within 15 s");
  }

  /** The sum of a Prometheus metric's series, read from the management port. */
  public double metric(String name) {
    String text = management.get("/metrics").send().body();
    return text.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  /** Every mail received for this address, oldest first. */
  public java.util.List<Mail> mails(String to) {
    return Arrays.stream(smtp.getReceivedMessages()).filter(m -> recipient(m).equalsIgnoreCase(to)).map(TestServer::read).toList();
  }

  /** The Message-ID headers of every mail received for this address, oldest first. */
  public java.util.List<String> messageIds(String to) {
    return Arrays.stream(smtp.getReceivedMessages()).filter(m -> recipient(m).equalsIgnoreCase(to)).map(m -> {
      try {
        return m.getMessageID();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }).toList();
  }

  public long mailCount(String to) {
    return Arrays.stream(smtp.getReceivedMessages()).filter(m -> recipient(m).equalsIgnoreCase(to)).count();
  }

  private static Mail read(MimeMessage m) {
    try {
      String text = null;
      String html = null;
      Object content = m.getContent();
      if (content instanceof Multipart mp) {
        for (int i = 0; i < mp.getCount(); i++) {
          BodyPart part = mp.getBodyPart(i);
          if (part.isMimeType("text/plain")) {
            text = (String) part.getContent();
          } else if (part.isMimeType("text/html")) {
            html = (String) part.getContent();
          }
        }
      } else {
        text = String.valueOf(content);
      }
      Matcher link = LINK.matcher(text == null ? "" : text);
      String kind = null;
      String token = null;
      if (link.find()) {
        kind = link.group(1);
        token = link.group(2);
      }
      return new Mail(recipient(m), m.getSubject(), m.getFrom()[0].toString(), text, html, kind, token);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String recipient(MimeMessage m) {
    try {
      return m.getRecipients(Message.RecipientType.TO)[0].toString();
    } catch (Exception e) {
      return "";
    }
  }

  private static String subject(MimeMessage m) {
    try {
      return m.getSubject();
    } catch (Exception e) {
      return "";
    }
  }

  // ---- database ------------------------------------------------------------------------------

  /** Runs one SQL statement against this server's database (for set-up a test cannot do over HTTP). */
  public int sql(String statement, Object... params) {
    try (Connection c = jdbc(); PreparedStatement ps = c.prepareStatement(statement)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      return ps.executeUpdate();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public long count(String query, Object... params) {
    try (Connection c = jdbc(); PreparedStatement ps = c.prepareStatement(query)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private Connection jdbc() throws Exception {
    URI uri = URI.create(databaseUrl);
    String[] user = uri.getUserInfo().split(":", 2);
    return DriverManager.getConnection("jdbc:postgresql://" + uri.getHost() + ":" + uri.getPort() + uri.getPath(), user[0], user[1]);
  }

  /**
   * Polls /health/ready on the API port until it says ready (200) or not (anything else), for at
   * most timeoutMs; answers whether it did. A port that is not listening yet counts as not ready.
   */
  public boolean awaitReady(boolean ready, long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (true) {
      boolean isReady;
      try {
        isReady = http.get("/health/ready").send().status() == 200;
      } catch (RuntimeException notListening) {
        isReady = false;
      }
      if (isReady == ready) {
        return true;
      }
      if (System.currentTimeMillis() >= deadline) {
        return false;
      }
      sleep(100);
    }
  }

  /**
   * GET path with the token while the database is away: a 503 UNAVAILABLE with Retry-After (never
   * a 401, which frontends take as "signed out") within maxMillis; answers how long it took.
   */
  public long assertUnavailable(String path, String token, long maxMillis) {
    long t0 = System.currentTimeMillis();
    Http.Response r = http.get(path).bearer(token).send();
    long took = System.currentTimeMillis() - t0;
    org.assertj.core.api.Assertions.assertThat(r.status()).as(path + " while the database is away: " + r).isEqualTo(503);
    org.assertj.core.api.Assertions.assertThat(r.code()).isEqualTo("UNAVAILABLE");
    org.assertj.core.api.Assertions.assertThat(r.header("Retry-After")).isNotNull();
    org.assertj.core.api.Assertions.assertThat(took).as(path + ": a prompt answer, not a hang").isLessThan(maxMillis);
    return took;
  }

  public static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (roster != null) {
      roster.close().await();
    }
    if (smtp != null) {
      smtp.stop();
    }
  }
}
