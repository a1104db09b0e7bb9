package io.roster.users;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.support.Http;
import io.roster.support.Journeys;
import io.roster.support.Journeys.Person;
import io.roster.support.ServerTest;
import io.roster.support.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every admin action of API.md section 7, its guards, and what it does to sessions and links. */
class LifecycleTest extends ServerTest {

  static Http.Response act(Person admin, String userId, String action) {
    return http.post("/api/v1/users/" + userId + "/" + action).bearer(admin.accessToken()).send();
  }

  static JsonObject user(Person admin, String userId) {
    return http.get("/api/v1/users/" + userId).bearer(admin.accessToken()).send().json();
  }

  static void assertRefused(Http.Response r, int status, String code) {
    assertThat(r.status()).as(r.toString()).isEqualTo(status);
    assertThat(r.code()).isEqualTo(code);
  }

  static boolean tokenWorks(String accessToken) {
    return http.get("/api/v1/me").bearer(accessToken).send().status() == 200;
  }

  @Test
  void deactivateRevokesAtOnceAndActivateStartsOver() {
    Person root = journeys.newOrgWithRootAdmin("Lifecycle One");
    Person user = journeys.invite(root, "USER");
    assertThat(tokenWorks(user.accessToken())).isTrue();

    Http.Response off = act(root, user.id(), "deactivate");
    assertThat(off.status()).isEqualTo(200);
    assertThat(off.json().getString("status")).isEqualTo("DEACTIVATED");
    assertThat(off.json().getString("deactivationReason")).isEqualTo("ADMIN");
    assertThat(tokenWorks(user.accessToken())).as("refused from the moment the call returns").isFalse();
    assertThat(http.post("/api/v1/auth/refresh").json(new JsonObject().put("refreshToken", user.refreshToken())).send().status())
        .isEqualTo(401);
    assertRefused(act(root, user.id(), "deactivate"), 409, "INVALID_STATUS_TRANSITION");
    assertRefused(act(root, user.id(), "unlock"), 409, "INVALID_STATUS_TRANSITION");
    assertRefused(act(root, user.id(), "reset-password"), 409, "INVALID_STATUS_TRANSITION");

    Http.Response on = act(root, user.id(), "activate");
    assertThat(on.status()).isEqualTo(200);
    assertThat(on.json().getString("status")).isEqualTo("ACTIVE");
    assertThat(on.json().getBoolean("twoFactorEnrolled")).isFalse();
    assertThat(on.json().getString("deactivationReason")).isNull();
    assertThat(on.json().getString("role")).isEqualTo("USER");
    assertRefused(act(root, user.id(), "activate"), 409, "INVALID_STATUS_TRANSITION");
    assertThat(journeys.passwordStep(user.email(), Journeys.PASSWORD).status()).as("old password cleared").isEqualTo(401);

    TestServer.Mail mail = server.awaitMail(user.email(), "reset");
    String fresh = "Second-Life-Pass-9!";
    assertThat(http.post("/api/v1/auth/password/reset").json(new JsonObject().put("token", mail.token()).put("password", fresh))
        .send().status()).isEqualTo(204);
    Http.Response login = journeys.passwordStep(user.email(), fresh);
    assertThat(login.json().getString("status")).isEqualTo("MFA_ENROLLMENT_REQUIRED");
  }

