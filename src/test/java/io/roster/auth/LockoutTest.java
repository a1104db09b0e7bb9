package io.roster.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.support.Http;
import io.roster.support.Journeys;
import io.roster.support.Journeys.Person;
import io.roster.support.ServerTest;
import io.roster.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** API.md section 5's lockout rules, under concurrency. */
class LockoutTest extends ServerTest {

  static double verifications() {
    return metric("roster_password_verifications_total");
  }

  static double metric(String name) {
    return server.metric(name);
  }

  static Http.Call login(String email, String password) {
    return http.post("/api/v1/auth/login").json(new JsonObject().put("email", email).put("password", password));
  }

  static Map<Integer, Long> statuses(List<Http.Response> responses) {
    return responses.stream().collect(Collectors.groupingBy(Http.Response::status, Collectors.counting()));
  }

  static Http.Response policy(Person admin, JsonObject changes) {
    Http.Response r = http.put("/api/v1/organization/password-policy").bearer(admin.accessToken()).json(changes).send();
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r;
  }

  static String status(Person admin, String userId) {
    return http.get("/api/v1/users/" + userId).bearer(admin.accessToken()).send().json().getString("status");
  }

  @Test
  void sixtyConcurrentWrongPasswordsVerifyExactlyFiveAndNeverLetTheRightOneIn() {
    Person root = journeys.newOrgWithRootAdmin("Storm Ltd");
    Person victim = journeys.invite(root, "USER");
    double before = verifications();
    double lockedBefore = metric("roster_lockouts_total");

    List<Http.Response> storm = Http.concurrently(60, () -> login(victim.email(), "Wrong-Password-1!"));
    Map<Integer, Long> counts = statuses(storm);
    assertThat(counts).as(counts.toString()).containsOnlyKeys(401, 423);
    assertThat(counts.get(401)).isEqualTo(5);
    assertThat(counts.get(423)).isEqualTo(55);
    assertThat(verifications() - before).isEqualTo(5.0);
    assertThat(metric("roster_lockouts_total") - lockedBefore).isEqualTo(1.0);
    Http.Response locked = storm.stream().filter(r -> r.status() == 423).findFirst().orElseThrow();
    assertThat(locked.code()).isEqualTo("ACCOUNT_LOCKED");
    assertThat(locked.json().getString("lockedUntil")).isNotNull();
    assertThat(Long.parseLong(locked.header("Retry-After"))).isBetween(1L, 600L);
    assertThat(status(root, victim.id())).isEqualTo("LOCKED_OUT");

    // A burst that mixes in the correct password: never a 200 while locked, and no hashing.
    double mid = verifications();
    List<Http.Response> mixed = Http.concurrently(30, new java.util.function.Supplier<>() {
      int i;

      @Override
      public Http.Call get() {
        return login(victim.email(), i++ % 2 == 0 ? Journeys.PASSWORD : "Wrong-Password-1!");
      }
    });
    assertThat(statuses(mixed)).containsOnlyKeys(423);
    assertThat(verifications() - mid).isZero();
    assertThat(server.count("SELECT count(*) FROM audit_events WHERE target_user_id = ?::uuid AND action = 'USER_LOCKED'", victim.id()))
        .isEqualTo(1);
  }

  @Test
  void sixtyFourConcurrentCorrectLoginsAllPassEvenWithOneAllowedFailure() {
    Person root = journeys.newOrgWithRootAdmin("Load Testers Inc");
    Person shared = journeys.invite(root, "USER");
    policy(root, new JsonObject().put("maxFailedAttempts", 1));
    List<Http.Response> burst = Http.concurrently(64, () -> login(shared.email(), Journeys.PASSWORD));
    assertThat(statuses(burst)).as(statuses(burst).toString()).containsOnly(Map.entry(200, 64L));
    assertThat(burst).allSatisfy(r -> assertThat(r.json().getString("status")).isEqualTo("MFA_REQUIRED"));
    assertThat(status(root, shared.id())).isEqualTo("ACTIVE");
  }

  @Test
  void unknownEmailsAnswerExactlyLikeAnExistingAccount() {
    Person root = journeys.newOrgWithRootAdmin("Enumeration GmbH");
    Person real = journeys.invite(root, "USER");
    String ghost = Journeys.uniqueEmail("ghost");
    for (int i = 1; i <= 6; i++) {
      Http.Response a = login(real.email(), "Wrong-Password-1!").send();
      Http.Response b = login(ghost, "Wrong-Password-1!").send();
      assertThat(b.status()).as("attempt " + i).isEqualTo(a.status());
      assertThat(b.code()).isEqualTo(a.code());
      assertThat(b.json().fieldNames()).isEqualTo(a.json().fieldNames());
      assertThat(b.json().getString("detail")).isEqualTo(a.json().getString("detail"));
      assertThat(b.header("Retry-After") != null).isEqualTo(a.header("Retry-After") != null);
      assertThat(b.header("Content-Type")).isEqualTo(a.header("Content-Type"));
      assertThat(a.status()).isEqualTo(i <= 5 ? 401 : 423);
    }
  }

