package io.roster.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.support.Http;
import io.roster.support.Journeys;
import io.roster.support.Journeys.Person;
import io.roster.support.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 item 1 / API.md 12.4: an organization's IP allowlist, over HTTP from several client
 * addresses (the whole 127/8 is loopback), on two replicas: A on 127.0.0.1, B dual-stack on "::"
 * (its IPv4 clients are ::ffff:127.0.0.x), both trusting the proxy 127.0.0.9.
 */
class IpAllowlistTest {
  static final String ALLOWED = "127.0.0.2";
  static final String OUTSIDE = "127.0.0.3";
  static final String PROXY = "127.0.0.9";
  static TestServer a;
  static TestServer b;
  static Journeys journeys;

  @BeforeAll
  static void start() {
    a = TestServer.start(Map.of("TRUSTED_PROXIES", PROXY + "/32"));
    b = a.replica(Map.of("TRUSTED_PROXIES", PROXY + "/32", "HTTP_HOST", "::"));
    journeys = new Journeys(a);
  }

  @AfterAll
  static void stop() {
    b.close();
    a.close();
  }

  static Http.Response put(Http http, String token, JsonObject body) {
    return http.put("/api/v1/organization/ip-allowlist").bearer(token).json(body).send();
  }

  static JsonObject allowlist(boolean enabled, String... cidrs) {
    return new JsonObject().put("enabled", enabled).put("cidrs", new JsonArray(java.util.List.of(cidrs)));
  }

  static Http.Response me(Http http, String token) {
    return http.get("/api/v1/me").bearer(token).send();
  }

  /** Polls for up to 1 s (the propagation bound of API.md 12.4) until the call answers the status. */
  static Http.Response within1s(int status, Supplier<Http.Response> call) {
    long deadline = System.currentTimeMillis() + 1_000;
    Http.Response r = call.get();
    while (r.status() != status && System.currentTimeMillis() < deadline) {
      TestServer.sleep(50);
      r = call.get();
    }
    return r;
  }