  @Test
  void rootAdminAndSelfAreProtected() {
    Person root = journeys.newOrgWithRootAdmin("Protected Co");
    Person admin = journeys.invite(root, "ADMIN");
    assertRefused(act(admin, root.id(), "deactivate"), 409, "ROOT_ADMIN_PROTECTED");
    assertRefused(http.delete("/api/v1/users/" + root.id()).bearer(admin.accessToken()).send(), 409, "ROOT_ADMIN_PROTECTED");
    assertRefused(http.patch("/api/v1/users/" + root.id()).bearer(admin.accessToken()).json(new JsonObject().put("role", "USER")).send(),
        409, "ROOT_ADMIN_PROTECTED");
    assertRefused(act(root, root.id(), "deactivate"), 409, "ROOT_ADMIN_PROTECTED");
    assertRefused(http.delete("/api/v1/users/" + root.id()).bearer(root.accessToken()).send(), 409, "ROOT_ADMIN_PROTECTED");
    assertRefused(http.patch("/api/v1/users/" + root.id()).bearer(root.accessToken()).json(new JsonObject().put("role", "USER")).send(),
        409, "ROOT_ADMIN_PROTECTED");
    assertRefused(act(admin, admin.id(), "deactivate"), 409, "SELF_ACTION_FORBIDDEN");
    assertRefused(http.delete("/api/v1/users/" + admin.id()).bearer(admin.accessToken()).send(), 409, "SELF_ACTION_FORBIDDEN");
    // Renaming the Root Admin, or "changing" the role to what it is, is fine; nobody can grant rootAdmin.
    assertThat(http.patch("/api/v1/users/" + root.id()).bearer(admin.accessToken())
        .json(new JsonObject().put("firstName", "Rhea").put("role", "ADMIN")).send().status()).isEqualTo(200);
    assertRefused(http.patch("/api/v1/users/" + admin.id()).bearer(root.accessToken()).json(new JsonObject().put("rootAdmin", true))
        .send(), 409, "ROOT_ADMIN_PROTECTED");
    // A client that sends back the user it read, rootAdmin included, is fine.
    JsonObject read = user(root, admin.id());
    Http.Response echoed = http.patch("/api/v1/users/" + admin.id()).bearer(root.accessToken())
        .json(new JsonObject().put("firstName", "Echo").put("rootAdmin", read.getBoolean("rootAdmin")).put("role", read.getString("role"))).send();
    assertThat(echoed.status()).as(echoed.toString()).isEqualTo(200);
    assertThat(echoed.json().getBoolean("rootAdmin")).isFalse();
    // The database refuses it too, whatever the code does.
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> server.sql("DELETE FROM users WHERE id = ?::uuid", root.id()))
        .isInstanceOf(IllegalStateException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> server.sql("UPDATE users SET status = 'DEACTIVATED' WHERE id = ?::uuid", root.id())).isInstanceOf(IllegalStateException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> server.sql("UPDATE users SET root_admin = true WHERE id = ?::uuid", admin.id())).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void deactivatingAnInvitedUserVoidsTheLinkAndDeactivatingALockedUserClearsTheLock() {
    Person root = journeys.newOrgWithRootAdmin("Voids Inc");
    String email = Journeys.uniqueEmail("invitee");
    JsonObject invited = journeys.create(root, email, "USER");
    String token = server.awaitMail(email, "invitation").token();
    assertThat(act(root, invited.getString("id"), "deactivate").status()).isEqualTo(200);
    assertRefused(http.post("/api/v1/invitations/accept").json(new JsonObject().put("token", token).put("password", Journeys.PASSWORD)).send(),
        400, "INVALID_TOKEN");

    Person locked = journeys.invite(root, "USER");
    http.put("/api/v1/organization/password-policy").bearer(root.accessToken()).json(new JsonObject().put("maxFailedAttempts", 1)).send();
    journeys.passwordStep(locked.email(), "Wrong-Password-1!");
    assertThat(user(root, locked.id()).getString("status")).isEqualTo("LOCKED_OUT");
    Http.Response off = act(root, locked.id(), "deactivate");
    assertThat(off.json().getString("status")).isEqualTo("DEACTIVATED");
    assertThat(off.json().getString("lockedUntil")).isNull();
    assertRefused(journeys.passwordStep(locked.email(), Journeys.PASSWORD), 403, "ACCOUNT_DEACTIVATED");
    Http.Response on = act(root, locked.id(), "activate");
    assertThat(on.json().getString("status")).isEqualTo("ACTIVE");
    assertThat(on.json().getString("lockedUntil")).isNull();
  }

