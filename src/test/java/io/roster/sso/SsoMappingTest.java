package io.roster.sso;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.support.Http;
import io.roster.support.Journeys;
import io.roster.support.Journeys.Person;
import io.roster.support.ServerTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** SSO integrations and the mapping rules that deactivate people who left the mapped groups. */
class SsoMappingTest extends ServerTest {

  static JsonObject integration(Person admin, boolean rules, String... groups) {
    Http.Response r = http.post("/api/v1/sso/integrations").bearer(admin.accessToken())
        .json(new JsonObject().put("name", "Azure AD").put("module", "unified-login").put("enableMappingRules", rules)
            .put("mappedGroups", new JsonArray(java.util.List.of(groups)))).send();
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.json();
  }

  static JsonObject member(String email, String... groups) {
    return new JsonObject().put("email", email).put("groups", new JsonArray(java.util.List.of(groups)));
  }

  @Test
  void integrationsHaveCrud() {
    Person root = journeys.newOrgWithRootAdmin("Crud SSO");
    JsonObject made = integration(root, true, "staff", "admins");
    assertThat(made.getString("id")).isNotNull();
    assertThat(made.getJsonArray("mappedGroups").getList()).containsExactly("staff", "admins");
    String path = "/api/v1/sso/integrations/" + made.getString("id");
    assertThat(http.get(path).bearer(root.accessToken()).send().json()).isEqualTo(made);
    Http.Response put = http.put(path).bearer(root.accessToken())
        .json(new JsonObject().put("name", "Okta").put("module", "unified-login").put("enableMappingRules", false)).send();
    assertThat(put.status()).isEqualTo(200);
    assertThat(put.json().getString("name")).isEqualTo("Okta");
    assertThat(put.json().getJsonArray("mappedGroups")).isEmpty();
    assertThat(http.get("/api/v1/sso/integrations").bearer(root.accessToken()).send().items()).hasSize(1);
    assertThat(http.post("/api/v1/sso/integrations").bearer(root.accessToken()).json(new JsonObject().put("name", "")).send().status())
        .isEqualTo(400);
    Person other = journeys.newOrgWithRootAdmin("Other SSO");
    assertThat(http.get(path).bearer(other.accessToken()).send().status()).isEqualTo(404);
    assertThat(http.delete(path).bearer(other.accessToken()).send().status()).isEqualTo(404);
    Person user = journeys.invite(root, "USER");
    assertThat(http.get("/api/v1/sso/integrations").bearer(user.accessToken()).send().status()).isEqualTo(403);
    assertThat(http.delete(path).bearer(root.accessToken()).send().status()).isEqualTo(204);
    assertThat(http.get(path).bearer(root.accessToken()).send().status()).isEqualTo(404);
  }

  @Test
  void mappingRulesDeactivateEveryoneOutsideTheMappedGroups() {
    Person root = journeys.newOrgWithRootAdmin("Mapped Org");
    Person stays = journeys.invite(root, "USER");
    Person leaves = journeys.invite(root, "ADMIN");
    String invitedEmail = Journeys.uniqueEmail("pending");
    String invitedId = journeys.create(root, invitedEmail, "USER").getString("id");
    JsonObject sso = integration(root, true, "staff");

    Http.Response applied = http.put("/api/v1/sso/integrations/" + sso.getString("id") + "/memberships").bearer(root.accessToken())
        .json(new JsonObject().put("memberships", new JsonArray()
            .add(member(stays.email(), "staff", "emea"))
            .add(member(leaves.email().toUpperCase(), "contractors"))
            .add(member("stranger@nowhere.test", "staff"))))
        .send();
    assertThat(applied.status()).as(applied.toString()).isEqualTo(200);
    assertThat(applied.json().getInteger("updated")).isEqualTo(2);
    assertThat(applied.json().getJsonArray("deactivated").getList()).containsExactlyInAnyOrder(leaves.id(), invitedId);

    JsonObject gone = http.get("/api/v1/users/" + leaves.id()).bearer(root.accessToken()).send().json();
    assertThat(gone.getString("status")).isEqualTo("DEACTIVATED");
    assertThat(gone.getString("deactivationReason")).isEqualTo("SSO_MAPPING");
    assertThat(gone.getJsonArray("groups").getList()).containsExactly("contractors");
    assertThat(gone.getString("role")).isEqualTo("ADMIN");
    assertThat(http.get("/api/v1/me").bearer(leaves.accessToken()).send().status()).as("token refused").isEqualTo(401);
    assertThat(http.get("/api/v1/me").bearer(stays.accessToken()).send().status()).isEqualTo(200);
    assertThat(http.get("/api/v1/me").bearer(root.accessToken()).send().status()).as("Root Admin excepted").isEqualTo(200);
    assertThat(http.get("/api/v1/users/" + stays.id()).bearer(root.accessToken()).send().json().getJsonArray("groups").getList())
        .containsExactly("staff", "emea");

    JsonObject event = http.get("/api/v1/audit-events?userId=" + leaves.id()).bearer(root.accessToken()).send().items().getJsonObject(0);
    assertThat(event.getString("action")).isEqualTo("USER_DEACTIVATED");
    assertThat(event.getString("actorId")).isNull();

    // An admin can bring them back; a second application with the same memberships changes no one else.
    assertThat(http.post("/api/v1/users/" + leaves.id() + "/activate").bearer(root.accessToken()).send().status()).isEqualTo(200);
    Http.Response again = http.put("/api/v1/sso/integrations/" + sso.getString("id") + "/memberships").bearer(root.accessToken())
        .json(new JsonObject().put("memberships", new JsonArray().add(member(leaves.email(), "staff")))).send();
    assertThat(again.json().getJsonArray("deactivated")).isEmpty();
  }

  @Test
  void withoutMappingRulesMembershipsOnlySetGroups() {
    Person root = journeys.newOrgWithRootAdmin("Unmapped Org");
    Person user = journeys.invite(root, "USER");
    JsonObject sso = integration(root, false, "staff");
    Http.Response applied = http.put("/api/v1/sso/integrations/" + sso.getString("id") + "/memberships").bearer(root.accessToken())
        .json(new JsonObject().put("memberships", new JsonArray().add(member(user.email(), "other")))).send();
    assertThat(applied.json().getJsonArray("deactivated")).isEmpty();
    assertThat(http.get("/api/v1/users/" + user.id()).bearer(root.accessToken()).send().json().getString("status")).isEqualTo("ACTIVE");
    Http.Response bad = http.put("/api/v1/sso/integrations/" + sso.getString("id") + "/memberships").bearer(root.accessToken())
        .json(new JsonObject().put("memberships", new JsonArray().add(new JsonObject().put("email", "nope")))).send();
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().getJsonArray("errors")).as(bad.toString()).isNotNull();
    assertThat(bad.json().getJsonArray("errors").encode()).contains("memberships[0].email", "memberships[0].groups");
  }
}