  @Test
  void anAllowlistAdmitsOnlyItsNetworksOnEveryReplicaAndSupportCanClearIt() {
    Person admin = journeys.newOrgWithRootAdmin("Fenced Ltd");
    Person other = journeys.newOrgWithRootAdmin("Open Ltd");
    Http fromAllowed = a.http.from(ALLOWED);
    Http fromOutside = a.http.from(OUTSIDE);
    Http bFromOutside = b.http.from(OUTSIDE);
    Http bFromAllowed = b.http.from(ALLOWED);

    Http.Response initial = a.http.get("/api/v1/organization/ip-allowlist").bearer(admin.accessToken()).send();
    assertThat(initial.status()).isEqualTo(200);
    assertThat(initial.json()).isEqualTo(allowlist(false));
    // Replica B has this admin's session (and the allowlist "off") cached before the change.
    assertThat(me(bFromOutside, admin.accessToken()).status()).isEqualTo(200);

    // Bad input changes nothing.
    Http.Response bad = put(fromAllowed, admin.accessToken(), allowlist(true, "127.0.0.2/32", "10.0.0.300/8"));
    assertThat(bad.status()).as(bad.toString()).isEqualTo(400);
    assertThat(bad.code()).isEqualTo("VALIDATION_FAILED");
    assertThat(bad.body()).contains("cidrs[1]");
    assertThat(put(fromAllowed, admin.accessToken(), new JsonObject().put("enabled", "yes").put("cidrs", new JsonArray()))
        .status()).isEqualTo(400);
    // Saving a list that leaves out the caller's own address needs a confirmation.
    Http.Response self = put(fromOutside, admin.accessToken(), allowlist(true, ALLOWED + "/32", "2001:db8::/32"));
    assertThat(self.status()).as(self.toString()).isEqualTo(409);
    assertThat(self.code()).isEqualTo("SELF_LOCKOUT");
    assertThat(self.json().getString("clientIp")).as("the address the server saw").isEqualTo(OUTSIDE);
    assertThat(a.http.get("/api/v1/organization/ip-allowlist").bearer(admin.accessToken()).send().json())
        .isEqualTo(allowlist(false));

    Http.Response saved = put(fromAllowed, admin.accessToken(), allowlist(true, ALLOWED + "/32", "2001:db8::/32"));
    assertThat(saved.status()).as(saved.toString()).isEqualTo(200);
    assertThat(saved.json()).isEqualTo(allowlist(true, ALLOWED + "/32", "2001:db8::/32"));

    // Bearer calls: refused outside, on both replicas, B within a second of the change.
    Http.Response refused = me(fromOutside, admin.accessToken());
    assertThat(refused.status()).as(refused.toString()).isEqualTo(403);
    assertThat(refused.code()).isEqualTo("IP_NOT_ALLOWED");
    assertThat(me(fromAllowed, admin.accessToken()).status()).isEqualTo(200);
    assertThat(within1s(403, () -> me(bFromOutside, admin.accessToken())).status()).as("replica B within 1 s").isEqualTo(403);
    assertThat(me(bFromAllowed, admin.accessToken()).status()).as("::ffff:127.0.0.2 matches 127.0.0.2/32").isEqualTo(200);
    // Another organization is not affected.
    assertThat(me(fromOutside, other.accessToken()).status()).isEqualTo(200);

    // Sign-in: a wrong password is still a plain 401 from outside; a correct one is refused.
    Http.Response wrong = fromOutside.post("/api/v1/auth/login")
        .json(new JsonObject().put("email", admin.email()).put("password", "Not-The-Password-1!")).send();
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.code()).isEqualTo("INVALID_CREDENTIALS");
    Http.Response outsideLogin = fromOutside.post("/api/v1/auth/login")
        .json(new JsonObject().put("email", admin.email()).put("password", Journeys.PASSWORD)).send();
    assertThat(outsideLogin.status()).as(outsideLogin.toString()).isEqualTo(403);
    assertThat(outsideLogin.code()).isEqualTo("IP_NOT_ALLOWED");
    // The second step and refresh too, from outside; from inside they work.
    Http.Response first = fromAllowed.post("/api/v1/auth/login")
        .json(new JsonObject().put("email", admin.email()).put("password", Journeys.PASSWORD)).send();
    assertThat(first.status()).as(first.toString()).isEqualTo(200);
    String mfaToken = first.json().getString("mfaToken");
    Http.Response outsideVerify = fromOutside.post("/api/v1/auth/mfa/verify")
        .json(new JsonObject().put("mfaToken", mfaToken).put("code", journeys.nextCode(admin.secret()))).send();
    assertThat(outsideVerify.status()).as(outsideVerify.toString()).isEqualTo(403);
    assertThat(outsideVerify.code()).isEqualTo("IP_NOT_ALLOWED");
    Http.Response tokens = fromAllowed.post("/api/v1/auth/mfa/verify")
        .json(new JsonObject().put("mfaToken", mfaToken).put("code", journeys.nextCode(admin.secret()))).send();
    assertThat(tokens.status()).as(tokens.toString()).isEqualTo(200);
    String refresh = tokens.json().getString("refreshToken");
    Http.Response outsideRefresh = fromOutside.post("/api/v1/auth/refresh").json(new JsonObject().put("refreshToken", refresh)).send();
    assertThat(outsideRefresh.status()).isEqualTo(403);
    assertThat(outsideRefresh.code()).isEqualTo("IP_NOT_ALLOWED");
    Http.Response refreshed = fromAllowed.post("/api/v1/auth/refresh").json(new JsonObject().put("refreshToken", refresh)).send();
    assertThat(refreshed.status()).as("the refused refresh did not spend the token").isEqualTo(200);