  @Test
  void unlockResetPasswordAndReset2fa() {
    Person root = journeys.newOrgWithRootAdmin("Helpdesk Ltd");
    Person user = journeys.invite(root, "USER");
    http.put("/api/v1/organization/password-policy").bearer(root.accessToken()).json(new JsonObject().put("maxFailedAttempts", 1)).send();
    assertRefused(act(root, user.id(), "unlock"), 409, "INVALID_STATUS_TRANSITION");
    journeys.passwordStep(user.email(), "Wrong-Password-1!");
    Http.Response unlocked = act(root, user.id(), "unlock");
    assertThat(unlocked.status()).isEqualTo(200);
    assertThat(unlocked.json().getString("status")).isEqualTo("ACTIVE");
    Person again = journeys.login(user.email(), Journeys.PASSWORD, user.secret());

    Http.Response reset2fa = act(root, user.id(), "reset-2fa");
    assertThat(reset2fa.status()).isEqualTo(200);
    assertThat(reset2fa.json().getBoolean("twoFactorEnrolled")).isFalse();
    assertThat(tokenWorks(again.accessToken())).isFalse();
    assertThat(journeys.passwordStep(user.email(), Journeys.PASSWORD).json().getString("status")).isEqualTo("MFA_ENROLLMENT_REQUIRED");

    Http.Response reset = act(root, user.id(), "reset-password");
    assertThat(reset.status()).isEqualTo(202);
    assertThat(journeys.passwordStep(user.email(), Journeys.PASSWORD).status()).as("old password stops working").isEqualTo(401);
    assertThat(server.awaitMail(user.email(), "reset").kind()).isEqualTo("reset-password");

    String email = Journeys.uniqueEmail("pending");
    JsonObject invited = journeys.create(root, email, "USER");
    assertRefused(act(root, invited.getString("id"), "reset-password"), 409, "INVALID_STATUS_TRANSITION");
  }

  @Test
  void resendInvitationVoidsEarlierLinks() {
    Person root = journeys.newOrgWithRootAdmin("Resend Co");
    String email = Journeys.uniqueEmail("slow");
    JsonObject invited = journeys.create(root, email, "USER");
    String first = server.awaitMail(email, "invitation").token();
    assertThat(act(root, invited.getString("id"), "resend-invitation").status()).isEqualTo(202);
    long deadline = System.currentTimeMillis() + 10_000;
    while (server.mailCount(email) < 2) {
      assertThat(System.currentTimeMillis()).isLessThan(deadline);
      TestServer.sleep(50);
    }
    String second = server.awaitMail(email, "invitation").token();
    assertThat(second).isNotEqualTo(first);
    assertRefused(http.post("/api/v1/invitations/accept").json(new JsonObject().put("token", first).put("password", Journeys.PASSWORD)).send(),
        400, "INVALID_TOKEN");
    assertThat(http.post("/api/v1/invitations/accept").json(new JsonObject().put("token", second).put("password", Journeys.PASSWORD))
        .send().status()).isEqualTo(200);
    Person active = journeys.invite(root, "USER");
    assertRefused(act(root, active.id(), "resend-invitation"), 409, "INVALID_STATUS_TRANSITION");
  }

  @Test
  void deleteRevokesAndFreesTheEmail() {
    Person root = journeys.newOrgWithRootAdmin("Delete Co");
    Person user = journeys.invite(root, "USER");
    assertThat(http.delete("/api/v1/users/" + user.id()).bearer(root.accessToken()).send().status()).isEqualTo(204);
    assertThat(tokenWorks(user.accessToken())).isFalse();
    assertThat(http.get("/api/v1/users/" + user.id()).bearer(root.accessToken()).send().status()).isEqualTo(404);
    assertThat(http.delete("/api/v1/users/" + user.id()).bearer(root.accessToken()).send().status()).isEqualTo(404);
    assertThat(journeys.create(root, user.email(), "USER").getString("status")).isEqualTo("INVITED");
  }

