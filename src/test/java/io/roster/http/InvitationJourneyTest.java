package io.roster.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.domain.Totp;
import io.roster.support.Http;
import io.roster.support.Journeys;
import io.roster.support.Journeys.Person;
import io.roster.support.ServerTest;
import io.roster.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Issue 2's journey end to end over HTTP, with the links read from real mails and real TOTP codes. */
class InvitationJourneyTest extends ServerTest {

  @Test
  void fromInvitationToAnActiveUserWhoSignsInWithTotp() {
    Journeys.Org org = journeys.newOrg("Journey Inc");
    TestServer.Mail rootMail = server.awaitMail(org.rootEmail(), "invitation");
    assertThat(rootMail.from()).isEqualTo("roster@example.test");
    assertThat(rootMail.text()).contains(TestServer.BASE_URL + "/invitation?token=" + rootMail.token());
    assertThat(rootMail.html()).contains("/invitation?token=");

    Person root = journeys.acceptAndEnroll(org.rootEmail(), Journeys.PASSWORD);
    JsonObject me = http.get("/api/v1/me").bearer(root.accessToken()).send().json();
    assertThat(me.getString("status")).isEqualTo("ACTIVE");
    assertThat(me.getBoolean("rootAdmin")).isTrue();
    assertThat(me.getString("role")).isEqualTo("ADMIN");
    assertThat(me.getBoolean("twoFactorEnrolled")).isTrue();
    assertThat(me.getString("lastLoginAt")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");

    // The admin invites Bob; Bob is INVITED until his first verified code.
    JsonObject bob = journeys.create(root, "  Bob.Builder@Example.TEST ", "USER");
    assertThat(bob.getString("email")).isEqualTo("bob.builder@example.test");
    assertThat(bob.getString("status")).isEqualTo("INVITED");
    assertThat(bob.getBoolean("rootAdmin")).isFalse();

    TestServer.Mail mail = server.awaitMail("bob.builder@example.test", "invitation");
    Http.Response accepted = http.post("/api/v1/invitations/accept")
        .json(new JsonObject().put("token", mail.token()).put("password", Journeys.PASSWORD)).send();
    assertThat(accepted.json().getString("status")).isEqualTo("MFA_ENROLLMENT_REQUIRED");
    assertThat(userStatus(root, bob.getString("id"))).isEqualTo("INVITED");

    // Signing in before enrolling asks for enrolment again.
    Http.Response early = journeys.passwordStep("bob.builder@example.test", Journeys.PASSWORD);
    assertThat(early.status()).isEqualTo(200);
    assertThat(early.json().getString("status")).isEqualTo("MFA_ENROLLMENT_REQUIRED");

    String mfaToken = early.json().getString("mfaToken");
    JsonObject enrolment = http.post("/api/v1/auth/mfa/enroll").json(new JsonObject().put("mfaToken", mfaToken)).send().json();
    assertThat(enrolment.getString("otpauthUri")).startsWith("otpauth://totp/").contains("secret=" + enrolment.getString("secret"));
    Http.Response tokens = journeys.verify(mfaToken, enrolment.getString("secret"));
    assertThat(tokens.status()).as(tokens.toString()).isEqualTo(200);
    assertThat(tokens.json().getString("tokenType")).isEqualTo("Bearer");
    assertThat(tokens.json().getLong("expiresIn")).isEqualTo(900L);
    assertThat(userStatus(root, bob.getString("id"))).isEqualTo("ACTIVE");

    // Later sign-ins are password, then TOTP; the secret is never shown again.
    Person again = journeys.login("bob.builder@example.test", Journeys.PASSWORD, enrolment.getString("secret"));
    JsonObject bobMe = http.get("/api/v1/me").bearer(again.accessToken()).send().json();
    assertThat(bobMe.encode()).doesNotContain(enrolment.getString("secret"));
    Http.Response reenrol = http.post("/api/v1/auth/mfa/enroll")
        .json(new JsonObject().put("mfaToken", journeys.passwordStep("bob.builder@example.test", Journeys.PASSWORD).json().getString("mfaToken")))
        .send();
    assertThat(reenrol.status()).isEqualTo(409);

    // Bob edits his own names.
    Http.Response patched = http.patch("/api/v1/me").bearer(again.accessToken())
        .json(new JsonObject().put("firstName", "  Robert ").put("lastName", "Builder")).send();
    assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
    assertThat(patched.json().getString("firstName")).isEqualTo("Robert");
    assertThat(patched.json().getInteger("version")).isGreaterThan(bobMe.getInteger("version"));
    assertThat(patched.json().getJsonArray("permissions")).isNotNull();
  }

  @Test
  void meReturnsThePermissionsTableForEveryRole() {
    Person root = journeys.newOrgWithRootAdmin("Perms Ltd");
    assertThat(permissions(root)).isEqualTo(io.roster.domain.RoleTest.adminPermissions());
    assertThat(permissions(journeys.invite(root, "ADMIN"))).isEqualTo(io.roster.domain.RoleTest.adminPermissions());
    assertThat(permissions(journeys.invite(root, "BILLING_AND_PURCHASING"))).isEqualTo(io.roster.domain.RoleTest.billingPermissions());
    assertThat(permissions(journeys.invite(root, "USER"))).isEqualTo(io.roster.domain.RoleTest.userPermissions());
    assertThat(permissions(journeys.invite(root, "CO_MANAGED_USER"))).isEqualTo(io.roster.domain.RoleTest.coManagedPermissions());
  }

  @Test
  void anInvitationLinkWorksOnceAndNotAfterItExpires() {
    Person root = journeys.newOrgWithRootAdmin("Links Co");
    String email = Journeys.uniqueEmail("once");
    journeys.create(root, email, "USER");
    String token = server.awaitMail(email, "invitation").token();
    JsonObject body = new JsonObject().put("token", token).put("password", Journeys.PASSWORD);
    assertThat(http.post("/api/v1/invitations/accept").json(body).send().status()).isEqualTo(200);
    Http.Response reused = http.post("/api/v1/invitations/accept").json(body).send();
    assertThat(reused.status()).isEqualTo(400);
    assertThat(reused.code()).isEqualTo("INVALID_TOKEN");

    String late = Journeys.uniqueEmail("late");
    journeys.create(root, late, "USER");
    String lateToken = server.awaitMail(late, "invitation").token();
    server.sql("UPDATE action_tokens SET expires_at = now() - interval '1 second' WHERE user_id = (SELECT id FROM users WHERE email = ?)", late);
    Http.Response expired = http.post("/api/v1/invitations/accept")
        .json(new JsonObject().put("token", lateToken).put("password", Journeys.PASSWORD)).send();
    assertThat(expired.status()).isEqualTo(400);
    assertThat(expired.code()).isEqualTo("INVALID_TOKEN");

    Http.Response garbage = http.post("/api/v1/invitations/accept")
        .json(new JsonObject().put("token", "not-a-token").put("password", Journeys.PASSWORD)).send();
    assertThat(garbage.status()).isEqualTo(400);
    assertThat(garbage.code()).isEqualTo("INVALID_TOKEN");
  }

  @Test
  void everyPasswordRuleIsEnforcedAndTheLinkSurvivesARefusal() {
    Person root = journeys.newOrgWithRootAdmin("Policy Corp");
    String email = Journeys.uniqueEmail("policy");
    journeys.create(root, email, "USER");
    String token = server.awaitMail(email, "invitation").token();
    String local = email.substring(0, email.indexOf('@'));
    String[][] cases = {
        {"Sh0rt-pw!", "minLength"},
        {"no-uppercase-42!", "requireUppercase"},
        {"NO-LOWERCASE-42!", "requireLowercase"},
        {"No-Digits-Here!!", "requireDigit"},
        {"NoSymbolsHere42", "requireSymbol"},
        {"Xx1!" + local.toUpperCase() + "-42", "notContainEmail"},
        {"Xx1!".repeat(33), "maxLength"}};
    for (String[] c : cases) {
      Http.Response r = http.post("/api/v1/invitations/accept").json(new JsonObject().put("token", token).put("password", c[0])).send();
      assertThat(r.status()).as(c[1] + ": " + r).isEqualTo(400);
      assertThat(r.code()).isEqualTo("PASSWORD_POLICY");
      assertThat(r.json().getJsonArray("errors").encode()).contains(c[1]);
    }
    Http.Response ok = http.post("/api/v1/invitations/accept").json(new JsonObject().put("token", token).put("password", Journeys.PASSWORD)).send();
    assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
  }

  @Test
  void wrongAndReplayedCodesAreRefusedWithoutSpendingTheMfaToken() {
    Person root = journeys.newOrgWithRootAdmin("Codes AG");
    String mfaToken = journeys.passwordStep(root.email(), Journeys.PASSWORD).json().getString("mfaToken");
    long step = Totp.step(Instant.now());
    String wrong = Totp.code(root.secret(), step + 5);
    Http.Response bad = http.post("/api/v1/auth/mfa/verify").json(new JsonObject().put("mfaToken", mfaToken).put("code", wrong)).send();
    assertThat(bad.status()).isEqualTo(401);
    assertThat(bad.code()).isEqualTo("INVALID_MFA_CODE");

    // The same mfaToken still works with a good code, once.
    String good = journeys.nextCode(root.secret());
    Http.Response ok = http.post("/api/v1/auth/mfa/verify").json(new JsonObject().put("mfaToken", mfaToken).put("code", good)).send();
    assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
    Http.Response spent = http.post("/api/v1/auth/mfa/verify").json(new JsonObject().put("mfaToken", mfaToken).put("code", good)).send();
    assertThat(spent.status()).isEqualTo(401);
    assertThat(spent.code()).isEqualTo("INVALID_TOKEN");

    // The code just used is refused in a new sign-in: a code works once.
    String second = journeys.passwordStep(root.email(), Journeys.PASSWORD).json().getString("mfaToken");
    Http.Response replay = http.post("/api/v1/auth/mfa/verify").json(new JsonObject().put("mfaToken", second).put("code", good)).send();
    assertThat(replay.status()).isEqualTo(401);
    assertThat(replay.code()).isEqualTo("INVALID_MFA_CODE");
  }

  @Test
  void anInvitedUserWithoutAPasswordCannotSignIn() {
    Person root = journeys.newOrgWithRootAdmin("Pending SA");
    String email = Journeys.uniqueEmail("pending");
    journeys.create(root, email, "USER");
    Http.Response r = journeys.passwordStep(email, "Whatever-Pass-1!");
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.code()).isEqualTo("INVALID_CREDENTIALS");
  }

