package io.roster.defects;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.support.Http;
import io.roster.support.Journeys;
import io.roster.support.Journeys.Person;
import io.roster.support.ServerTest;
import io.roster.support.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The defects of issue 7 found in review and attack, each driven over HTTP against a real server
 * (real PostgreSQL, real SMTP). Numbers in the test names are the items.
 */
class ReviewDefectsTest extends ServerTest {
  static Person root;
  static String scimToken;

  @BeforeAll
  static void start() {
    root = journeys.newOrgWithRootAdmin("Review Ltd");
    scimToken = http.post("/api/v1/organization/scim-tokens").bearer(root.accessToken())
        .json(new JsonObject().put("name", "review")).send().json().getString("token");
  }

  private static Http.Response policy(Person admin, JsonObject changes) {
    return http.put("/api/v1/organization/password-policy").bearer(admin.accessToken()).json(changes).send();
  }

  private static Http.Response login(String email, String password) {
    return journeys.passwordStep(email, password);
  }

  // ---- 2: lowering maxFailedAttempts ----------------------------------------------------------

  @Test
  void item2_loweringMaxFailedAttemptsLeavesEveryAccountUsableOrLocked() {
    Person admin = journeys.newOrgWithRootAdmin("Lowering Co");
    Person usable = journeys.invite(admin, "USER");
    Person lockable = journeys.invite(admin, "USER");
    for (int i = 0; i < 4; i++) {
      assertThat(login(usable.email(), "Wrong-Password-1!").status()).isEqualTo(401);
      assertThat(login(lockable.email(), "Wrong-Password-1!").status()).isEqualTo(401);
    }
    assertThat(policy(admin, new JsonObject().put("maxFailedAttempts", 2)).status()).isEqualTo(200);

    // Four failures under a maximum of two: the right password still signs in, at once.
    long started = System.currentTimeMillis();
    Http.Response ok = login(usable.email(), Journeys.PASSWORD);
    assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
    assertThat(System.currentTimeMillis() - started).isLessThan(3_000);

    // A wrong one locks, and the lock is one an admin can lift.
    assertThat(login(lockable.email(), "Wrong-Password-1!").status()).isEqualTo(401);
    Http.Response locked = login(lockable.email(), Journeys.PASSWORD);
    assertThat(locked.status()).as(locked.toString()).isEqualTo(423);
    Http.Response unlocked = http.post("/api/v1/users/" + lockable.id() + "/unlock").bearer(admin.accessToken()).send();
    assertThat(unlocked.status()).as(unlocked.toString()).isEqualTo(200);
    assertThat(login(lockable.email(), Journeys.PASSWORD).status()).isEqualTo(200);
  }

  // ---- 3: a leaked lease expires under steady traffic ----------------------------------------