  @Test
  void patchHonoursIfMatchAndReinvitesAtANewEmail() {
    Person root = journeys.newOrgWithRootAdmin("Edit Co");
    String email = Journeys.uniqueEmail("typo");
    JsonObject invited = journeys.create(root, email, "USER");
    String oldLink = server.awaitMail(email, "invitation").token();
    Http.Response got = http.get("/api/v1/users/" + invited.getString("id")).bearer(root.accessToken()).send();
    String etag = got.header("ETag");

    Http.Response stale = http.patch("/api/v1/users/" + invited.getString("id")).bearer(root.accessToken())
        .header("If-Match", "\"999\"").json(new JsonObject().put("firstName", "Never")).send();
    assertRefused(stale, 412, "VERSION_CONFLICT");

    String fixed = Journeys.uniqueEmail("fixed");
    Http.Response ok = http.patch("/api/v1/users/" + invited.getString("id")).bearer(root.accessToken()).header("If-Match", etag)
        .json(new JsonObject().put("email", fixed.toUpperCase()).put("role", "BILLING_AND_PURCHASING")
            .put("groups", new JsonArray().add("sales").add("emea")))
        .send();
    assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
    assertThat(ok.json().getString("email")).isEqualTo(fixed);
    assertThat(ok.json().getString("role")).isEqualTo("BILLING_AND_PURCHASING");
    assertThat(ok.json().getJsonArray("groups").getList()).containsExactly("sales", "emea");
    assertThat(ok.json().getInteger("version")).isEqualTo(got.json().getInteger("version") + 1);
    Http.Response reused = http.patch("/api/v1/users/" + invited.getString("id")).bearer(root.accessToken()).header("If-Match", etag)
        .json(new JsonObject().put("firstName", "Late")).send();
    assertRefused(reused, 412, "VERSION_CONFLICT");

    String newLink = server.awaitMail(fixed, "invitation").token();
    assertRefused(http.post("/api/v1/invitations/accept").json(new JsonObject().put("token", oldLink).put("password", Journeys.PASSWORD)).send(),
        400, "INVALID_TOKEN");
    assertThat(http.post("/api/v1/invitations/accept").json(new JsonObject().put("token", newLink).put("password", Journeys.PASSWORD))
        .send().status()).isEqualTo(200);

    Person other = journeys.invite(root, "USER");
    assertRefused(http.patch("/api/v1/users/" + invited.getString("id")).bearer(root.accessToken())
        .json(new JsonObject().put("email", other.email())).send(), 409, "EMAIL_TAKEN");
  }

  @Test
  void aRoleChangeAppliesToTheNextRequest() {
    Person root = journeys.newOrgWithRootAdmin("Demotion Co");
    Person admin = journeys.invite(root, "ADMIN");
    assertThat(http.get("/api/v1/users").bearer(admin.accessToken()).send().status()).isEqualTo(200);
    assertThat(http.patch("/api/v1/users/" + admin.id()).bearer(root.accessToken()).json(new JsonObject().put("role", "USER"))
        .send().status()).isEqualTo(200);
    assertThat(http.get("/api/v1/users").bearer(admin.accessToken()).send().status()).isEqualTo(403);
    assertThat(http.get("/api/v1/me").bearer(admin.accessToken()).send().json().getJsonArray("permissions").getList())
        .doesNotContain("users.manage");
  }