  @Test
  void usersOfAnotherOrganizationAreNotFoundAndNonAdminsAreForbidden() {
    Person a = journeys.newOrgWithRootAdmin("Tenant A");
    Person b = journeys.newOrgWithRootAdmin("Tenant B");
    Http.Response cross = http.get("/api/v1/users/" + b.id()).bearer(a.accessToken()).send();
    assertThat(cross.status()).isEqualTo(404);
    assertThat(cross.code()).isEqualTo("NOT_FOUND");
    assertThat(http.get("/api/v1/users").bearer(a.accessToken()).send().items().encode()).doesNotContain(b.email());

    Http.Response own = http.get("/api/v1/users/" + a.id()).bearer(a.accessToken()).send();
    assertThat(own.status()).isEqualTo(200);
    assertThat(own.header("ETag")).isEqualTo("\"" + own.json().getInteger("version") + "\"");

    Person user = journeys.invite(a, "USER");
    Http.Response forbidden = http.get("/api/v1/users").bearer(user.accessToken()).send();
    assertThat(forbidden.status()).isEqualTo(403);
    assertThat(forbidden.code()).isEqualTo("FORBIDDEN");
    assertThat(http.post("/api/v1/users").bearer(user.accessToken())
        .json(new JsonObject().put("email", "x@example.test").put("firstName", "X").put("lastName", "Y").put("role", "ADMIN"))
        .send().status()).isEqualTo(403);
  }

