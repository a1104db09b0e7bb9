package io.roster.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.support.Http;
import io.roster.support.Journeys;
import io.roster.support.Journeys.Person;
import io.roster.support.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 item 2 / API.md 12.5: when an account locks, its owner gets one mail (whatever the
 * number of replicas and further attempts) with a link that ends the lock until the lock ends;
 * the next maxFailedAttempts wrong guesses lock it again. Two replicas on one database and one
 * real SMTP server.
 */
class LockoutNoticeTest {
  static TestServer a;
  static TestServer b;
  static Journeys journeys;

  @BeforeAll
  static void start() {
    a = TestServer.start(Map.of("RATE_LIMIT_AUTH", "off"));
    b = a.replica(Map.of("RATE_LIMIT_AUTH", "off"));
    journeys = new Journeys(a);
  }

  @AfterAll
  static void stop() {
    b.close();
    a.close();
  }

  static Http.Response login(TestServer s, String email, String password) {
    return s.http.post("/api/v1/auth/login").json(new JsonObject().put("email", email).put("password", password)).send();
  }

  /** n wrong guesses at once, half of them on each replica. */
  static void guess(String email, int n) {
    List<CompletableFuture<Http.Response>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add((i % 2 == 0 ? a : b).http.post("/api/v1/auth/login")
          .json(new JsonObject().put("email", email).put("password", "Wrong-Guess-" + i + "!")).sendAsync());
    }
    all.forEach(CompletableFuture::join);
  }

  static List<TestServer.Mail> notices(String email) {
    return a.mails(email).stream().filter(m -> m.subject().toLowerCase().contains("is locked")).toList();
  }

  static Http.Response unlock(String token) {
    return a.http.post("/api/v1/auth/unlock").json(new JsonObject().put("token", token)).send();
  }

  @Test
  void aLockMailsItsOwnerOnceWithALinkThatEndsIt() {
    Person admin = journeys.newOrgWithRootAdmin("Guarded Ltd");
    Person user = journeys.invite(admin, "USER");
    guess(user.email(), 5);
    assertThat(login(a, user.email(), Journeys.PASSWORD).status()).as("locked").isEqualTo(423);
    // Further attempts on both replicas while locked.
    guess(user.email(), 6);
    TestServer.Mail notice = a.awaitMail(user.email(), "is locked");
    TestServer.sleep(1_500); // two more sweeps on each replica
    assertThat(notices(user.email())).as("one notice per lock: " + notices(user.email()).stream().map(TestServer.Mail::subject).toList())
        .hasSize(1);
    JsonObject me = a.http.get("/api/v1/users/" + user.id()).bearer(admin.accessToken()).send().json();
    assertThat(me.getString("status")).isEqualTo("LOCKED_OUT");
    String lockedUntil = me.getString("lockedUntil");
    assertThat(notice.text()).contains(lockedUntil).contains(TestServer.BASE_URL + "/unlock?token=");
    assertThat(notice.kind()).isEqualTo("unlock");

    // Bad input: nothing unlocks.
    assertThat(unlock("not-a-token").code()).isEqualTo("INVALID_TOKEN");
    assertThat(a.http.post("/api/v1/auth/unlock").json(new JsonObject()).send().code()).isEqualTo("VALIDATION_FAILED");
    assertThat(login(a, user.email(), Journeys.PASSWORD).status()).isEqualTo(423);

    Http.Response unlocked = unlock(notice.token());
    assertThat(unlocked.status()).as(unlocked.toString()).isEqualTo(204);
    assertThat(login(b, user.email(), Journeys.PASSWORD).status()).as("unlocked on every replica").isEqualTo(200);
    assertThat(unlock(notice.token()).code()).as("once").isEqualTo("INVALID_TOKEN");
    JsonArray events = a.http.get("/api/v1/audit-events?userId=" + user.id()).bearer(admin.accessToken()).send().items();
    JsonObject event = events.stream().map(JsonObject.class::cast).filter(e -> "USER_UNLOCKED".equals(e.getString("action")))
        .findFirst().orElseThrow();
    assertThat(event.getString("actorId")).as("the user unlocked it").isEqualTo(user.id());

    // The protection stays: the next five wrong guesses lock it again, and that lock has its own notice.
    guess(user.email(), 4);
    assertThat(login(a, user.email(), Journeys.PASSWORD).status()).as("four are not enough").isEqualTo(200);
    guess(user.email(), 5);
    assertThat(login(a, user.email(), Journeys.PASSWORD).status()).isEqualTo(423);
    long deadline = System.currentTimeMillis() + 10_000;
    while (notices(user.email()).size() < 2 && System.currentTimeMillis() < deadline) {
      TestServer.sleep(100);
    }
    assertThat(notices(user.email())).hasSize(2);
    // An admin's unlock voids the mailed link.
    TestServer.Mail second = notices(user.email()).get(1);
    assertThat(a.http.post("/api/v1/users/" + user.id() + "/unlock").bearer(admin.accessToken()).send().status()).isEqualTo(200);
    assertThat(unlock(second.token()).code()).isEqualTo("INVALID_TOKEN");
  }

  @Test
  void noMailWhenThePolicySaysSoOrThereIsNoAccount() {
    Person admin = journeys.newOrgWithRootAdmin("Quiet Ltd");
    assertThat(a.http.put("/api/v1/organization/password-policy").bearer(admin.accessToken())
        .json(new JsonObject().put("notifyOnLockout", false)).send().status()).isEqualTo(200);
    Person user = journeys.invite(admin, "USER");
    guess(user.email(), 5);
    assertThat(login(a, user.email(), Journeys.PASSWORD).status()).isEqualTo(423);
    String nobody = Journeys.uniqueEmail("nobody");
    guess(nobody, 12);
    assertThat(login(a, nobody, "whatever").status()).as("the unknown email's guard locked").isEqualTo(423);
    TestServer.sleep(2_000);
    assertThat(notices(user.email())).isEmpty();
    assertThat(a.mailCount(nobody)).isZero();
  }

  @Test
  void theLinkExpiresWithTheLock() {
    Person admin = journeys.newOrgWithRootAdmin("Brief Ltd");
    assertThat(a.http.put("/api/v1/organization/password-policy").bearer(admin.accessToken())
        .json(new JsonObject().put("lockoutDuration", "PT2S")).send().status()).isEqualTo(200);
    Person user = journeys.invite(admin, "USER");
    guess(user.email(), 5);
    TestServer.Mail notice = a.awaitMail(user.email(), "is locked");
    TestServer.sleep(2_500);
    assertThat(unlock(notice.token()).code()).isEqualTo("INVALID_TOKEN");
    assertThat(login(a, user.email(), Journeys.PASSWORD).status()).as("the lock ended by itself").isEqualTo(200);
  }
}
