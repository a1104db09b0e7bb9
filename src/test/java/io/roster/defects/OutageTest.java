package io.roster.defects;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.roster.support.Journeys;
import io.roster.support.Journeys.Person;
import io.roster.support.TestServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 item 4: PostgreSQL stopped for 20 s, then started again (its own server and data
 * directory). Bearer calls answer a prompt 503 UNAVAILABLE (never 401: an unreachable database
 * is no verdict on the token), readiness is false, and the same process recovers by itself with
 * everything it answered 2xx before the stop.
 */
class OutageTest {

  @Test
  void aStoppedDatabaseGivesPrompt503sAndEverythingComesBack() throws Exception {
    Path dir = Files.createTempDirectory("roster-outage-pg");
    GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
    smtp.start();
    EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false)
        .setServerConfig("synchronous_commit", "on").start();
    int port = pg.getPort();
    TestServer server = null;
    try {
      server = TestServer.startWith(TestServer.config("postgresql://postgres:postgres@127.0.0.1:" + port + "/postgres",
          smtp.getSmtp().getPort()), smtp);
      Journeys journeys = new Journeys(server);
      Person admin = journeys.newOrgWithRootAdmin("Outage Ltd");
      List<String> created = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        created.add(journeys.create(admin, Journeys.uniqueEmail("outage"), "USER").getString("id"));
      }

      pg.close();
      long stoppedAt = System.currentTimeMillis();
      int answered = 0;
      while (System.currentTimeMillis() - stoppedAt < 20_000) {
        for (String path : List.of("/api/v1/me", "/api/v1/users")) {
          server.assertUnavailable(path, admin.accessToken(), 6_000);
          answered++;
        }
        assertThat(server.http.get("/health/ready").send().status()).isEqualTo(503);
        assertThat(server.http.get("/health/live").send().status()).isEqualTo(200);
        TestServer.sleep(1_000);
      }
      assertThat(answered).isGreaterThan(10);

      pg = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false).setPort(port)
          .setServerConfig("synchronous_commit", "on").start();
      assertThat(server.awaitReady(true, 30_000)).as("ready again by itself").isTrue();
      assertThat(server.http.get("/api/v1/me").bearer(admin.accessToken()).send().status()).isEqualTo(200);
      for (String id : created) {
        assertThat(server.http.get("/api/v1/users/" + id).bearer(admin.accessToken()).send().status()).isEqualTo(200);
      }
      journeys.create(admin, Journeys.uniqueEmail("after"), "USER");
    } finally {
      if (server != null) {
        server.close();
      }
      try {
        pg.close();
      } catch (Exception ignored) {
        // already stopped
      }
      smtp.stop();
    }
  }
}
