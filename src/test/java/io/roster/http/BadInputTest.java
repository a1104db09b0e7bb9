package io.roster.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.support.Http;
import io.roster.support.Journeys;
import io.roster.support.Journeys.Person;
import io.roster.support.ServerTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Hostile and sloppy input: always a clear problem+json, never a 500, and nothing changes. */
class BadInputTest extends ServerTest {
  static Person admin;

  @BeforeAll
  static void start() {
    admin = journeys.newOrgWithRootAdmin("Hostile Input Ltd");
  }

  private static void assertProblem(Http.Response r, int status, String code) {
    assertThat(r.status()).as(r.toString()).isEqualTo(status);
    assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
    JsonObject p = r.json();
    assertThat(p.getString("code")).isEqualTo(code);
    assertThat(p.getInteger("status")).isEqualTo(status);
    assertThat(p.getString("type")).isNotBlank();
    assertThat(p.getString("title")).isNotBlank();
    assertThat(p.getString("detail")).isNotBlank();
  }

  private static Http.Response createUser(Object body) {
    return http.post("/api/v1/users").bearer(admin.accessToken()).json(body).send();
  }

  @Test
  void malformedJsonIsMalformedRequest() {
    long before = server.count("SELECT count(*) FROM users");
    for (String body : new String[] {"{", "{\"email\":", "[1,2", "nonsense", "\"just a string\"", "[]", "42", ""}) {
      assertProblem(http.post("/api/v1/users").bearer(admin.accessToken()).raw(body, "application/json").send(), 400, "MALFORMED_REQUEST");
    }
    assertProblem(http.post("/api/v1/auth/login").raw("{not json", "application/json").send(), 400, "MALFORMED_REQUEST");
    assertThat(server.count("SELECT count(*) FROM users")).isEqualTo(before);
  }

  @Test
  void wrongTypesAndMissingFieldsListEveryField() {
    Http.Response r = createUser(new JsonObject().put("email", 42).put("firstName", new JsonArray()).put("role", true));
    assertProblem(r, 400, "VALIDATION_FAILED");
    assertThat(r.json().getJsonArray("errors").encode())
        .contains("\"field\":\"email\"", "\"field\":\"firstName\"", "\"field\":\"lastName\"", "\"field\":\"role\"");
    assertProblem(http.post("/api/v1/auth/login").json(new JsonObject().put("email", "a@b.test")).send(), 400, "VALIDATION_FAILED");
    assertProblem(http.post("/api/v1/auth/mfa/verify").json(new JsonObject().put("mfaToken", 1).put("code", 2)).send(), 400, "VALIDATION_FAILED");
  }

  @Test
  void overlongAndBlankNamesBadEmailsAndUnknownRolesAreRefused() {
    JsonObject ok = new JsonObject().put("email", Journeys.uniqueEmail("ok")).put("firstName", "A").put("lastName", "B").put("role", "USER");
    assertProblem(createUser(ok.copy().put("firstName", "x".repeat(101))), 400, "VALIDATION_FAILED");
    assertProblem(createUser(ok.copy().put("lastName", " \u00A0\t ")), 400, "VALIDATION_FAILED");
    assertProblem(createUser(ok.copy().put("email", "not-an-email")), 400, "VALIDATION_FAILED");
    assertProblem(createUser(ok.copy().put("email", "two@@example.test")), 400, "VALIDATION_FAILED");
    assertProblem(createUser(ok.copy().put("role", "SUPERUSER")), 400, "VALIDATION_FAILED");
    assertProblem(createUser(ok.copy().put("groups", "not-a-list")), 400, "VALIDATION_FAILED");
    assertProblem(http.patch("/api/v1/me").bearer(admin.accessToken()).json(new JsonObject().put("firstName", "")).send(), 400, "VALIDATION_FAILED");
    // A name of exactly 100 code points, beyond the BMP, is fine.
    assertThat(createUser(ok.copy().put("firstName", "😀".repeat(100))).status()).isEqualTo(201);
  }

  @Test
  void everyAnswerCarriesARequestId() {
    Http.Response mine = http.get("/api/v1/me").header("X-Request-Id", "trace-123").send();
    assertThat(mine.header("X-Request-Id")).isEqualTo("trace-123");
    Http.Response hostile = http.get("/api/v1/me").header("X-Request-Id", "bad id " + "x".repeat(100)).send();
    assertThat(hostile.header("X-Request-Id")).matches("[0-9a-f-]{36}");
  }