  @Test
  void anyStringIsAnUnknownIdentifierNotABadRequest() {
    for (int i = 1; i <= 6; i++) {
      Http.Response r = login("nobody@localhost", "Wrong-Password-1!").send();
      assertThat(r.status()).as("attempt " + i).isEqualTo(i <= 5 ? 401 : 423);
    }
    assertThat(login("not an email at all", "x").send().code()).isEqualTo("INVALID_CREDENTIALS");
    Http.Response forgot = http.post("/api/v1/auth/password/forgot").json(new JsonObject().put("email", "not an email")).send();
    assertThat(forgot.status()).isEqualTo(202);
  }

  @Test
  void aLockEndsByItselfAndTheUnlockIsAuditedOnce() {
    Person root = journeys.newOrgWithRootAdmin("Short Locks");
    Person user = journeys.invite(root, "USER");
    policy(root, new JsonObject().put("maxFailedAttempts", 2).put("lockoutDuration", "PT2S"));
    login(user.email(), "Wrong-Password-1!").send();
    Http.Response second = login(user.email(), "Wrong-Password-1!").send();
    assertThat(second.status()).isEqualTo(401);
    Http.Response locked = login(user.email(), Journeys.PASSWORD).send();
    assertThat(locked.status()).isEqualTo(423);
    assertThat(locked.header("Retry-After")).isIn("1", "2");
    JsonObject shown = http.get("/api/v1/users/" + user.id()).bearer(root.accessToken()).send().json();
    assertThat(shown.getString("status")).isEqualTo("LOCKED_OUT");
    assertThat(shown.getString("lockedUntil")).isNotNull();

    long deadline = System.currentTimeMillis() + 4_000;
    while (!"ACTIVE".equals(status(root, user.id()))) {
      assertThat(System.currentTimeMillis()).as("unlocked without an admin").isLessThan(deadline);
      TestServer.sleep(100);
    }
    TestServer.sleep(800);
    assertThat(server.count("SELECT count(*) FROM audit_events WHERE target_user_id = ?::uuid AND action = 'USER_AUTO_UNLOCKED'", user.id()))
        .isEqualTo(1);
    Http.Response events = http.get("/api/v1/audit-events?userId=" + user.id()).bearer(root.accessToken()).send();
    JsonObject unlock = events.items().stream().map(JsonObject.class::cast)
        .filter(e -> e.getString("action").equals("USER_AUTO_UNLOCKED")).findFirst().orElseThrow();
    assertThat(unlock.getString("actorId")).isNull();
    assertThat(login(user.email(), Journeys.PASSWORD).send().status()).isEqualTo(200);
  }

