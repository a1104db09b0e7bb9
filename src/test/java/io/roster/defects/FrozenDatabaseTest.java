package io.roster.defects;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.roster.support.Http;
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
 * Issue 7 item 17: PostgreSQL frozen with SIGSTOP (its own server, so no other test is touched).
 * Requests get a prompt 503 with Retry-After instead of hanging, readiness is 503, liveness
 * stays 200, and service comes back by itself when the database thaws.
 */
class FrozenDatabaseTest {

  @Test
  void aFrozenDatabaseGivesPrompt503sAndServiceResumesByItself() throws Exception {
    Path dir = Files.createTempDirectory("roster-frozen-pg");
    GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
    smtp.start();
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(true)
        .setServerConfig("fsync", "off").start()) {
      String url = "postgresql://postgres:postgres@127.0.0.1:" + pg.getPort() + "/postgres";
      TestServer server = TestServer.startWith(TestServer.config(url, smtp.getSmtp().getPort()), smtp);
      try {
        Person admin = new Journeys(server).newOrgWithRootAdmin("Frozen Ltd");
        assertThat(server.http.get("/api/v1/me").bearer(admin.accessToken()).send().status()).isEqualTo(200);
        long postmaster = Long.parseLong(Files.readAllLines(dir.resolve("postmaster.pid")).get(0).trim());
        signal("STOP", postmaster);
        try {
          for (String path : List.of("/api/v1/me", "/api/v1/users", "/api/v1/organization/password-policy")) {
            server.assertUnavailable(path, admin.accessToken(), 8_000);
          }
          long t0 = System.currentTimeMillis();
          Http.Response ready = server.http.get("/health/ready").send();
          assertThat(ready.status()).isEqualTo(503);
          assertThat(ready.body()).doesNotContain("Exception").doesNotContain("timeout");
          assertThat(server.management.get("/health/ready").send().status()).isEqualTo(503);
          assertThat(System.currentTimeMillis() - t0).isLessThan(4_000);
          assertThat(server.http.get("/health/live").send().status()).isEqualTo(200);
        } finally {
          signal("CONT", postmaster);
        }
        assertThat(server.awaitReady(true, 20_000)).as("ready again").isTrue();
        assertThat(server.http.get("/api/v1/me").bearer(admin.accessToken()).send().status()).isEqualTo(200);
      } finally {
        server.close();
      }
    } finally {
      smtp.stop();
    }
  }

  /** Signals the postmaster and every backend it forked. */
  private static void signal(String sig, long postmaster) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("kill", "-" + sig, String.valueOf(postmaster)));
    ProcessHandle.of(postmaster).ifPresent(p -> p.descendants().forEach(c -> cmd.add(String.valueOf(c.pid()))));
    assertThat(new ProcessBuilder(cmd).inheritIO().start().waitFor()).isZero();
  }
}
