package io.roster.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.support.Http;
import io.roster.support.Journeys;
import io.roster.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Issue 10 / API.md 12.1: per-address rate limits with RateLimit headers, and a bounded hashing queue. */
class OverloadTest {
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start(Map.of("RATE_LIMIT_AUTH", "1/PT10S;burst=5", "TRUSTED_PROXIES", "127.0.0.4/32",
        "LOGIN_QUEUE_TIMEOUT", "PT0.2S"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** One login from a given local address (the whole 127/8 is loopback), optionally with X-Forwarded-For. */
  static String[] login(String from, String forwardedFor) throws Exception {
    String body = new JsonObject().put("email", Journeys.uniqueEmail("rl")).put("password", "x").encode();
    try (Socket s = new Socket(InetAddress.getByName("127.0.0.1"), server.roster.port(), InetAddress.getByName(from), 0)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n"
          + (forwardedFor == null ? "" : "X-Forwarded-For: " + forwardedFor + "\r\n")
          + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return new String[] {answer.substring(9, 12), answer};
    }
  }

  @Test
  void eachAddressHasItsOwnBucketAndTheHeadersSaySo() throws Exception {
    for (int i = 0; i < 5; i++) {
      String[] r = login("127.0.0.2", null);
      assertThat(r[0]).as(r[1]).isEqualTo("401");
      assertThat(r[1]).containsIgnoringCase("RateLimit-Policy: \"auth\";q=5;w=50");
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("RateLimit: \"auth\";r=(\\d+);t=(\\d+)").matcher(r[1]);
      assertThat(m.find()).as(r[1]).isTrue();
      int remaining = Integer.parseInt(m.group(1));
      assertThat(remaining).as("remaining falls").isEqualTo(4 - i);
      assertThat(Integer.parseInt(m.group(2))).as("seconds until the bucket is full again").isPositive();
    }
    String[] refused = login("127.0.0.2", null);
    assertThat(refused[0]).as(refused[1]).isEqualTo("429");
    assertThat(refused[1]).contains("RATE_LIMITED").containsIgnoringCase("Retry-After: ").containsIgnoringCase("application/problem+json")
        .containsIgnoringCase("RateLimit: \"auth\";r=0");
    assertThat(login("127.0.0.3", null)[0]).as("another address is not affected").isEqualTo("401");
    // A spoofed X-Forwarded-For from an untrusted peer is ignored: still 127.0.0.2's bucket.
    assertThat(login("127.0.0.2", "127.0.0.77")[0]).isEqualTo("429");
    // Through the trusted proxy each client counts on its own; the proxy itself is not the client.
    for (int i = 0; i < 5; i++) {
      assertThat(login("127.0.0.4", "127.0.0.9")[0]).isEqualTo("401");
    }
    assertThat(login("127.0.0.4", "127.0.0.9")[0]).isEqualTo("429");
    assertThat(login("127.0.0.4", "127.0.0.10, 127.0.0.4")[0]).as("right-most untrusted entry").isEqualTo("401");
    // Exempt addresses (the tests' 127.0.0.1) carry no limit.
    for (int i = 0; i < 8; i++) {
      assertThat(server.http.post("/api/v1/auth/login").json(new JsonObject().put("email", "x@y.test").put("password", "p"))
          .send().status()).isNotEqualTo(429);
    }
  }

  @Test
  void aLoginThatCannotStartHashingInTimeIsRefusedAtOnce() {
    Journeys journeys = new Journeys(server);
    Journeys.Person admin = journeys.newOrgWithRootAdmin("Overload Co");
    Journeys.Person locked = journeys.invite(admin, "USER");
    for (int i = 0; i < 5; i++) {
      assertThat(journeys.passwordStep(locked.email(), "Wrong-Password-1!").status()).isEqualTo(401);
    }
    List<CompletableFuture<Http.Response>> all = new ArrayList<>();
    List<CompletableFuture<Http.Response>> whileFull = new ArrayList<>();
    List<Long> started = new ArrayList<>();
    // 300 sign-ins in waves for about a second and a half (a sustained overload), with a locked
    // account's sign-in after each wave
    for (int i = 0; i < 300; i++) {
      started.add(System.nanoTime());
      all.add(server.http.post("/api/v1/auth/login")
          .json(new JsonObject().put("email", Journeys.uniqueEmail("q")).put("password", "Flood-1!")).sendAsync());
      if (i % 10 == 9) {
        TestServer.sleep(50);
        whileFull.add(server.http.post("/api/v1/auth/login")
            .json(new JsonObject().put("email", locked.email()).put("password", "Wrong-Password-1!")).sendAsync());
      }
    }
    // a locked account's refusal needs no hash: it keeps its answer while hashing is full
    assertThat(whileFull).allSatisfy(f -> assertThat(f.join().status()).isEqualTo(423));
    int overloaded = 0;
    for (CompletableFuture<Http.Response> f : all) {
      Http.Response r = f.join();
      assertThat(r.status()).isIn(401, 503);
      if (r.status() == 503) {
        overloaded++;
        assertThat(r.code()).isEqualTo("OVERLOADED");
        assertThat(Long.parseLong(r.header("Retry-After"))).isGreaterThanOrEqualTo(1);
      }
    }
    assertThat(overloaded).as("two hashing threads cannot start 300 hashes within 0.2 s").isPositive();
    assertThat(server.metric("roster_password_hashing_refused_total")).isGreaterThanOrEqualTo(overloaded);
    assertThat(server.metric("roster_password_hashing_queue")).isZero();
    assertThat(server.metric("roster_password_hashing_wait_seconds_count")).isGreaterThanOrEqualTo(300);
  }
}