  @Test
  void unknownFieldsAreIgnored() {
    JsonObject body = new JsonObject().put("email", Journeys.uniqueEmail("extra")).put("firstName", "A").put("lastName", "B")
        .put("role", "USER").put("rootAdmin", true).put("status", "ACTIVE").put("whatever", new JsonObject());
    Http.Response r = createUser(body);
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().getBoolean("rootAdmin")).isFalse();
    assertThat(r.json().getString("status")).isEqualTo("INVITED");
  }

  @Test
  void oversizedBodiesArePayloadTooLarge() {
    String big = "{\"email\":\"" + "a".repeat(1024 * 1024 + 10) + "\"}";
    assertProblem(http.post("/api/v1/users").bearer(admin.accessToken()).raw(big, "application/json").send(), 413, "PAYLOAD_TOO_LARGE");
    assertProblem(http.post("/api/v1/auth/login").raw(big, "application/json").send(), 413, "PAYLOAD_TOO_LARGE");
  }

  @Test
  void badIdsAndUnknownPathsAreNotFound() {
    assertProblem(http.get("/api/v1/users/not-a-uuid").bearer(admin.accessToken()).send(), 404, "NOT_FOUND");
    assertProblem(http.get("/api/v1/users/00000000-0000-0000-0000-000000000000").bearer(admin.accessToken()).send(), 404, "NOT_FOUND");
    assertProblem(http.get("/api/v1/users/%27%3B--").bearer(admin.accessToken()).send(), 404, "NOT_FOUND");
    assertProblem(http.get("/api/v1/nothing-here").send(), 404, "NOT_FOUND");
  }

  @Test
  void missingForgedAndExpiredTokensAreUnauthenticated() {
    assertProblem(http.get("/api/v1/me").send(), 401, "UNAUTHENTICATED");
    assertProblem(http.get("/api/v1/me").bearer("garbage").send(), 401, "UNAUTHENTICATED");
    String[] parts = admin.accessToken().split("\\.");
    String forgedPayload = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
        new String(java.util.Base64.getUrlDecoder().decode(parts[1])).replace("\"ADMIN\"", "\"USER\"").getBytes());
    assertProblem(http.get("/api/v1/me").bearer(parts[0] + "." + forgedPayload + "." + parts[2]).send(), 401, "UNAUTHENTICATED");
    assertProblem(http.get("/api/v1/me").bearer(parts[0] + "." + parts[1] + ".AAAA").send(), 401, "UNAUTHENTICATED");
    assertProblem(http.get("/api/v1/me").header("Authorization", "Basic abc").send(), 401, "UNAUTHENTICATED");
  }

  @Test
  void badTokensInBodies() {
    assertProblem(http.post("/api/v1/auth/refresh").json(new JsonObject().put("refreshToken", "x")).send(), 401, "INVALID_TOKEN");
    assertProblem(http.post("/api/v1/auth/mfa/enroll").json(new JsonObject().put("mfaToken", "y".repeat(43))).send(), 401, "INVALID_TOKEN");
    assertProblem(http.post("/api/v1/auth/password/reset").json(new JsonObject().put("token", "z").put("password", "Correct-Horse-42!")).send(), 400, "INVALID_TOKEN");
  }

  @Test
  void badListParameters() {
    assertProblem(http.get("/api/v1/users?limit=0").bearer(admin.accessToken()).send(), 400, "VALIDATION_FAILED");
    assertProblem(http.get("/api/v1/users?limit=201").bearer(admin.accessToken()).send(), 400, "VALIDATION_FAILED");
    assertProblem(http.get("/api/v1/users?limit=ten").bearer(admin.accessToken()).send(), 400, "VALIDATION_FAILED");
    assertProblem(http.get("/api/v1/users?cursor=garbage").bearer(admin.accessToken()).send(), 400, "VALIDATION_FAILED");
    assertProblem(http.get("/api/v1/users?sort=password").bearer(admin.accessToken()).send(), 400, "VALIDATION_FAILED");
    assertProblem(http.get("/api/v1/users?status=SLEEPING").bearer(admin.accessToken()).send(), 400, "VALIDATION_FAILED");
    // A cursor of our shape whose key is not a timestamp is still refused cleanly.
    String forged = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
        "[\"not a time\",\"00000000-0000-0000-0000-000000000000\"]".getBytes());
    assertProblem(http.get("/api/v1/users?cursor=" + forged).bearer(admin.accessToken()).send(), 400, "VALIDATION_FAILED");
  }
}
