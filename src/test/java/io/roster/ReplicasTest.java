package io.roster;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.support.Http;
import io.roster.support.Journeys;
import io.roster.support.Journeys.Person;
import io.roster.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Two Roster processes on one database behave as one server. */
class ReplicasTest {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicasTest.class);
  static TestServer a;
  static TestServer b;
  static Journeys journeys;

  @BeforeAll
  static void start() {
    a = TestServer.start();
    b = a.replica(Map.of());
    journeys = new Journeys(a);
  }

  @AfterAll
  static void stop() {
    b.close();
    a.close();
  }

  @Test
  void aTokenFromOneReplicaWorksOnTheOther() {
    Person root = journeys.newOrgWithRootAdmin("Replicated Inc");
    assertThat(b.http.get("/api/v1/me").bearer(root.accessToken()).send().status()).isEqualTo(200);
    Http.Response refreshed = b.http.post("/api/v1/auth/refresh").json(new JsonObject().put("refreshToken", root.refreshToken())).send();
    assertThat(refreshed.status()).isEqualTo(200);
    assertThat(a.http.get("/api/v1/me").bearer(refreshed.json().getString("accessToken")).send().status()).isEqualTo(200);
  }

  @Test
  void deactivationOnOneReplicaRefusesTheTokenOnTheOtherWithinOneSecond() {
    Person root = journeys.newOrgWithRootAdmin("Revocation Ltd");
    Person user = journeys.invite(root, "USER");
    // Warm B's cache so that only the invalidation can stop the token there.
    assertThat(b.http.get("/api/v1/me").bearer(user.accessToken()).send().status()).isEqualTo(200);
    assertThat(b.http.get("/api/v1/me").bearer(user.accessToken()).send().status()).isEqualTo(200);

    assertThat(a.http.post("/api/v1/users/" + user.id() + "/deactivate").bearer(root.accessToken()).send().status()).isEqualTo(200);
    long returned = System.nanoTime();
    assertThat(a.http.get("/api/v1/me").bearer(user.accessToken()).send().status()).as("at once on A").isEqualTo(401);
    long refusedOnB = -1;
    while (System.nanoTime() - returned < 1_000_000_000L) {
      if (b.http.get("/api/v1/me").bearer(user.accessToken()).send().status() == 401) {
        refusedOnB = System.nanoTime();
        break;
      }
    }
    assertThat(refusedOnB).as("refused on B within 1 s").isPositive();
    LOG.info("Revocation reached the other replica in {} ms", (refusedOnB - returned) / 1_000_000.0);
  }

  @Test
  void withoutTheInvalidationChannelTheCacheFailsClosed() {
    Person root = journeys.newOrgWithRootAdmin("Fail Closed AG");
    Person user = journeys.invite(root, "USER");
    assertThat(b.http.get("/api/v1/me").bearer(user.accessToken()).send().status()).isEqualTo(200);
    // Cut every LISTEN connection; B must not trust its cache until it has listened again.
    assertThat(a.count("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'roster-session-listener'"))
        .isEqualTo(2);
    assertThat(a.http.post("/api/v1/users/" + user.id() + "/deactivate").bearer(root.accessToken()).send().status()).isEqualTo(200);
    assertThat(b.http.get("/api/v1/me").bearer(user.accessToken()).send().status()).isEqualTo(401);
    long deadline = System.currentTimeMillis() + 10_000;
    while (!b.roster.sessions().listening()) {
      assertThat(System.currentTimeMillis()).as("the channel comes back").isLessThan(deadline);
      TestServer.sleep(100);
    }
  }

  @Test
  void aLockTakenOnOneReplicaHoldsOnTheOtherAndEndsOnceForBoth() {
    Person root = journeys.newOrgWithRootAdmin("Shared Locks");
    Person user = journeys.invite(root, "USER");
    a.http.put("/api/v1/organization/password-policy").bearer(root.accessToken())
        .json(new JsonObject().put("maxFailedAttempts", 2).put("lockoutDuration", "PT2S")).send();
    JsonObject wrong = new JsonObject().put("email", user.email()).put("password", "Wrong-Password-1!");
    assertThat(a.http.post("/api/v1/auth/login").json(wrong).send().status()).isEqualTo(401);
    assertThat(b.http.post("/api/v1/auth/login").json(wrong).send().status()).isEqualTo(401);
    JsonObject right = new JsonObject().put("email", user.email()).put("password", Journeys.PASSWORD);
    assertThat(a.http.post("/api/v1/auth/login").json(right).send().status()).isEqualTo(423);
    assertThat(b.http.post("/api/v1/auth/login").json(right).send().status()).isEqualTo(423);

    long deadline = System.currentTimeMillis() + 4_000;
    while (b.http.post("/api/v1/auth/login").json(right).send().status() != 200) {
      assertThat(System.currentTimeMillis()).isLessThan(deadline);
      TestServer.sleep(100);
    }
    TestServer.sleep(1000);
    assertThat(a.count("SELECT count(*) FROM audit_events WHERE target_user_id = ?::uuid AND action = 'USER_AUTO_UNLOCKED'", user.id()))
        .isEqualTo(1);
  }

  @Test
  void concurrentGuessesSpreadOverBothReplicasStillVerifyExactlyTheMaximum() {
    Person root = journeys.newOrgWithRootAdmin("Spread Storm");
    Person user = journeys.invite(root, "USER");
    JsonObject wrong = new JsonObject().put("email", user.email()).put("password", "Wrong-Password-1!");
    java.util.List<java.util.concurrent.CompletableFuture<Http.Response>> all = new java.util.ArrayList<>();
    for (int i = 0; i < 40; i++) {
      all.add((i % 2 == 0 ? a : b).http.post("/api/v1/auth/login").json(wrong).sendAsync());
    }
    Map<Integer, Long> counts = all.stream().map(java.util.concurrent.CompletableFuture::join)
        .collect(java.util.stream.Collectors.groupingBy(Http.Response::status, java.util.stream.Collectors.counting()));
    assertThat(counts).containsOnly(Map.entry(401, 5L), Map.entry(423, 35L));
  }
}
