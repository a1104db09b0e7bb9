package io.roster.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.support.Http;
import io.roster.support.Journeys;
import io.roster.support.Journeys.Person;
import io.roster.support.ServerTest;
import io.roster.support.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** Issue 9 item 1: an email change cannot take over an account. */
class EmailChangeTest extends ServerTest {

  private static String link(String to, String word) {
    String text = server.awaitMail(to, word).text();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("/verify-email\\?token=([A-Za-z0-9_-]{32,})").matcher(text);
    assertThat(m.find()).as(text).isTrue();
    return m.group(1);
  }

  @Test
  void anActiveUsersNewAddressWaitsForItsOwnLink() {
    Person root = journeys.newOrgWithRootAdmin("Takeover Ltd");
    Person victim = journeys.invite(root, "ADMIN");
    String attacker = Journeys.uniqueEmail("attacker");
    Http.Response changed = http.patch("/api/v1/users/" + victim.id()).bearer(root.accessToken())
        .json(new JsonObject().put("email", attacker)).send();
    assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
    assertThat(changed.json().getString("email")).isEqualTo(victim.email());
    assertThat(changed.json().getString("pendingEmail")).isEqualTo(attacker);
    assertThat(server.awaitMail(victim.email(), "changed").text()).contains(attacker);

    // Until the new address confirms, it owns nothing: no reset reaches it, the old one still signs in.
    assertThat(http.post("/api/v1/auth/password/forgot").json(new JsonObject().put("email", attacker)).send().status()).isEqualTo(202);
    TestServer.sleep(500);
    assertThat(server.mails(attacker).stream().noneMatch(m -> m.subject().toLowerCase().contains("reset"))).isTrue();
    assertThat(http.get("/api/v1/me").bearer(victim.accessToken()).send().status()).isEqualTo(200);

    String token = link(attacker, "verify");
    assertThat(http.post("/api/v1/auth/email/verify").json(new JsonObject().put("token", token)).send().status()).isEqualTo(204);
    Http.Response after = http.get("/api/v1/users/" + victim.id()).bearer(root.accessToken()).send();
    assertThat(after.json().getString("email")).isEqualTo(attacker);
    assertThat(after.json().getString("pendingEmail")).isNull();
    assertThat(http.get("/api/v1/me").bearer(victim.accessToken()).send().status()).as("sessions revoked").isEqualTo(401);
    Http.Response again = http.post("/api/v1/auth/email/verify").json(new JsonObject().put("token", token)).send();
    assertThat(again.status()).isEqualTo(400);
    assertThat(again.code()).isEqualTo("INVALID_TOKEN");
  }

  @Test
  void anAddressTakenMeanwhileIs409AndScimCannotRenameAnAdmin() {
    Person root = journeys.newOrgWithRootAdmin("Race Mail Ltd");
    Person user = journeys.invite(root, "USER");
    String wanted = Journeys.uniqueEmail("wanted");
    assertThat(http.patch("/api/v1/users/" + user.id()).bearer(root.accessToken()).json(new JsonObject().put("email", wanted))
        .send().status()).isEqualTo(200);
    String token = link(wanted, "verify");
    journeys.create(root, wanted, "USER"); // someone else gets the address first
    Http.Response late = http.post("/api/v1/auth/email/verify").json(new JsonObject().put("token", token)).send();
    assertThat(late.status()).as(late.toString()).isEqualTo(409);
    assertThat(late.code()).isEqualTo("EMAIL_TAKEN");

    String scim = http.post("/api/v1/organization/scim-tokens").bearer(root.accessToken()).json(new JsonObject().put("name", "idp"))
        .send().json().getString("token");
    JsonObject patch = new JsonObject().put("schemas", new JsonArray().add("urn:ietf:params:scim:api:messages:2.0:PatchOp"))
        .put("Operations", new JsonArray().add(new JsonObject().put("op", "replace").put("path", "userName")
            .put("value", Journeys.uniqueEmail("idp-owned"))));
    Http.Response r = http.patch("/scim/v2/Users/" + root.id()).bearer(scim).raw(patch.encode(), "application/scim+json").send();
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.json().getString("scimType")).isEqualTo("mutability");
  }
}