  @Test
  void ownProfileEditsRefuseRoleEmailAndStatus() {
    Person root = journeys.newOrgWithRootAdmin("Self Serve");
    for (String field : new String[] {"role", "email", "status"}) {
      Http.Response r = http.patch("/api/v1/me").bearer(root.accessToken()).json(new JsonObject().put(field, "ADMIN")).send();
      assertThat(r.status()).as(field).isEqualTo(403);
      assertThat(r.code()).isEqualTo("FORBIDDEN");
    }
  }

  @Test
  void emailsAreOneAccountAcrossOrganizations() {
    Person a = journeys.newOrgWithRootAdmin("Unique One");
    Person b = journeys.newOrgWithRootAdmin("Unique Two");
    String email = Journeys.uniqueEmail("dup");
    journeys.create(a, email, "USER");
    Http.Response taken = http.post("/api/v1/users").bearer(b.accessToken())
        .json(new JsonObject().put("email", email.toUpperCase()).put("firstName", "D").put("lastName", "U").put("role", "USER")).send();
    assertThat(taken.status()).isEqualTo(409);
    assertThat(taken.code()).isEqualTo("EMAIL_TAKEN");
  }

  private static String userStatus(Person admin, String id) {
    return http.get("/api/v1/users/" + id).bearer(admin.accessToken()).send().json().getString("status");
  }

  private static java.util.List<Object> permissions(Person p) {
    return http.get("/api/v1/me").bearer(p.accessToken()).send().json().getJsonArray("permissions").getList();
  }
}