  @Test
  void sessionsAreListedAndRevoked() {
    Person root = journeys.newOrgWithRootAdmin("Sessions Co");
    Person user = journeys.invite(root, "USER");
    Person second = journeys.login(user.email(), Journeys.PASSWORD, user.secret());
    Http.Response list = http.get("/api/v1/users/" + user.id() + "/sessions").bearer(root.accessToken()).send();
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.items()).hasSize(2);
    assertThat(list.items().getJsonObject(0).fieldNames()).contains("id", "createdAt", "expiresAt");
    assertThat(http.delete("/api/v1/users/" + user.id() + "/sessions").bearer(root.accessToken()).send().status()).isEqualTo(204);
    assertThat(tokenWorks(user.accessToken())).isFalse();
    assertThat(tokenWorks(second.accessToken())).isFalse();
    assertThat(http.get("/api/v1/users/" + user.id() + "/sessions").bearer(root.accessToken()).send().items()).isEmpty();
  }

  @Test
  void logoutRefreshRotationAndReplay() {
    Person root = journeys.newOrgWithRootAdmin("Tokens Co");
    Person user = journeys.invite(root, "USER");
    Http.Response rotated = http.post("/api/v1/auth/refresh").json(new JsonObject().put("refreshToken", user.refreshToken())).send();
    assertThat(rotated.status()).isEqualTo(200);
    String access2 = rotated.json().getString("accessToken");
    String refresh2 = rotated.json().getString("refreshToken");
    assertThat(tokenWorks(access2)).isTrue();
    // Presenting the spent refresh token again ends the whole session, its access tokens too.
    Http.Response replay = http.post("/api/v1/auth/refresh").json(new JsonObject().put("refreshToken", user.refreshToken())).send();
    assertRefused(replay, 401, "INVALID_TOKEN");
    assertThat(tokenWorks(access2)).isFalse();
    assertThat(tokenWorks(user.accessToken())).isFalse();
    assertThat(http.post("/api/v1/auth/refresh").json(new JsonObject().put("refreshToken", refresh2)).send().status()).isEqualTo(401);

    Person fresh = journeys.login(user.email(), Journeys.PASSWORD, user.secret());
    assertThat(http.post("/api/v1/auth/logout").bearer(fresh.accessToken()).send().status()).isEqualTo(204);
    assertThat(tokenWorks(fresh.accessToken())).isFalse();
    assertThat(http.post("/api/v1/auth/refresh").json(new JsonObject().put("refreshToken", fresh.refreshToken())).send().status())
        .isEqualTo(401);
  }

  @Test
  void changingOwnPasswordRevokesOtherSessions() {
    Person root = journeys.newOrgWithRootAdmin("Password Co");
    Person user = journeys.invite(root, "USER");
    Person other = journeys.login(user.email(), Journeys.PASSWORD, user.secret());
    Http.Response wrong = http.post("/api/v1/me/password").bearer(user.accessToken())
        .json(new JsonObject().put("currentPassword", "Not-It-At-All-1!").put("newPassword", "Another-Good-One-2?")).send();
    assertRefused(wrong, 400, "VALIDATION_FAILED");
    Http.Response weak = http.post("/api/v1/me/password").bearer(user.accessToken())
        .json(new JsonObject().put("currentPassword", Journeys.PASSWORD).put("newPassword", "weak")).send();
    assertRefused(weak, 400, "PASSWORD_POLICY");
    Http.Response ok = http.post("/api/v1/me/password").bearer(user.accessToken())
        .json(new JsonObject().put("currentPassword", Journeys.PASSWORD).put("newPassword", "Another-Good-One-2?")).send();
    assertThat(ok.status()).as(ok.toString()).isEqualTo(204);
    assertThat(tokenWorks(user.accessToken())).isTrue();
    assertThat(tokenWorks(other.accessToken())).isFalse();
    assertThat(journeys.passwordStep(user.email(), "Another-Good-One-2?").status()).isEqualTo(200);
  }

  @Test
  void introspectionTellsOnlyWhetherATokenIsLive() {
    Person root = journeys.newOrgWithRootAdmin("Introspect Co");
    JsonObject live = http.post("/api/v1/auth/introspect").json(new JsonObject().put("token", root.accessToken())).send().json();
    assertThat(live.getBoolean("active")).isTrue();
    assertThat(live.getString("sub")).isEqualTo(root.id());
    assertThat(live.getString("org")).isEqualTo(root.orgId());
    assertThat(live.getString("role")).isEqualTo("ADMIN");
    assertThat(live.getLong("exp")).isGreaterThan(System.currentTimeMillis() / 1000);
    assertThat(http.post("/api/v1/auth/introspect").json(new JsonObject().put("token", "nope")).send().json())
        .isEqualTo(new JsonObject().put("active", false));
    http.post("/api/v1/auth/logout").bearer(root.accessToken()).send();
    assertThat(http.post("/api/v1/auth/introspect").json(new JsonObject().put("token", root.accessToken())).send().json())
        .isEqualTo(new JsonObject().put("active", false));
  }

  @Test
  void anotherOrganizationsUsersAreNotFoundEverywhere() {
    Person a = journeys.newOrgWithRootAdmin("Iso A");
    Person b = journeys.newOrgWithRootAdmin("Iso B");
    Person bUser = journeys.invite(b, "USER");
    for (String action : List.of("deactivate", "activate", "unlock", "reset-password", "reset-2fa", "resend-invitation")) {
      assertRefused(act(a, bUser.id(), action), 404, "NOT_FOUND");
    }
    assertRefused(http.patch("/api/v1/users/" + bUser.id()).bearer(a.accessToken()).json(new JsonObject().put("firstName", "X")).send(), 404, "NOT_FOUND");
    assertRefused(http.delete("/api/v1/users/" + bUser.id()).bearer(a.accessToken()).send(), 404, "NOT_FOUND");
    assertRefused(http.get("/api/v1/users/" + bUser.id() + "/sessions").bearer(a.accessToken()).send(), 404, "NOT_FOUND");
    assertRefused(http.delete("/api/v1/users/" + bUser.id() + "/sessions").bearer(a.accessToken()).send(), 404, "NOT_FOUND");
    assertThat(tokenWorks(bUser.accessToken())).isTrue();
    assertThat(http.get("/api/v1/audit-events?userId=" + bUser.id()).bearer(a.accessToken()).send().items()).isEmpty();
  }

  @Test
  void auditEventsRecordWhoDidWhat() {
    Person root = journeys.newOrgWithRootAdmin("Audit Co");
    Person user = journeys.invite(root, "USER");
    journeys.passwordStep(user.email(), "Wrong-Password-1!");
    act(root, user.id(), "deactivate");
    Http.Response page = http.get("/api/v1/audit-events?userId=" + user.id() + "&limit=200").bearer(root.accessToken()).send();
    assertThat(page.status()).isEqualTo(200);
    List<String> actions = page.items().stream().map(e -> ((JsonObject) e).getString("action")).toList();
    assertThat(actions).containsSubsequence("USER_DEACTIVATED", "LOGIN_FAILED", "LOGIN_SUCCEEDED", "TWO_FACTOR_ENROLLED",
        "INVITATION_ACCEPTED", "INVITATION_SENT", "USER_CREATED");
    JsonObject deactivated = page.items().getJsonObject(0);
    assertThat(deactivated.getString("actorId")).isEqualTo(root.id());
    assertThat(deactivated.getString("targetUserId")).isEqualTo(user.id());
    assertThat(deactivated.getString("at")).endsWith("Z");

    // Paging newest first, without repeats.
    Http.Response first = http.get("/api/v1/audit-events?limit=3").bearer(root.accessToken()).send();
    Http.Response second = http.get("/api/v1/audit-events?limit=3&cursor=" + first.json().getString("nextCursor")).bearer(root.accessToken()).send();
    assertThat(first.items()).hasSize(3);
    assertThat(second.items().getJsonObject(0).getString("id")).isNotIn(
        first.items().stream().map(e -> ((JsonObject) e).getString("id")).toList());
    assertThat(http.get("/api/v1/audit-events?userId=nope").bearer(root.accessToken()).send().status()).isEqualTo(400);
    // A signed-in non-admin is refused with 403 (the deactivated user above would only show the 401 of a dead session).
    Person billing = journeys.invite(root, "BILLING_AND_PURCHASING");
    Http.Response refused = http.get("/api/v1/audit-events").bearer(billing.accessToken()).send();
    assertThat(refused.status()).as(refused.toString()).isEqualTo(403);
    assertThat(refused.code()).isEqualTo("FORBIDDEN");
    assertThat(http.get("/api/v1/audit-events").bearer(user.accessToken()).send().status()).isEqualTo(401);
  }
}