  @Test
  void hiddenLocksAnswerInvalidCredentials() {
    Person root = journeys.newOrgWithRootAdmin("Quiet Locks");
    Person user = journeys.invite(root, "USER");
    policy(root, new JsonObject().put("maxFailedAttempts", 1).put("revealLockout", false));
    assertThat(login(user.email(), "Wrong-Password-1!").send().status()).isEqualTo(401);
    Http.Response r = login(user.email(), Journeys.PASSWORD).send();
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.code()).isEqualTo("INVALID_CREDENTIALS");
    assertThat(r.header("Retry-After")).isNull();
    assertThat(status(root, user.id())).isEqualTo("LOCKED_OUT");
  }

  @Test
  void wrongTotpCodesCountAndALockedAccountRefusesTheMfaToken() {
    Person root = journeys.newOrgWithRootAdmin("Code Guessers");
    Person user = journeys.invite(root, "USER");
    policy(root, new JsonObject().put("maxFailedAttempts", 2));
    String mfaToken = login(user.email(), Journeys.PASSWORD).send().json().getString("mfaToken");
    Function<String, Http.Response> verify = code -> http.post("/api/v1/auth/mfa/verify")
        .json(new JsonObject().put("mfaToken", mfaToken).put("code", code)).send();
    assertThat(verify.apply("000000").code()).isEqualTo("INVALID_MFA_CODE");
    assertThat(verify.apply("000001").code()).isEqualTo("INVALID_MFA_CODE");
    Http.Response locked = verify.apply(journeys.nextCode(user.secret()));
    assertThat(locked.status()).isEqualTo(423);
    assertThat(locked.code()).isEqualTo("ACCOUNT_LOCKED");
    assertThat(status(root, user.id())).isEqualTo("LOCKED_OUT");
  }

  @Test
  void onlyACompleteLoginResetsTheFailureCount() {
    Person root = journeys.newOrgWithRootAdmin("Counting Co");
    Person user = journeys.invite(root, "USER");
    for (int i = 0; i < 4; i++) {
      assertThat(login(user.email(), "Wrong-Password-1!").send().status()).isEqualTo(401);
    }
    // A correct password alone does not reset the count...
    assertThat(login(user.email(), Journeys.PASSWORD).send().status()).isEqualTo(200);
    // ...password and TOTP do.
    journeys.login(user.email(), Journeys.PASSWORD, user.secret());
    for (int i = 0; i < 4; i++) {
      assertThat(login(user.email(), "Wrong-Password-1!").send().status()).isEqualTo(401);
    }
    assertThat(status(root, user.id())).isEqualTo("ACTIVE");
  }

  @Test
  void forgotAndResetPasswordClearALock() {
    Person root = journeys.newOrgWithRootAdmin("Forgetful AG");
    Person user = journeys.invite(root, "USER");
    policy(root, new JsonObject().put("maxFailedAttempts", 1));
    login(user.email(), "Wrong-Password-1!").send();
    assertThat(status(root, user.id())).isEqualTo("LOCKED_OUT");

    Http.Response known = http.post("/api/v1/auth/password/forgot").json(new JsonObject().put("email", user.email())).send();
    Http.Response unknown = http.post("/api/v1/auth/password/forgot").json(new JsonObject().put("email", Journeys.uniqueEmail("nobody"))).send();
    assertThat(known.status()).isEqualTo(202);
    assertThat(unknown.status()).isEqualTo(202);
    assertThat(unknown.body()).isEqualTo(known.body());

    TestServer.Mail mail = server.awaitMail(user.email(), "reset");
    assertThat(mail.kind()).isEqualTo("reset-password");
    String fresh = "Brand-New-Pass-77?";
    Http.Response weak = http.post("/api/v1/auth/password/reset").json(new JsonObject().put("token", mail.token()).put("password", "weak")).send();
    assertThat(weak.code()).isEqualTo("PASSWORD_POLICY");
    Http.Response reset = http.post("/api/v1/auth/password/reset").json(new JsonObject().put("token", mail.token()).put("password", fresh)).send();
    assertThat(reset.status()).as(reset.toString()).isEqualTo(204);
    assertThat(status(root, user.id())).isEqualTo("ACTIVE");
    assertThat(http.get("/api/v1/me").bearer(user.accessToken()).send().status()).as("sessions revoked").isEqualTo(401);
    assertThat(login(user.email(), fresh).send().status()).isEqualTo(200);
    assertThat(http.post("/api/v1/auth/password/reset").json(new JsonObject().put("token", mail.token()).put("password", fresh)).send().code())
        .isEqualTo("INVALID_TOKEN");
  }

  @Test
  void deactivatedAccountsAreRefusedOnlyAfterACorrectPassword() {
    Person root = journeys.newOrgWithRootAdmin("Gone Ltd");
    Person user = journeys.invite(root, "USER");
    assertThat(http.post("/api/v1/users/" + user.id() + "/deactivate").bearer(root.accessToken()).send().status()).isEqualTo(200);
    assertThat(login(user.email(), "Wrong-Password-1!").send().code()).isEqualTo("INVALID_CREDENTIALS");
    Http.Response r = login(user.email(), Journeys.PASSWORD).send();
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.code()).isEqualTo("ACCOUNT_DEACTIVATED");
  }

  @Test
  void passwordPolicyRangesAreChecked() {
    Person root = journeys.newOrgWithRootAdmin("Policy Ranges");
    JsonObject defaults = http.get("/api/v1/organization/password-policy").bearer(root.accessToken()).send().json();
    assertThat(defaults).isEqualTo(new JsonObject().put("minLength", 12).put("requireUppercase", true).put("requireLowercase", true)
        .put("requireDigit", true).put("requireSymbol", true).put("maxFailedAttempts", 5).put("lockoutDuration", "PT10M")
        .put("revealLockout", true).put("notifyOnLockout", true).put("passwordHistory", 5).put("rejectCommonPasswords", true));
    for (JsonObject bad : List.of(new JsonObject().put("minLength", 7), new JsonObject().put("minLength", 65),
        new JsonObject().put("maxFailedAttempts", 0), new JsonObject().put("maxFailedAttempts", 101),
        new JsonObject().put("lockoutDuration", "PT0S"), new JsonObject().put("lockoutDuration", "P2D"),
        new JsonObject().put("lockoutDuration", "ten minutes"), new JsonObject().put("requireDigit", "yes"),
        new JsonObject().put("notifyOnLockout", 1), new JsonObject().put("rejectCommonPasswords", "no"),
        new JsonObject().put("passwordHistory", 2.5))) {
      Http.Response r = http.put("/api/v1/organization/password-policy").bearer(root.accessToken()).json(bad).send();
      assertThat(r.status()).as(bad.encode()).isEqualTo(400);
      assertThat(r.code()).isEqualTo("VALIDATION_FAILED");
    }
    assertThat(http.get("/api/v1/organization/password-policy").bearer(root.accessToken()).send().json()).isEqualTo(defaults);
    JsonObject changed = policy(root, new JsonObject().put("minLength", 8).put("lockoutDuration", "PT1S")).json();
    assertThat(changed.getInteger("minLength")).isEqualTo(8);
    assertThat(changed.getString("lockoutDuration")).isEqualTo("PT1S");
    Person user = journeys.invite(root, "USER");
    assertThat(http.get("/api/v1/organization/password-policy").bearer(user.accessToken()).send().status()).isEqualTo(403);
  }
}