    // Behind a trusted proxy the right-most untrusted X-Forwarded-For entry is the client; an
    // untrusted peer's X-Forwarded-For is ignored.
    String token = refreshed.json().getString("accessToken");
    Http viaProxy = a.http.from(PROXY);
    assertThat(viaProxy.get("/api/v1/me").bearer(token).header("X-Forwarded-For", ALLOWED).send().status()).isEqualTo(200);
    assertThat(viaProxy.get("/api/v1/me").bearer(token).header("X-Forwarded-For", ALLOWED + ", " + PROXY).send().status())
        .isEqualTo(200);
    assertThat(viaProxy.get("/api/v1/me").bearer(token).header("X-Forwarded-For", OUTSIDE).send().status()).isEqualTo(403);
    assertThat(viaProxy.get("/api/v1/me").bearer(token).header("X-Forwarded-For", ALLOWED + ", " + OUTSIDE).send().status())
        .isEqualTo(403);
    assertThat(fromOutside.get("/api/v1/me").bearer(token).header("X-Forwarded-For", ALLOWED).send().status()).isEqualTo(403);

    // Audited: the change, and the refused sign-ins with their reason.
    JsonArray events = fromAllowed.get("/api/v1/audit-events?limit=100").bearer(token).send().items();
    assertThat(events.stream().map(e -> ((JsonObject) e).getString("action"))).contains("IP_ALLOWLIST_UPDATED");
    assertThat(events.stream().map(JsonObject.class::cast)
        .filter(e -> "LOGIN_FAILED".equals(e.getString("action")))
        .map(e -> e.getJsonObject("details").getString("reason"))).contains("IP_NOT_ALLOWED", "INVALID_CREDENTIALS");
    JsonObject update = events.stream().map(JsonObject.class::cast).filter(e -> "IP_ALLOWLIST_UPDATED".equals(e.getString("action")))
        .findFirst().orElseThrow();
    assertThat(update.getString("actorId")).isEqualTo(admin.id());
    assertThat(update.getJsonObject("details").getJsonArray("cidrs")).contains(ALLOWED + "/32");

    // Support clears it; both replicas let the outside address in again within a second.
    Http.Response cleared = a.http.delete("/api/v1/support/organizations/" + admin.orgId() + "/ip-allowlist")
        .header("X-Support-Key", TestServer.SUPPORT_KEY).send();
    assertThat(cleared.status()).as(cleared.toString()).isEqualTo(204);
    assertThat(me(fromOutside, token).status()).isEqualTo(200);
    assertThat(within1s(200, () -> me(bFromOutside, token)).status()).isEqualTo(200);
    assertThat(a.http.delete("/api/v1/support/organizations/" + java.util.UUID.randomUUID() + "/ip-allowlist")
        .header("X-Support-Key", TestServer.SUPPORT_KEY).send().status()).isEqualTo(404);
  }

  @Test
  void onlyAnAdminMayReadOrChangeIt() {
    Person admin = journeys.newOrgWithRootAdmin("Roles Ltd");
    Person user = journeys.invite(admin, "USER");
    assertThat(a.http.get("/api/v1/organization/ip-allowlist").bearer(user.accessToken()).send().status()).isEqualTo(403);
    assertThat(put(a.http, user.accessToken(), allowlist(true, "10.0.0.0/8")).status()).isEqualTo(403);
    assertThat(a.http.get("/api/v1/organization/ip-allowlist").bearer(admin.accessToken()).send().json())
        .isEqualTo(allowlist(false));
    // Confirmed, an allowlist may shut out its author: from then on they are refused too.
    Http.Response confirmed = put(a.http.from(OUTSIDE), admin.accessToken(),
        allowlist(true, "10.0.0.0/8").put("confirmSelfLockout", true));
    assertThat(confirmed.status()).as(confirmed.toString()).isEqualTo(200);
    assertThat(me(a.http.from(OUTSIDE), admin.accessToken()).code()).isEqualTo("IP_NOT_ALLOWED");
    assertThat(me(a.http.from(OUTSIDE), user.accessToken()).code()).isEqualTo("IP_NOT_ALLOWED");
  }
}
