package io.roster.defects;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.roster.support.Http;
import io.roster.support.Journeys;
import io.roster.support.Journeys.Person;
import io.roster.support.TestServer;
import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 item 3: a real primary and a streaming standby (synchronous, so a commit the primary
 * acknowledged is on the standby), DATABASE_URL naming both. Roster serves logins and user
 * creation, the primary is killed (SIGKILL), requests in the gap get prompt 503 UNAVAILABLE with
 * Retry-After and readiness is false, the standby is promoted, and the same process carries on:
 * ready again, every 2xx answer's user is there, and the outbox sent each mail once.
 */
class FailoverTest {

  @Test
  void theDatabaseFailsOverAndRosterCarriesOnWithoutARestart() throws Exception {
    Path primaryDir = Files.createTempDirectory("roster-failover-primary");
    Path standbyDir = Files.createTempDirectory("roster-failover-standby");
    GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
    smtp.start();
    EmbeddedPostgres primary = EmbeddedPostgres.builder().setDataDirectory(primaryDir).setCleanDataDirectory(true)
        .setServerConfig("wal_level", "replica").setServerConfig("max_wal_senders", "5")
        .setServerConfig("wal_keep_size", "256MB").setServerConfig("hot_standby", "on")
        // The embedded server's default is off, which answers a commit before even the primary has it on disk.
        .setServerConfig("synchronous_commit", "on").start();
    EmbeddedPostgres standby = null;
    TestServer server = null;
    try {
      standby = startStandby(primary, primaryDir, standbyDir);
      // Synchronous: a commit waits until the standby has it, so what a 2xx answered survives the kill.
      try (Connection c = jdbc(primary.getPort()); Statement s = c.createStatement()) {
        s.execute("ALTER SYSTEM SET synchronous_standby_names = '*'");
        s.execute("SELECT pg_reload_conf()");
      }
      awaitSyncStandby(primary.getPort());

      String url = "postgresql://postgres:postgres@127.0.0.1:" + primary.getPort() + ",127.0.0.1:" + standby.getPort()
          + "/postgres?targetServerType=primary";
      server = TestServer.startWith(TestServer.config(url, smtp.getSmtp().getPort()), smtp);
      Journeys journeys = new Journeys(server);
      Person admin = journeys.newOrgWithRootAdmin("Failover Ltd");
      assertThat(journeys.passwordStep(admin.email(), Journeys.PASSWORD).status()).isEqualTo(200);
      Map<String, String> created = new ConcurrentHashMap<>(); // id -> email, every 201
      for (int i = 0; i < 5; i++) {
        String email = Journeys.uniqueEmail("before");
        created.put(journeys.create(admin, email, "USER").getString("id"), email);
      }
      awaitMails(smtp, created.size() + 1); // the admin's invitation too

      // Creations keep coming through the kill, the gap and the promotion.
      List<Integer> statuses = new CopyOnWriteArrayList<>();
      List<String> log = new CopyOnWriteArrayList<>();
      AtomicBoolean running = new AtomicBoolean(true);
      TestServer s0 = server;
      Thread writer = new Thread(() -> {
        while (running.get()) {
          String email = Journeys.uniqueEmail("during");
          Http.Response r = s0.http.post("/api/v1/users").bearer(admin.accessToken())
              .json(new JsonObject().put("email", email).put("firstName", "Fay").put("lastName", "Over").put("role", "USER")).send();
          statuses.add(r.status());
          log.add(System.currentTimeMillis() % 100000 + ":" + r.status()); // ms:status, for a failure's message
          if (r.status() == 201) {
            created.put(r.json().getString("id"), email);
          }
          TestServer.sleep(50);
        }
      });
      writer.start();
      TestServer.sleep(500);

      long killedAt = System.currentTimeMillis();
      log.add("KILL " + killedAt % 100000);
      kill(primaryDir);
      TestServer.sleep(300);
      for (String path : List.of("/api/v1/me", "/api/v1/users")) {
        server.assertUnavailable(path, admin.accessToken(), 6_000);
      }
      assertThat(journeys.passwordStep(admin.email(), Journeys.PASSWORD).status()).isEqualTo(503);
      assertThat(server.awaitReady(false, 10_000)).as("readiness false during the gap").isTrue();

      try (Connection c = jdbc(standby.getPort()); Statement s = c.createStatement()) {
        s.execute("SELECT pg_promote()");
        log.add("PROMOTED " + System.currentTimeMillis() % 100000);
      }
      assertThat(server.awaitReady(true, 30_000)).as("ready again after the promotion, same process").isTrue();
      long recoveredMs = System.currentTimeMillis() - killedAt;
      TestServer.sleep(1_000);
      running.set(false);
      writer.join(30_000);
      assertThat(statuses).contains(201, 503).as("only 201 or 503, never a 500: %s", log).allMatch(x -> x == 201 || x == 503);
      assertThat(statuses.subList(statuses.size() - 3, statuses.size())).as("creating users again").containsOnly(201);

      // Everything answered 2xx is in the (new primary's) database, and sign-in works there.
      for (String id : created.keySet()) {
        Http.Response got = server.http.get("/api/v1/users/" + id).bearer(admin.accessToken()).send();
        assertThat(got.status()).as("%s (%s) answered 201; the writer's log: %s", id, created.get(id), log).isEqualTo(200);
      }
      assertThat(journeys.passwordStep(admin.email(), Journeys.PASSWORD).status()).isEqualTo(200);
      // The outbox sent each invitation once: no mail marked sent before the kill went again.
      awaitMails(smtp, created.size() + 1);
      TestServer.sleep(2_000);
      Map<String, Long> perRecipient = Stream.of(smtp.getReceivedMessages())
          .collect(Collectors.groupingBy(m -> address(m), Collectors.counting()));
      assertThat(perRecipient.keySet()).containsAll(Set.copyOf(created.values()));
      assertThat(perRecipient.values()).as(perRecipient.toString()).containsOnly(1L);
      // ...and every one of them is marked sent on the new primary, so none goes again later.
      long deadline = System.currentTimeMillis() + 20_000;
      long unsent = -1;
      while (unsent != 0 && System.currentTimeMillis() < deadline) {
        try (Connection c = jdbc(standby.getPort()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL")) {
          rs.next();
          unsent = rs.getLong(1);
        }
        TestServer.sleep(200);
      }
      assertThat(unsent).as("mails not marked sent").isZero();
      System.out.printf("failover: %d creations, %d answered 503, ready again %d ms after the kill%n",
          statuses.size(), statuses.stream().filter(x -> x == 503).count(), recoveredMs);
    } finally {
      if (server != null) {
        server.close();
      }
      closeQuietly(standby);
      closeQuietly(primary);
      smtp.stop();
    }
  }

  /** A base backup of the running primary (non-exclusive, PostgreSQL 14) started as a streaming standby. */
  private static EmbeddedPostgres startStandby(EmbeddedPostgres primary, Path from, Path to) throws Exception {
    try (Connection c = jdbc(primary.getPort()); Statement s = c.createStatement()) {
      s.execute("SELECT pg_start_backup('roster-standby', true, false)");
      try (Stream<Path> files = Files.walk(from)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Path rel = from.relativize(f);
          String name = rel.toString();
          if (name.equals("postmaster.pid") || name.equals("postmaster.opts") || name.startsWith("pg_wal/")
              || name.startsWith("pg_replslot/") || name.startsWith("epg-lock")) {
            continue;
          }
          Path target = to.resolve(rel);
          if (Files.isDirectory(f)) {
            Files.createDirectories(target);
          } else {
            try {
              Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
            } catch (java.nio.file.NoSuchFileException gone) {
              // removed while copying (a temporary file); the WAL replay restores what matters
            }
          }
        }
      }
      Files.createDirectories(to.resolve("pg_wal"));
      try (ResultSet rs = s.executeQuery("SELECT labelfile FROM pg_stop_backup(false, true)")) {
        rs.next();
        Files.writeString(to.resolve("backup_label"), rs.getString(1));
      }
    }
    Files.writeString(to.resolve("standby.signal"), "");
    Files.writeString(to.resolve("postgresql.auto.conf"),
        "primary_conninfo = 'host=127.0.0.1 port=" + primary.getPort() + " user=postgres application_name=standby'\n",
        java.nio.file.StandardOpenOption.APPEND);
    return EmbeddedPostgres.builder().setDataDirectory(to).setCleanDataDirectory(false)
        .setServerConfig("hot_standby", "on").start();
  }

