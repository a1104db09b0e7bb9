package io.roster.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.support.Http;
import io.roster.support.Journeys;
import io.roster.support.Journeys.Person;
import io.roster.support.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 item 3 / API.md 12.6: ten single-use recovery codes, shown once, usable in place of
 * the TOTP code; a wrong one counts as a failed attempt, a used one is mailed, and an admin's
 * reset of 2FA voids them.
 */
class RecoveryCodesTest {
  static TestServer server;
  static Journeys journeys;
  static Http http;

  @BeforeAll
  static void start() {
    server = TestServer.start();
    journeys = new Journeys(server);
    http = server.http;
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static int left(String accessToken) {
    return http.get("/api/v1/me").bearer(accessToken).send().json().getInteger("recoveryCodesLeft");
  }

  static List<String> generate(Person p) {
    Http.Response r = http.post("/api/v1/me/recovery-codes").bearer(p.accessToken()).json(new JsonObject().put("password", Journeys.PASSWORD))
        .send();
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.json().getJsonArray("codes").stream().map(String.class::cast).toList();
  }

  static String mfaToken(String email) {
    Http.Response first = journeys.passwordStep(email, Journeys.PASSWORD);
    assertThat(first.status()).as(first.toString()).isEqualTo(200);
    return first.json().getString("mfaToken");
  }

  static Http.Response withCode(String mfaToken, String recoveryCode) {
    return http.post("/api/v1/auth/mfa/verify").json(new JsonObject().put("mfaToken", mfaToken).put("recoveryCode", recoveryCode)).send();
  }

  @Test
  void aRecoveryCodeSignsInOnceAndIsMailed() {
    Person admin = journeys.newOrgWithRootAdmin("Recovery Ltd");
    Person user = journeys.invite(admin, "USER");
    assertThat(left(user.accessToken())).isZero();

    Http.Response wrong = http.post("/api/v1/me/recovery-codes").bearer(user.accessToken())
        .json(new JsonObject().put("password", "Not-The-Password-1!")).send();
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.code()).isEqualTo("INVALID_CREDENTIALS");
    assertThat(http.post("/api/v1/me/recovery-codes").bearer(user.accessToken()).json(new JsonObject()).send().code())
        .isEqualTo("VALIDATION_FAILED");
    assertThat(left(user.accessToken())).as("nothing was made").isZero();

    List<String> codes = generate(user);
    assertThat(codes).hasSize(10).allMatch(c -> c.matches("[A-Z2-9]{5}-[A-Z2-9]{5}"));
    assertThat(new HashSet<>(codes)).hasSize(10);
    assertThat(left(user.accessToken())).isEqualTo(10);

    // Typed loosely (lower case, no hyphen), a code signs in instead of the TOTP code.
    String code = codes.get(3);
    Http.Response tokens = withCode(mfaToken(user.email()), code.replace("-", "").toLowerCase(Locale.ROOT));
    assertThat(tokens.status()).as(tokens.toString()).isEqualTo(200);
    String access = tokens.json().getString("accessToken");
    assertThat(http.get("/api/v1/me").bearer(access).send().status()).isEqualTo(200);
    assertThat(left(access)).isEqualTo(9);
    TestServer.Mail notice = server.awaitMail(user.email(), "recovery code");
    assertThat(notice.text()).contains("9 unused code");

    // Once only; and not together with a TOTP code.
    String token = mfaToken(user.email());
    Http.Response again = withCode(token, code);
    assertThat(again.status()).isEqualTo(401);
    assertThat(again.code()).isEqualTo("INVALID_MFA_CODE");
    assertThat(http.post("/api/v1/auth/mfa/verify").json(new JsonObject().put("mfaToken", token).put("recoveryCode", codes.get(4))
        .put("code", "123456")).send().code()).isEqualTo("VALIDATION_FAILED");
    // The refused code left the MFA token usable.
    assertThat(withCode(token, codes.get(4)).status()).isEqualTo(200);

    // A new set replaces the old one.
    List<String> fresh = generate(new Person(user.id(), user.orgId(), user.email(), user.secret(), access, null));
    assertThat(withCode(mfaToken(user.email()), codes.get(5)).code()).isEqualTo("INVALID_MFA_CODE");
    assertThat(left(access)).isEqualTo(10);
    JsonArray events = http.get("/api/v1/audit-events?userId=" + user.id() + "&limit=100").bearer(admin.accessToken()).send().items();
    assertThat(events.stream().map(e -> ((JsonObject) e).getString("action")))
        .contains("RECOVERY_CODES_GENERATED", "RECOVERY_CODE_USED");

    // An admin's reset of 2FA voids them: the user enrols again and has none.
    assertThat(http.post("/api/v1/users/" + user.id() + "/reset-2fa").bearer(admin.accessToken()).send().status()).isEqualTo(200);
    String enrolment = mfaToken(user.email());
    assertThat(withCode(enrolment, fresh.get(0)).code()).isEqualTo("INVALID_MFA_CODE");
    String secret = http.post("/api/v1/auth/mfa/enroll").json(new JsonObject().put("mfaToken", enrolment)).send().json().getString("secret");
    Http.Response enrolled = journeys.verify(enrolment, secret);
    assertThat(enrolled.status()).as(enrolled.toString()).isEqualTo(200);
    assertThat(left(enrolled.json().getString("accessToken"))).isZero();
    assertThat(withCode(mfaToken(user.email()), fresh.get(1)).code()).isEqualTo("INVALID_MFA_CODE");
  }

  @Test
  void wrongRecoveryCodesCountAsFailedAttempts() {
    Person admin = journeys.newOrgWithRootAdmin("Guessing Ltd");
    Person user = journeys.invite(admin, "USER");
    generate(user);
    String token = mfaToken(user.email());
    for (int i = 0; i < 5; i++) {
      assertThat(withCode(token, "AAAAA-AAAA" + (i + 2)).code()).isEqualTo("INVALID_MFA_CODE");
    }
    Http.Response locked = journeys.passwordStep(user.email(), Journeys.PASSWORD);
    assertThat(locked.status()).as("five wrong codes lock the account").isEqualTo(423);
  }
}
