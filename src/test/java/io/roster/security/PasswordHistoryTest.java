package io.roster.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.domain.CommonPasswords;
import io.roster.support.Http;
import io.roster.support.Journeys;
import io.roster.support.Journeys.Person;
import io.roster.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 item 4 / API.md 12.7: password history (the last passwordHistory passwords, the current
 * one included, compared by hash) and the shipped list of common passwords, on change, reset and
 * activation; a refusal is 400 PASSWORD_POLICY with its rule and changes nothing.
 */
class PasswordHistoryTest {
  static TestServer server;
  static Journeys journeys;

  @BeforeAll
  static void start() {
    server = TestServer.start();
    journeys = new Journeys(server);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static Http.Response change(Person p, String current, String next) {
    return server.http.post("/api/v1/me/password").bearer(p.accessToken())
        .json(new JsonObject().put("currentPassword", current).put("newPassword", next)).send();
  }

  static Http.Response policy(Person admin, JsonObject changes) {
    return server.http.put("/api/v1/organization/password-policy").bearer(admin.accessToken()).json(changes).send();
  }

  @Test
  void theCommonListShipsInTheJarWithAtLeast100000EntriesAndIgnoresCase() throws Exception {
    assertThat(CommonPasswords.size()).isGreaterThanOrEqualTo(100_000);
    assertThat(CommonPasswords.contains("password")).isTrue();
    assertThat(CommonPasswords.contains("PassWord")).isTrue();
    assertThat(CommonPasswords.contains("Correct-Horse-42!")).isFalse();
    String last = null;
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        new GZIPInputStream(CommonPasswords.class.getResourceAsStream("/passwords/common-passwords.txt.gz")), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        last = line;
      }
    }
    assertThat(CommonPasswords.contains(last)).as("the list's last entry: " + last).isTrue();
  }

  @Test
  void theLastFivePasswordsCannotBeReusedAndTheSixthCan() {
    Person admin = journeys.newOrgWithRootAdmin("History Ltd");
    JsonObject shown = server.http.get("/api/v1/organization/password-policy").bearer(admin.accessToken()).send().json();
    assertThat(shown.getInteger("passwordHistory")).isEqualTo(5);
    assertThat(shown.getBoolean("rejectCommonPasswords")).isTrue();
    assertThat(shown.getBoolean("notifyOnLockout")).isTrue();

    Person user = journeys.invite(admin, "USER");
    String p0 = Journeys.PASSWORD;
    Http.Response same = change(user, p0, p0);
    assertThat(same.status()).as(same.toString()).isEqualTo(400);
    assertThat(same.code()).isEqualTo("PASSWORD_POLICY");
    assertThat(same.json().getJsonArray("rules")).containsExactly("HISTORY");

    String current = p0;
    for (int i = 1; i <= 4; i++) {
      String next = "Fresh-Horse-" + i + "0!";
      assertThat(change(user, current, next).status()).isEqualTo(204);
      current = next;
    }
    // p0 is the fifth of the last five (p4, p3, p2, p1, p0): still refused, and nothing changed.
    Http.Response reused = change(user, current, p0);
    assertThat(reused.status()).isEqualTo(400);
    assertThat(reused.json().getJsonArray("rules")).containsExactly("HISTORY");
    assertThat(journeys.passwordStep(user.email(), current).status()).as("the password is unchanged").isEqualTo(200);
    assertThat(change(user, current, "Fresh-Horse-2" + "0!").json().getJsonArray("rules")).containsExactly("HISTORY");

    // A reset link is held to the same rule.
    assertThat(server.http.post("/api/v1/auth/password/forgot").json(new JsonObject().put("email", user.email())).send().status())
        .isEqualTo(202);
    String link = server.awaitMail(user.email(), "reset").token();
    Http.Response resetToOld = server.http.post("/api/v1/auth/password/reset")
        .json(new JsonObject().put("token", link).put("password", "Fresh-Horse-30!")).send();
    assertThat(resetToOld.status()).isEqualTo(400);
    assertThat(resetToOld.json().getJsonArray("rules")).containsExactly("HISTORY");
    Http.Response reset = server.http.post("/api/v1/auth/password/reset")
        .json(new JsonObject().put("token", link).put("password", "Fresh-Horse-50!")).send();
    assertThat(reset.status()).as("the refusal left the link usable").isEqualTo(204);
    current = "Fresh-Horse-50!";

    // Now the last five are p5, p4, p3, p2, p1: p0 may come back.
    Person again = journeys.login(user.email(), current, user.secret());
    assertThat(change(again, current, p0).status()).isEqualTo(204);

    // With no history, the current password may be set again.
    assertThat(policy(admin, new JsonObject().put("passwordHistory", 0)).status()).isEqualTo(200);
    assertThat(change(again, p0, p0).status()).isEqualTo(204);
    // Out of range is refused and changes nothing.
    for (int bad : new int[] {-1, 25}) {
      Http.Response r = policy(admin, new JsonObject().put("passwordHistory", bad));
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.code()).isEqualTo("VALIDATION_FAILED");
    }
    assertThat(server.http.get("/api/v1/organization/password-policy").bearer(admin.accessToken()).send().json()
        .getInteger("passwordHistory")).isZero();
  }

  @Test
  void commonPasswordsAreRefusedUnlessThePolicyAllowsThem() {
    Person admin = journeys.newOrgWithRootAdmin("Common Ltd");
    JsonObject lax = new JsonObject().put("minLength", 8).put("requireUppercase", false).put("requireLowercase", false)
        .put("requireDigit", false).put("requireSymbol", false);
    assertThat(policy(admin, lax).status()).isEqualTo(200);
    // At activation: the invitation's password.
    String email = Journeys.uniqueEmail("common");
    journeys.create(admin, email, "USER");
    String invitation = server.awaitMail(email, "invitation").token();
    Http.Response accept = server.http.post("/api/v1/invitations/accept")
        .json(new JsonObject().put("token", invitation).put("password", "Password1")).send();
    assertThat(accept.status()).as(accept.toString()).isEqualTo(400);
    assertThat(accept.code()).isEqualTo("PASSWORD_POLICY");
    assertThat(accept.json().getJsonArray("rules")).containsExactly("COMMON");
    Person user = journeys.acceptAndEnroll(email, "not in any list 7");
    // At a change, with the other broken rules listed beside it.
    assertThat(policy(admin, new JsonObject().put("requireSymbol", true)).status()).isEqualTo(200);
    Http.Response both = change(user, "not in any list 7", "iloveyou");
    assertThat(both.json().getJsonArray("rules")).containsExactlyInAnyOrder("requireSymbol", "COMMON");
    assertThat(policy(admin, new JsonObject().put("requireSymbol", false).put("rejectCommonPasswords", false)).status())
        .isEqualTo(200);
    assertThat(change(user, "not in any list 7", "iloveyou").status()).isEqualTo(204);
  }
}
