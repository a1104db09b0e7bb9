package io.roster.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.support.Http;
import io.roster.support.Journeys;
import io.roster.support.Journeys.Person;
import io.roster.support.ServerTest;
import io.roster.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** API.md section 4: support creates organizations and promotes Root Admins. */
class SupportApiTest extends ServerTest {

  @Test
  void aMissingOrWrongKeyIsUnauthenticated() {
    Http.Response none = http.get("/api/v1/support/organizations").send();
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.code()).isEqualTo("UNAUTHENTICATED");
    assertThat(none.header("Content-Type")).isEqualTo("application/problem+json");
    Http.Response wrong = http.post("/api/v1/support/organizations").header("X-Support-Key", "nope")
        .json(new JsonObject().put("name", "X")).send();
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.code()).isEqualTo("UNAUTHENTICATED");
  }

  @Test
  void createsAnOrganizationWithAnInvitedRootAdmin() {
    Journeys.Org org = journeys.newOrg("  Northwind  ");
    Person root = journeys.acceptAndEnroll(org.rootEmail(), Journeys.PASSWORD);
    JsonObject me = http.get("/api/v1/me").bearer(root.accessToken()).send().json();
    assertThat(me.getString("id")).isEqualTo(org.rootAdminId());
    assertThat(me.getString("organizationId")).isEqualTo(org.id());
    assertThat(me.getBoolean("rootAdmin")).isTrue();
    assertThat(me.getString("role")).isEqualTo("ADMIN");
  }

  @Test
  void refusesBadOrganizationBodies() {
    Http.Response r = http.post("/api/v1/support/organizations").header("X-Support-Key", TestServer.SUPPORT_KEY)
        .json(new JsonObject().put("name", "   ").put("rootAdmin", new JsonObject().put("email", "nope").put("firstName", "A")))
        .send();
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.code()).isEqualTo("VALIDATION_FAILED");
    assertThat(r.json().getJsonArray("errors").encode())
        .contains("\"field\":\"name\"", "\"field\":\"rootAdmin.email\"", "\"field\":\"rootAdmin.lastName\"");
  }

  @Test
  void listsOrganizationsPageByPage() {
    for (int i = 0; i < 3; i++) {
      journeys.newOrg("Paged " + i);
    }
    Set<String> seen = new HashSet<>();
    String cursor = null;
    int pages = 0;
    do {
      Http.Response page = http.get("/api/v1/support/organizations?limit=2" + (cursor == null ? "" : "&cursor=" + cursor))
          .header("X-Support-Key", TestServer.SUPPORT_KEY).send();
      assertThat(page.status()).isEqualTo(200);
      assertThat(page.items().size()).isLessThanOrEqualTo(2);
      page.items().forEach(o -> assertThat(seen.add(((JsonObject) o).getString("id"))).isTrue());
      cursor = page.json().getString("nextCursor");
      pages++;
    } while (cursor != null);
    assertThat(seen.size()).isGreaterThanOrEqualTo(3);
    assertThat(pages).isGreaterThanOrEqualTo(2);
  }

  @Test
  void promotesAnActiveAdminAndTheFormerRootStaysAdmin() {
    Person root = journeys.newOrgWithRootAdmin("Promotions");
    Person admin = journeys.invite(root, "ADMIN");
    Person user = journeys.invite(root, "USER");
    String path = "/api/v1/support/organizations/" + root.orgId() + "/root-admin";

    Http.Response notAdmin = http.post(path).header("X-Support-Key", TestServer.SUPPORT_KEY)
        .json(new JsonObject().put("userId", user.id())).send();
    assertThat(notAdmin.status()).isEqualTo(400);

    Http.Response other = http.post(path).header("X-Support-Key", TestServer.SUPPORT_KEY)
        .json(new JsonObject().put("userId", journeys.newOrgWithRootAdmin("Elsewhere").id())).send();
    assertThat(other.status()).isEqualTo(404);

    Http.Response promoted = http.post(path).header("X-Support-Key", TestServer.SUPPORT_KEY)
        .json(new JsonObject().put("userId", admin.id())).send();
    assertThat(promoted.status()).as(promoted.toString()).isEqualTo(200);
    assertThat(promoted.json().getBoolean("rootAdmin")).isTrue();
    JsonObject former = http.get("/api/v1/users/" + root.id()).bearer(admin.accessToken()).send().json();
    assertThat(former.getBoolean("rootAdmin")).isFalse();
    assertThat(former.getString("role")).isEqualTo("ADMIN");
    assertThat(server.count("SELECT count(*) FROM users WHERE organization_id = ?::uuid AND root_admin", root.orgId())).isEqualTo(1);

    Http.Response badOrg = http.post("/api/v1/support/organizations/not-a-uuid/root-admin")
        .header("X-Support-Key", TestServer.SUPPORT_KEY).json(new JsonObject().put("userId", admin.id())).send();
    assertThat(badOrg.status()).isEqualTo(404);
  }

  @Test
  void withoutAConfiguredKeyTheSupportApiDoesNotExist() {
    try (TestServer noKey = server.replica(Map.of("SUPPORT_API_KEY", ""))) {
      Http.Response r = noKey.http.get("/api/v1/support/organizations").header("X-Support-Key", "").send();
      assertThat(r.status()).isEqualTo(404);
    }
  }
}