  private static void awaitSyncStandby(int port) throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      try (Connection c = jdbc(port); Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync' AND state = 'streaming'")) {
        rs.next();
        if (rs.getInt(1) == 1) {
          return;
        }
      }
      TestServer.sleep(100);
    }
    throw new AssertionError("the standby never became a synchronous one");
  }

  /** SIGKILL to the postmaster and every backend: a crash, not a shutdown. */
  private static void kill(Path dataDir) throws Exception {
    long postmaster = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
    ProcessHandle pm = ProcessHandle.of(postmaster).orElseThrow();
    List<ProcessHandle> all = Stream.concat(Stream.of(pm), pm.descendants()).toList();
    all.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle p : all) {
      p.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  private static void awaitMails(GreenMail smtp, int n) {
    long deadline = System.currentTimeMillis() + 30_000;
    while (smtp.getReceivedMessages().length < n && System.currentTimeMillis() < deadline) {
      TestServer.sleep(100);
    }
    assertThat(smtp.getReceivedMessages().length).isGreaterThanOrEqualTo(n);
  }

  private static String address(jakarta.mail.internet.MimeMessage m) {
    try {
      return m.getAllRecipients()[0].toString();
    } catch (jakarta.mail.MessagingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Connection jdbc(int port) throws Exception {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "postgres");
  }

  private static void closeQuietly(EmbeddedPostgres pg) {
    if (pg == null) {
      return;
    }
    try {
      pg.close();
    } catch (Exception ignored) {
      // a killed server cannot be stopped again
    }
  }
}