  @Test
  void item3_aLeakedReservationExpiresWhateverTheTraffic() {
    Person admin = journeys.newOrgWithRootAdmin("Leak Co");
    Person user = journeys.invite(admin, "USER");
    assertThat(policy(admin, new JsonObject().put("maxFailedAttempts", 1)).status()).isEqualTo(200);
    // What a replica killed mid-check leaves behind: one reserved attempt, nobody to hand it back.
    server.sql("INSERT INTO login_leases (id, subject, expires_at) VALUES (gen_random_uuid(), ?, now() + interval '2 seconds')",
        user.id());
    // Steady traffic on the account while the leaked slot is held: each login waits for it, then passes.
    long started = System.currentTimeMillis();
    List<CompletableFuture<Http.Response>> steady = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      steady.add(http.post("/api/v1/auth/login").json(new JsonObject().put("email", user.email()).put("password", Journeys.PASSWORD))
          .sendAsync());
      TestServer.sleep(250);
    }
    for (CompletableFuture<Http.Response> f : steady) {
      Http.Response r = f.join();
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }
    assertThat(System.currentTimeMillis() - started).as("the first logins waited for the leaked lease").isGreaterThan(1_900);
    assertThat(server.count("SELECT count(*) FROM login_leases WHERE subject = ? AND expires_at > now()", user.id())).isZero();
  }

  // ---- 4: lost updates --------------------------------------------------------------------

  @Test
  void item4_concurrentPolicyChangesOfDifferentFieldsBothStay() {
    Person admin = journeys.newOrgWithRootAdmin("Race Policy Co");
    for (int round = 0; round < 12; round++) {
      int minLength = 13 + round;
      String lockout = "PT" + (round + 2) + "M";
      CompletableFuture<Http.Response> a = http.put("/api/v1/organization/password-policy").bearer(admin.accessToken())
          .json(new JsonObject().put("minLength", minLength)).sendAsync();
      CompletableFuture<Http.Response> b = http.put("/api/v1/organization/password-policy").bearer(admin.accessToken())
          .json(new JsonObject().put("lockoutDuration", lockout)).sendAsync();
      assertThat(a.join().status()).isEqualTo(200);
      assertThat(b.join().status()).isEqualTo(200);
      JsonObject now = http.get("/api/v1/organization/password-policy").bearer(admin.accessToken()).send().json();
      assertThat(now.getInteger("minLength")).as("round " + round).isEqualTo(minLength);
      assertThat(now.getString("lockoutDuration")).as("round " + round).isEqualTo(lockout);
    }
  }

  @Test
  void item4_concurrentScimPatchesOfDifferentAttributesBothStay() {
    String id = scimCreate(Journeys.uniqueEmail("patched")).json().getString("id");
    for (int round = 0; round < 12; round++) {
      String given = "Given" + round;
      String external = "ext-" + round;
      CompletableFuture<Http.Response> a = scimPatch(id, new JsonObject().put("op", "replace").put("path", "name.givenName").put("value", given));
      CompletableFuture<Http.Response> b = scimPatch(id, new JsonObject().put("op", "replace").put("path", "externalId").put("value", external));
      assertThat(a.join().status()).isEqualTo(200);
      assertThat(b.join().status()).isEqualTo(200);
      JsonObject now = http.get("/scim/v2/Users/" + id).bearer(scimToken).send().json();
      assertThat(now.getJsonObject("name").getString("givenName")).as("round " + round).isEqualTo(given);
      assertThat(now.getString("externalId")).as("round " + round).isEqualTo(external);
    }
  }

  @Test
  void item4_ifMatchLetsExactlyOneOfTwoConcurrentEditsThrough() {
    JsonObject user = journeys.create(root, Journeys.uniqueEmail("etag"), "USER");
    for (int round = 0; round < 5; round++) {
      String etag = http.get("/api/v1/users/" + user.getString("id")).bearer(root.accessToken()).send().header("ETag");
      List<Http.Response> answers = Http.concurrently(2, () -> http.patch("/api/v1/users/" + user.getString("id"))
          .bearer(root.accessToken()).header("If-Match", etag).json(new JsonObject().put("firstName", "Edit" + UUID.randomUUID())));
      assertThat(answers).extracting(Http.Response::status).containsExactlyInAnyOrder(200, 412);
    }
  }

  // ---- 5: SCIM rename of an invited user ----------------------------------------------------

  @Test
  void item5_scimRenameOfAnInvitedUserVoidsTheOldLinkAndInvitesTheNewAddress() {
    for (String how : List.of("PUT", "PATCH")) {
      String before = Journeys.uniqueEmail("old-" + how.toLowerCase());
      String after = Journeys.uniqueEmail("new-" + how.toLowerCase());
      Http.Response created = scimCreate(before);
      String id = created.json().getString("id");
      TestServer.Mail first = server.awaitMail(before, "invitation");
      Http.Response renamed = how.equals("PUT")
          ? http.put("/scim/v2/Users/" + id).bearer(scimToken).raw(scimUser(after).encode(), "application/scim+json").send()
          : scimPatch(id, new JsonObject().put("op", "replace").put("path", "userName").put("value", after)).join();
      assertThat(renamed.status()).as(renamed.toString()).isEqualTo(200);
      assertThat(renamed.json().getString("userName")).isEqualTo(after);

      Http.Response old = http.post("/api/v1/invitations/accept")
          .json(new JsonObject().put("token", first.token()).put("password", Journeys.PASSWORD)).send();
      assertThat(old.status()).as(how + ": the old link is dead " + old).isEqualTo(400);
      assertThat(old.code()).isEqualTo("INVALID_TOKEN");
      journeys.acceptAndEnroll(after, Journeys.PASSWORD);
    }
  }

  // ---- 6: introspection answers the live role -----------------------------------------------

  @Test
  void item6_introspectionAnswersTheCurrentRoleAndInactiveOnceTheSessionIsGone() {
    Person user = journeys.invite(root, "USER");
    assertThat(introspect(user.accessToken()).getString("role")).isEqualTo("USER");
    Http.Response changed = http.patch("/api/v1/users/" + user.id()).bearer(root.accessToken())
        .json(new JsonObject().put("role", "BILLING_AND_PURCHASING")).send();
    assertThat(changed.status()).isEqualTo(200);
    JsonObject after = introspect(user.accessToken());
    assertThat(after.getBoolean("active")).isTrue();
    assertThat(after.getString("role")).isEqualTo("BILLING_AND_PURCHASING");
    assertThat(http.delete("/api/v1/users/" + user.id()).bearer(root.accessToken()).send().status()).isEqualTo(204);
    assertThat(introspect(user.accessToken())).isEqualTo(new JsonObject().put("active", false));
  }

  private static JsonObject introspect(String token) {
    return http.post("/api/v1/auth/introspect").json(new JsonObject().put("token", token)).send().json();
  }

  // ---- 7: own password change -----------------------------------------------------------------

  @Test
  void item7_passwordChangeOfAUserDeletedMeanwhileIs401() {
    Person user = journeys.invite(root, "USER");
    assertThat(http.get("/api/v1/me").bearer(user.accessToken()).send().status()).isEqualTo(200); // the session is cached now
    // The race: the account disappears between the token check and the command (no notice reaches the cache).
    server.sql("DELETE FROM users WHERE id = ?::uuid", user.id());
    Http.Response r = http.post("/api/v1/me/password").bearer(user.accessToken())
        .json(new JsonObject().put("currentPassword", Journeys.PASSWORD).put("newPassword", "Another-Horse-43!")).send();
    assertThat(r.status()).as(r.toString()).isEqualTo(401);
    assertThat(r.code()).isEqualTo("UNAUTHENTICATED");
  }

  @Test
  void item7_aStoredHashThatCannotBeReadHandsTheReservationBackAndIsNo500() {
    Person user = journeys.invite(root, "USER");
    server.sql("UPDATE users SET password_hash = 'not-a-phc-string' WHERE id = ?::uuid", user.id());
    Http.Response r = http.post("/api/v1/me/password").bearer(user.accessToken())
        .json(new JsonObject().put("currentPassword", Journeys.PASSWORD).put("newPassword", "Another-Horse-43!")).send();
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(server.count("SELECT count(*) FROM login_leases WHERE subject = ?", user.id())).isZero();
  }

  // ---- 8: an unknown refresh token does not flush the session cache -------------------------

  @Test
  void item8_aRandomRefreshTokenLeavesTheSessionCacheAlone() {
    Person user = journeys.invite(root, "USER");
    assertThat(http.get("/api/v1/me").bearer(user.accessToken()).send().status()).isEqualTo(200);
    int cached = server.roster.sessions().size();
    assertThat(cached).isPositive();
    for (int i = 0; i < 5; i++) {
      Http.Response r = http.post("/api/v1/auth/refresh").json(new JsonObject().put("refreshToken", "x".repeat(43) + i)).send();
      assertThat(r.status()).isEqualTo(401);
    }
    assertThat(server.roster.sessions().size()).isEqualTo(cached);
  }

  // ---- 9: invalid UTF-8 ------------------------------------------------------------------

  @Test
  void item9_invalidUtf8IsMalformedAndChangesNothing() {
    Person user = journeys.invite(root, "USER");
    byte[] head = "{\"firstName\":\"".getBytes(StandardCharsets.US_ASCII);
    byte[] body = new byte[head.length + 4];
    System.arraycopy(head, 0, body, 0, head.length);
    body[head.length] = (byte) 0xff;
    body[head.length + 1] = (byte) 0xfe;
    body[head.length + 2] = '"';
    body[head.length + 3] = '}';
    Http.Response me = http.patch("/api/v1/me").bearer(user.accessToken()).bytes(body, "application/json").send();
    assertThat(me.status()).as(me.toString()).isEqualTo(400);
    assertThat(me.code()).isEqualTo("MALFORMED_REQUEST");
    assertThat(http.get("/api/v1/me").bearer(user.accessToken()).send().json().getString("firstName")).isEqualTo("Ulla");
    Http.Response create = http.post("/api/v1/users").bearer(root.accessToken()).bytes(
        ("{\"email\":\"utf8@example.test\",\"firstName\":\"A\",\"lastName\":\"" + "\u00e9" + "\",\"role\":\"USER\"}")
            .replace("\u00e9", "\u0000").getBytes(StandardCharsets.ISO_8859_1), "application/json").send();
    assertThat(create.status()).isEqualTo(400);
    byte[] latin1 = "{\"email\":\"zo\u00eb@example.test\",\"password\":\"x\"}".getBytes(StandardCharsets.ISO_8859_1);
    Http.Response loginLatin1 = http.post("/api/v1/auth/login").bytes(latin1, "application/json").send();
    assertThat(loginLatin1.status()).isEqualTo(400);
    assertThat(loginLatin1.code()).isEqualTo("MALFORMED_REQUEST");
  }

  // ---- 10: one authentication per request ------------------------------------------------

  @Test
  void item10_eachRequestVerifiesItsTokenOnce() {
    for (String path : List.of("/api/v1/users", "/api/v1/users/" + root.id(), "/api/v1/me", "/api/v1/organization/password-policy")) {
      double before = metric("roster_access_token_verifications_total");
      assertThat(http.get(path).bearer(root.accessToken()).send().status()).as(path).isEqualTo(200);
      assertThat(metric("roster_access_token_verifications_total") - before).as(path).isEqualTo(1.0);
    }
  }

  static double metric(String name) {
    return server.metric(name);
  }

  // ---- 13: huge group lists ---------------------------------------------------------------

  @Test
  void item13_theWorstGroupsBodyIsRefusedQuicklyWhileTheServerStaysResponsive() throws Exception {
    JsonArray groups = new JsonArray();
    IntStream.range(0, 100_000).forEach(i -> groups.add("g" + i));
    JsonObject worst = new JsonObject().put("email", "groups@example.test").put("firstName", "G").put("lastName", "G")
        .put("role", "USER").put("groups", groups);
    assertThat(worst.encode().length()).isLessThan(1024 * 1024);
    List<Long> liveMillis = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      CompletableFuture<Http.Response> attack = http.post("/api/v1/users").bearer(root.accessToken()).json(worst).sendAsync();
      while (!attack.isDone()) {
        long t0 = System.nanoTime();
        assertThat(http.get("/health/live").send().status()).isEqualTo(200);
        liveMillis.add((System.nanoTime() - t0) / 1_000_000);
      }
      Http.Response r = attack.join();
      assertThat(r.status()).as(r.toString()).isEqualTo(400);
      assertThat(r.code()).isEqualTo("VALIDATION_FAILED");
    }
    assertThat(liveMillis).allMatch(ms -> ms < 100);
    JsonArray hundred = new JsonArray();
    IntStream.range(0, 100).forEach(i -> hundred.add("team-" + i));
    assertThat(createWithGroups(hundred).status()).isEqualTo(201);
    assertThat(createWithGroups(hundred.copy().add("one-too-many")).status()).isEqualTo(400);
    assertThat(createWithGroups(new JsonArray().add("x".repeat(101))).status()).isEqualTo(400);
    assertThat(createWithGroups(new JsonArray().add("\uD83D\uDE00".repeat(100))).status()).as("100 code points").isEqualTo(201);
    Http.Response sso = http.post("/api/v1/sso/integrations").bearer(root.accessToken()).json(new JsonObject()
        .put("name", "Big").put("module", "m").put("mappedGroups", groups)).send();
    assertThat(sso.status()).isEqualTo(400);
  }

  private static Http.Response createWithGroups(JsonArray groups) {
    return http.post("/api/v1/users").bearer(root.accessToken()).json(new JsonObject().put("email", Journeys.uniqueEmail("g"))
        .put("firstName", "G").put("lastName", "G").put("role", "USER").put("groups", groups)).send();
  }

  // ---- 14: control characters --------------------------------------------------------------

  @Test
  void item14_controlCharactersAreRefusedOnceInValidationNever500() {
    String nul = "a\u0000b";
    Http.Response loginNul = login("root\u0000@example.test", "whatever");
    assertThat(loginNul.status()).as(loginNul.toString()).isEqualTo(401);
    assertThat(loginNul.code()).isEqualTo("INVALID_CREDENTIALS");
    Http.Response forgot = http.post("/api/v1/auth/password/forgot").json(new JsonObject().put("email", "x\u0000@y.test")).send();
    assertThat(forgot.status()).isEqualTo(202);

    JsonObject user = journeys.create(root, Journeys.uniqueEmail("ctl"), "USER");
    assertThat(createWithGroups(new JsonArray().add(nul)).status()).isEqualTo(400);
    Http.Response split = createWithGroups(new JsonArray().add("staff\u001fadmins"));
    assertThat(split.status()).as("a control character does not split a group").isEqualTo(400);
    Http.Response patch = http.patch("/api/v1/users/" + user.getString("id")).bearer(root.accessToken())
        .json(new JsonObject().put("groups", new JsonArray().add(nul))).send();
    assertThat(patch.status()).isEqualTo(400);
    assertThat(patch.code()).isEqualTo("VALIDATION_FAILED");
    Http.Response sso = http.post("/api/v1/sso/integrations").bearer(root.accessToken())
        .json(new JsonObject().put("name", "S").put("module", "m").put("mappedGroups", new JsonArray().add(nul))).send();
    assertThat(sso.status()).isEqualTo(400);
    String integration = http.post("/api/v1/sso/integrations").bearer(root.accessToken())
        .json(new JsonObject().put("name", "S").put("module", "m").put("mappedGroups", new JsonArray().add("staff"))).send()
        .json().getString("id");
    Http.Response memberships = http.put("/api/v1/sso/integrations/" + integration + "/memberships").bearer(root.accessToken())
        .json(new JsonObject().put("memberships", new JsonArray().add(new JsonObject().put("email", user.getString("email"))
            .put("groups", new JsonArray().add("staff\u001fadmins"))))).send();
    assertThat(memberships.status()).isEqualTo(400);
    assertThat(http.get("/api/v1/users/" + user.getString("id")).bearer(root.accessToken()).send().json().getJsonArray("groups"))
        .isEmpty();

    Http.Response scim = http.post("/scim/v2/Users").bearer(scimToken)
        .raw(scimUser(Journeys.uniqueEmail("scimctl")).put("externalId", nul).encode(), "application/scim+json").send();
    assertThat(scim.status()).as(scim.toString()).isEqualTo(400);
    assertThat(scim.json().getString("scimType")).isEqualTo("invalidValue");
    Http.Response filter = http.get("/scim/v2/Users?filter=" + java.net.URLEncoder.encode("userName eq \"a\u0000b@x.test\"",
        StandardCharsets.UTF_8)).bearer(scimToken).send();
    assertThat(filter.status()).as(filter.toString()).isEqualTo(400);
    assertThat(filter.json().getString("scimType")).isEqualTo("invalidFilter");
    Http.Response name = http.patch("/api/v1/me").bearer(root.accessToken()).json(new JsonObject().put("firstName", nul)).send();
    assertThat(name.status()).isEqualTo(400);
  }

  // ---- 15: numbers out of range ------------------------------------------------------------

  @Test
  void item15_numbersOutOfRangeAreRefusedNeverWrapped() {
    Person admin = journeys.newOrgWithRootAdmin("Numbers Co");
    JsonObject before = http.get("/api/v1/organization/password-policy").bearer(admin.accessToken()).send().json();
    for (String raw : List.of("18446744073709551621", "4294967301", "-18446744073709551611", "5.5", "1e400")) {
      Http.Response r = http.put("/api/v1/organization/password-policy").bearer(admin.accessToken())
          .json("{\"maxFailedAttempts\":" + raw + "}").send();
      assertThat(r.status()).as(raw + " " + r).isEqualTo(400);
      assertThat(r.code()).isEqualTo("VALIDATION_FAILED");
    }
    assertThat(http.get("/api/v1/organization/password-policy").bearer(admin.accessToken()).send().json()).isEqualTo(before);
    assertThat(http.put("/api/v1/organization/password-policy").bearer(admin.accessToken()).json("{\"maxFailedAttempts\":7.0}")
        .send().json().getInteger("maxFailedAttempts")).isEqualTo(7);
  }

  // ---- helpers -----------------------------------------------------------------------------

  static JsonObject scimUser(String email) {
    return new JsonObject().put("schemas", new JsonArray().add("urn:ietf:params:scim:schemas:core:2.0:User"))
        .put("userName", email).put("name", new JsonObject().put("givenName", "Sam").put("familyName", "Scim"));
  }

  static Http.Response scimCreate(String email) {
    Http.Response r = http.post("/scim/v2/Users").bearer(scimToken).raw(scimUser(email).encode(), "application/scim+json").send();
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r;
  }

  static CompletableFuture<Http.Response> scimPatch(String id, JsonObject op) {
    JsonObject body = new JsonObject().put("schemas", new JsonArray().add("urn:ietf:params:scim:api:messages:2.0:PatchOp"))
        .put("Operations", new JsonArray().add(op));
    return http.patch("/scim/v2/Users/" + id).bearer(scimToken).raw(body.encode(), "application/scim+json").sendAsync();
  }
}
