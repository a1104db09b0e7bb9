package io.roster.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.support.Http;
import io.roster.support.Journeys;
import io.roster.support.Journeys.Person;
import io.roster.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Issue 9, attacked over HTTP: work before authentication, unbounded tables, mail bombing. */
class HardeningTest {
  static TestServer server;
  static Http http;
  static Journeys journeys;

  @BeforeAll
  static void start() {
    server = TestServer.start(Map.of("RETENTION", "PT1S", "PURGE_INTERVAL", "PT0.5S"));
    http = server.http;
    journeys = new Journeys(server);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  // ---- 5: nothing is read before authentication -------------------------------------------

  @Test
  void item5_anUnauthenticatedBodyIsNeverReadAndOnlyAnAuthenticatedImportMayBeLarge() throws Exception {
    // Headers that announce 40 MiB and no token: the answer comes before a byte of the body.
    try (Socket s = new Socket("127.0.0.1", server.roster.port())) {
      s.setSoTimeout(5_000);
      OutputStream out = s.getOutputStream();
      out.write(("POST /api/v1/users/import HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nContent-Length: " + (40 << 20)
          + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      long t0 = System.currentTimeMillis();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[4096];
      int n = in.read(buf);
      assertThat(new String(buf, 0, n, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 401 ");
      assertThat(System.currentTimeMillis() - t0).isLessThan(2_000);
    }
    Person admin = journeys.newOrgWithRootAdmin("Body Co");
    String twoMiB = "{\"email\":\"" + "a".repeat(2 << 20) + "\"}";
    // Over a raw socket that sends no more than the server needs to decide: an HTTP client still
    // uploading the 2 MiB when the answer arrives and the connection closes may lose the answer.
    assertThat(statusOf("/api/v1/users", null, twoMiB, 1024)).as("no token: refused before the size").isEqualTo("401");
    assertThat(statusOf("/api/v1/users", admin.accessToken(), twoMiB, (1 << 20) + 4096)).isEqualTo("413");
    assertThat(statusOf("/api/v1/auth/login", null, twoMiB, (1 << 20) + 4096)).isEqualTo("413");
    StringBuilder csv = new StringBuilder("email,firstName,lastName,role\n");
    for (int i = 0; csv.length() < (3 << 20); i++) {
      csv.append("big").append(i).append("-").append("x".repeat(60)).append("@example.test,B,I,USER\n");
    }
    Http.Response big = http.post("/api/v1/users/import?dryRun=true").bearer(admin.accessToken()).raw(csv.toString(), "text/csv").send();
    assertThat(big.status()).as("an authenticated import may bring more than 1 MiB").isEqualTo(200);
  }

  /** POSTs the first `send` bytes of a body announced whole, and reads the answer's status. */
  private static String statusOf(String path, String token, String body, int send) throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.roster.port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
          + "Content-Length: " + body.length() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body.substring(0, send).getBytes(StandardCharsets.US_ASCII));
      out.flush();
      byte[] buf = new byte[4096];
      int n = s.getInputStream().read(buf);
      String answer = new String(buf, 0, n, StandardCharsets.US_ASCII);
      assertThat(answer).startsWith("HTTP/1.1 ");
      return answer.substring(9, 12);
    }
  }

  // ---- 7: bounded tables --------------------------------------------------------------------

  @Test
  void item7_floodsCannotGrowTheTables() {
    Person admin = journeys.newOrgWithRootAdmin("Flood Co");
    Person user = journeys.invite(admin, "USER");
    // Lock the user, then flood the locked account: one folded LOGIN_FAILED for the lock window.
    for (int i = 0; i < 5; i++) {
      assertThat(journeys.passwordStep(user.email(), "Wrong-Password-1!").status()).isEqualTo(401);
    }
    List<Http.Response> flood = Http.concurrently(200, () -> http.post("/api/v1/auth/login")
        .json(new JsonObject().put("email", user.email()).put("password", "Wrong-Password-1!")));
    assertThat(flood).allMatch(r -> r.status() == 423);
    // Refusals are counted in memory and written as folds a moment after their answers.
    String counted = "SELECT COALESCE(sum((details->>'attempts')::int), 0) FROM audit_events WHERE target_user_id = ?::uuid"
        + " AND action = 'LOGIN_FAILED' AND details->>'reason' = 'ACCOUNT_LOCKED'";
    long deadline = System.currentTimeMillis() + 10_000;
    while (server.count(counted, user.id()) < 200 && System.currentTimeMillis() < deadline) {
      TestServer.sleep(50);
    }
    assertThat(server.count(counted, user.id())).isEqualTo(200);
    long lockedRefusals = server.count("SELECT count(*) FROM audit_events WHERE target_user_id = ?::uuid AND action = 'LOGIN_FAILED'"
        + " AND details->>'reason' = 'ACCOUNT_LOCKED'", user.id());
    assertThat(lockedRefusals).as("folded, not one row per attempt").isBetween(1L, 3L);

    // Unknown emails: a guard row each, gone once its lock window is over.
    // (a flood beyond what hashing can start in time is refused with 503 before any row is written)
    List<Http.Response> unknown = Http.concurrently(300, () -> http.post("/api/v1/auth/login")
        .json(new JsonObject().put("email", Journeys.uniqueEmail("nobody")).put("password", "x")));
    assertThat(unknown).allMatch(r -> r.status() == 401 || r.status() == 503);
    long checked = unknown.stream().filter(r -> r.status() == 401).count();
    assertThat(checked).isPositive();
    // an attempt admitted but refused when its turn came (too late to hash) has its guard row too
    assertThat(server.count("SELECT count(*) FROM phantom_logins WHERE email LIKE 'nobody-%'")).isBetween(checked, 300L);
    server.sql("UPDATE phantom_logins SET updated_at = now() - interval '11 minutes' WHERE email LIKE 'nobody-%'");
    awaitZero("SELECT count(*) FROM phantom_logins WHERE email LIKE 'nobody-%'");

    // Spent links, sent mails and ended sessions go after RETENTION (1 s here).
    assertThat(http.post("/api/v1/auth/logout").bearer(user.accessToken()).send().status()).isEqualTo(204);
    awaitZero("SELECT count(*) FROM sessions WHERE user_id = ?::uuid AND revoked_at IS NOT NULL", user.id());
    awaitZero("SELECT count(*) FROM action_tokens WHERE user_id = ?::uuid AND used_at IS NOT NULL", user.id());
    // (The lock's notice is a budgeted mail: it stays for the budget window, see item 8.)
    awaitZero("SELECT count(*) FROM mail_outbox WHERE recipient = ? AND sent_at IS NOT NULL AND NOT limited", user.email());
    assertThat(server.count("SELECT count(*) FROM users WHERE id = ?::uuid", user.id())).isEqualTo(1);
  }

  private static void awaitZero(String query, Object... params) {
    long deadline = System.currentTimeMillis() + 10_000;
    long n = server.count(query, params);
    while (n > 0 && System.currentTimeMillis() < deadline) {
      TestServer.sleep(100);
      n = server.count(query, params);
    }
    assertThat(n).as(query).isZero();
  }

  // ---- 8: mail bombing ------------------------------------------------------------------

  @Test
  void item8_atMostThreeMailsPerAddressPerQuarterHourWhateverIsAsked() {
    Person admin = journeys.newOrgWithRootAdmin("Bomb Co");
    Person user = journeys.invite(admin, "USER");
    List<Http.Response> asks = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      asks.add(http.post("/api/v1/auth/password/forgot").json(new JsonObject().put("email", user.email())).send());
    }
    assertThat(asks).allMatch(r -> r.status() == 202 && r.body().equals(asks.get(0).body()));
    server.awaitMail(user.email(), "reset");
    TestServer.sleep(1_500);
    assertThat(server.mails(user.email()).stream().filter(m -> m.subject().toLowerCase().contains("reset")).count()).isEqualTo(3);

    String invited = Journeys.uniqueEmail("bombed");
    String id = journeys.create(admin, invited, "USER").getString("id");
    for (int i = 0; i < 6; i++) {
      assertThat(http.post("/api/v1/users/" + id + "/resend-invitation").bearer(admin.accessToken()).send().status()).isEqualTo(202);
    }
    TestServer.sleep(1_500);
    assertThat(server.mails(invited).stream().filter(m -> m.subject().toLowerCase().contains("invitation")).count())
        .as("the first invitation and three re-sends").isEqualTo(4);
  }
}
