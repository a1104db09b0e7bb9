package io.roster.scim;

import static io.roster.scim.ScimTest.assertScimError;
import static io.roster.scim.ScimTest.op;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.unboundid.scim2.client.ScimService;
import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.messages.ListResponse;
import com.unboundid.scim2.common.types.GroupResource;
import com.unboundid.scim2.common.types.Member;
import io.roster.support.Http;
import io.roster.support.Journeys;
import io.roster.support.Journeys.Person;
import io.roster.support.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.ws.rs.client.Client;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 item 1: the SCIM Group resource, driven by the UnboundID SCIM 2 client and by raw
 * requests shaped as Okta's and Entra ID's group pushes; group pushes feed the SSO mapping
 * rules, on two replicas of one database at once.
 */
class ScimGroupsTest {
  static final String GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
  static TestServer a;
  static TestServer b;
  static Journeys journeys;
  static Client client;

  @BeforeAll
  static void start() {
    a = TestServer.start();
    b = a.replica(Map.of());
    journeys = new Journeys(a);
    client = ScimTest.newClient();
  }

  @AfterAll
  static void stop() {
    client.close();
    b.close();
    a.close();
  }

  /** An organization with its Root Admin signed in and a SCIM token. */
  record Tenant(Person admin, String token) {
    ScimService scim() {
      return ScimTest.service(client, a.http, token);
    }

    Http.Response send(TestServer on, String method, String path, JsonObject body) {
      Http.Call call = switch (method) {
        case "POST" -> on.http.post(path);
        case "PUT" -> on.http.put(path);
        case "DELETE" -> on.http.delete(path);
        default -> on.http.get(path);
      };
      call = call.bearer(token);
      return body == null ? call.send() : call.raw(body.encode(), "application/scim+json").send();
    }

    Http.Response patch(TestServer on, String groupId, JsonObject... operations) {
      return patchAsync(on, groupId, operations).join();
    }

    CompletableFuture<Http.Response> patchAsync(TestServer on, String groupId, JsonObject... operations) {
      return on.http.patch("/scim/v2/Groups/" + groupId).bearer(token)
          .raw(ScimTest.patchOp(new JsonArray(List.of((Object[]) operations))).encode(), "application/scim+json").sendAsync();
    }

    /** A user provisioned over SCIM (INVITED); answers its id. */
    String user(String email) {
      Http.Response r = send(a, "POST", "/scim/v2/Users", ScimTest.userBody(email));
      assertThat(r.status()).as(r.toString()).isEqualTo(201);
      return r.json().getString("id");
    }

    JsonObject rosterUser(String id) {
      return a.http.get("/api/v1/users/" + id).bearer(admin.accessToken()).send().json();
    }

    List<String> groupsOf(String id) {
      return rosterUser(id).getJsonArray("groups").stream().map(String::valueOf).toList();
    }
  }

  static Tenant tenant(String name) {
    Person admin = journeys.newOrgWithRootAdmin(name);
    return new Tenant(admin, ScimTest.newToken(a.http, admin, "IdP"));
  }

  static JsonObject groupBody(String name, String... memberIds) {
    return new JsonObject().put("schemas", new JsonArray().add(GROUP_SCHEMA)).put("displayName", name).put("members", members(memberIds));
  }

  static JsonArray members(String... ids) {
    JsonArray out = new JsonArray();
    for (String id : ids) {
      out.add(new JsonObject().put("value", id));
    }
    return out;
  }

  static String filter(String f) {
    return URLEncoder.encode(f, StandardCharsets.UTF_8);
  }

  @Test
  void theClientLibraryManagesGroupsAndTheirMembers() throws ScimException {
    Tenant t = tenant("Grouped Ltd");
    ScimService scim = t.scim();
    String ann = t.user(Journeys.uniqueEmail("ann"));
    String bob = t.user(Journeys.uniqueEmail("bob"));

    GroupResource engineering = new GroupResource().setDisplayName("Engineering").setMembers(List.of(new Member().setValue(ann)));
    engineering.setExternalId("okta-grp-1");
    GroupResource created = scim.create("Groups", engineering);
    assertThat(created.getId()).isNotNull();
    assertThat(created.getMeta().getResourceType()).isEqualTo("Group");
    assertThat(created.getMeta().getLocation().toString()).endsWith("/scim/v2/Groups/" + created.getId());
    assertThat(created.getExternalId()).isEqualTo("okta-grp-1");
    assertThat(created.getMembers()).extracting(Member::getValue).containsExactly(ann);
    assertThat(t.groupsOf(ann)).containsExactly("Engineering");

    // Users show their groups (read-only, RFC 7643 section 4.1.2).
    JsonObject annScim = t.send(a, "GET", "/scim/v2/Users/" + ann, null).json();
    assertThat(annScim.getJsonArray("groups").getJsonObject(0).getString("value")).isEqualTo(created.getId());
    assertThat(annScim.getJsonArray("groups").getJsonObject(0).getString("display")).isEqualTo("Engineering");

    ListResponse<GroupResource> found = scim.searchRequest("Groups").filter("displayName eq \"engineering\"").invoke(GroupResource.class);
    assertThat(found.getTotalResults()).isEqualTo(1);
    assertThat(scim.searchRequest("Groups").filter("externalId eq \"okta-grp-1\"").invoke(GroupResource.class).getTotalResults())
        .isEqualTo(1);
    assertThat(scim.searchRequest("Groups").filter("id eq \"" + created.getId() + "\"").invoke(GroupResource.class).getTotalResults())
        .isEqualTo(1);

    GroupResource added = scim.modifyRequest("Groups", created.getId()).addValues("members", new Member().setValue(bob))
        .invoke(GroupResource.class);
    assertThat(added.getMembers()).extracting(Member::getValue).containsExactlyInAnyOrder(ann, bob);
    GroupResource removed = scim.modifyRequest("Groups", created.getId()).removeValues("members[value eq \"" + ann + "\"]")
        .invoke(GroupResource.class);
    assertThat(removed.getMembers()).extracting(Member::getValue).containsExactly(bob);
    assertThat(t.groupsOf(ann)).isEmpty();

    // A rename moves the members with it.
    GroupResource renamed = scim.modifyRequest("Groups", created.getId()).replaceValue("displayName", "R&D").invoke(GroupResource.class);
    assertThat(renamed.getDisplayName()).isEqualTo("R&D");
    assertThat(t.groupsOf(bob)).containsExactly("R&D");

    GroupResource replaced = scim.replaceRequest(java.net.URI.create(a.http.base() + "/scim/v2/Groups/" + created.getId()),
        new GroupResource().setDisplayName("R&D").setMembers(List.of(new Member().setValue(ann)))).invoke();
    assertThat(replaced.getMembers()).extracting(Member::getValue).containsExactly(ann);
    assertThat(t.groupsOf(bob)).isEmpty();

    // The management API lists groups with their member counts.
    scim.create("Groups", new GroupResource().setDisplayName("Empty"));
    Http.Response groups = a.http.get("/api/v1/groups").bearer(t.admin().accessToken()).send();
    assertThat(groups.status()).as(groups.toString()).isEqualTo(200);
    assertThat(groups.items().stream().map(g -> ((JsonObject) g).getString("name") + "=" + ((JsonObject) g).getLong("memberCount")))
        .containsExactly("Empty=0", "R&D=1");
    assertThat(groups.items().getJsonObject(1).getString("scimId")).isEqualTo(created.getId());
    Http.Response page = a.http.get("/api/v1/groups?limit=1").bearer(t.admin().accessToken()).send();
    assertThat(page.items()).hasSize(1);
    Http.Response next = a.http.get("/api/v1/groups?limit=1&cursor=" + page.json().getString("nextCursor"))
        .bearer(t.admin().accessToken()).send();
    assertThat(next.items().getJsonObject(0).getString("name")).isEqualTo("R&D");
    Person user = journeys.invite(t.admin(), "USER");
    assertThat(a.http.get("/api/v1/groups").bearer(user.accessToken()).send().status()).isEqualTo(403);

    scim.delete("Groups", created.getId());
    assertThat(t.groupsOf(ann)).isEmpty();
    assertThatThrownBy(() -> scim.retrieve("Groups", created.getId(), GroupResource.class))
        .isInstanceOfSatisfying(ScimException.class, e -> assertThat(e.getScimError().getStatus()).isEqualTo(404));
  }

  @Test
  void groupPushesShapedAsOktaAndEntraSendThem() {
    Tenant t = tenant("Pushed Inc");
    String ann = t.user(Journeys.uniqueEmail("ann"));
    String bob = t.user(Journeys.uniqueEmail("bob"));

    // Okta: create empty, list without members, add with a path, remove with a filter path, rename without a path.
    Http.Response created = t.send(a, "POST", "/scim/v2/Groups", groupBody("Support"));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    assertThat(created.header("Location")).endsWith(created.json().getString("id"));
    assertThat(created.header("Content-Type")).isEqualTo("application/scim+json");
    String id = created.json().getString("id");
    Http.Response okta = t.patch(a, id, op("add", "members", members(ann, bob)));
    assertThat(okta.status()).as(okta.toString()).isEqualTo(200);
    assertThat(okta.json().getJsonArray("members").size()).isEqualTo(2);
    JsonObject listed = t.send(a, "GET", "/scim/v2/Groups?filter=" + filter("displayName eq \"Support\"")
        + "&excludedAttributes=members&startIndex=1&count=100", null).json();
    assertThat(listed.getInteger("totalResults")).isEqualTo(1);
    assertThat(listed.getJsonArray("Resources").getJsonObject(0).containsKey("members")).isFalse();
    assertThat(t.patch(a, id, op("remove", "members[value eq \"" + ann + "\"]", null)).json().getJsonArray("members").size())
        .isEqualTo(1);
    Http.Response rename = t.patch(a, id, op("replace", null, new JsonObject().put("id", id).put("displayName", "Customer Support")));
    assertThat(rename.json().getString("displayName")).isEqualTo("Customer Support");
    assertThat(t.groupsOf(bob)).containsExactly("Customer Support");

    // Entra: capitalised ops, members removed by value, displayName by path.
    assertThat(t.patch(a, id, op("Add", "members", members(ann))).json().getJsonArray("members").size()).isEqualTo(2);
    Http.Response entra = t.patch(a, id, op("Remove", "members", members(bob)));
    assertThat(entra.json().getJsonArray("members").getJsonObject(0).getString("value")).isEqualTo(ann);
    assertThat(t.patch(a, id, op("Replace", "displayName", "Helpdesk")).json().getString("displayName")).isEqualTo("Helpdesk");
    assertThat(t.patch(a, id, op("replace", "members", new JsonArray())).json().getJsonArray("members")).isEmpty();
    assertThat(t.groupsOf(ann)).isEmpty();
    JsonObject only = t.send(a, "GET", "/scim/v2/Groups/" + id + "?attributes=displayName", null).json();
    assertThat(only.fieldNames()).containsExactlyInAnyOrder("schemas", "id", "displayName");

    // Refusals change nothing and use the SCIM shape.
    JsonObject noSchema = groupBody("Nameless");
    noSchema.remove("schemas");
    assertScimError(t.send(a, "POST", "/scim/v2/Groups", noSchema), 400, "invalidSyntax");
    assertScimError(t.send(a, "POST", "/scim/v2/Groups", groupBody("helpdesk")), 409, "uniqueness");
    // A rename onto a taken name is refused whole: the members keep the group's own name.
    String escalations = t.send(a, "POST", "/scim/v2/Groups", groupBody("Escalations", ann)).json().getString("id");
    assertScimError(t.patch(a, escalations, op("replace", "displayName", "HELPDESK")), 409, "uniqueness");
    assertThat(t.groupsOf(ann)).containsExactly("Escalations");
    assertScimError(t.send(a, "POST", "/scim/v2/Groups", groupBody("")), 400, "invalidValue");
    // Two replicas creating one name at once (case aside): one group, and a 409 for the other.
    for (int round = 0; round < 3; round++) {
      String name = "Night Shift " + round;
      CompletableFuture<Http.Response> one = a.http.post("/scim/v2/Groups").bearer(t.token())
          .raw(groupBody(name).encode(), "application/scim+json").sendAsync();
      CompletableFuture<Http.Response> two = b.http.post("/scim/v2/Groups").bearer(t.token())
          .raw(groupBody(name.toUpperCase()).encode(), "application/scim+json").sendAsync();
      assertThat(List.of(one.join().status(), two.join().status())).as(one.join() + " / " + two.join())
          .containsExactlyInAnyOrder(201, 409);
      assertScimError(one.join().status() == 409 ? one.join() : two.join(), 409, "uniqueness");
    }
    Tenant other = tenant("Elsewhere");
    String foreigner = other.user(Journeys.uniqueEmail("foreign"));
    assertScimError(t.patch(a, id, op("add", "members", members(foreigner))), 400, "invalidValue");
    assertScimError(t.patch(a, id, op("add", "members", new JsonArray().add(new JsonObject().put("value", "nope")))), 400, "invalidValue");
    assertScimError(t.patch(a, id, op("replace", "members", null)), 400, "invalidValue");
    assertScimError(t.patch(a, id, op("remove", null, null)), 400, "noTarget");
    assertScimError(t.patch(a, id, op("replace", "owner", "x")), 400, "invalidPath");
    assertScimError(t.send(a, "GET", "/scim/v2/Groups?filter=" + filter("displayName co \"Help\""), null), 400, "invalidFilter");
    assertThat(other.groupsOf(foreigner)).isEmpty();
    assertScimError(other.send(a, "GET", "/scim/v2/Groups/" + id, null), 404, null);
    assertScimError(t.send(a, "GET", "/scim/v2/Groups/00000000-0000-0000-0000-000000000000", null), 404, null);
    assertScimError(t.send(a, "DELETE", "/scim/v2/Groups", null), 405, null);
  }

  /**
   * The SSO mapping rule as group pushes drive it: a user removed from every mapped group is
   * deactivated (reason SSO_MAPPING); two replicas applying pushes at the same time write one
   * USER_DEACTIVATED per user.
   */
  @Test
  void groupPushesDeactivateThroughTheMappingRulesOnTwoReplicas() {
    Tenant t = tenant("Mapped Corp");
    Http.Response sso = a.http.post("/api/v1/sso/integrations").bearer(t.admin().accessToken())
        .json(new JsonObject().put("name", "Okta").put("module", "unified-login").put("enableMappingRules", true)
            .put("mappedGroups", new JsonArray().add("Staff").add("Contractors"))).send();
    assertThat(sso.status()).as(sso.toString()).isEqualTo(201);
    List<String> users = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      users.add(t.user(Journeys.uniqueEmail("staff" + i)));
    }
    String staff = t.send(a, "POST", "/scim/v2/Groups", groupBody("Staff", users.toArray(String[]::new))).json().getString("id");
    String contractors = t.send(b, "POST", "/scim/v2/Groups", groupBody("Contractors", users.get(0))).json().getString("id");
    String other = t.send(b, "POST", "/scim/v2/Groups", groupBody("Other", users.get(1))).json().getString("id");

    // Removing user 0 from Staff keeps them (still a Contractor); user 1 is only in an unmapped group.
    List<CompletableFuture<Http.Response>> pushes = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 4; i++) {
        TestServer on = (i + round) % 2 == 0 ? a : b;
        pushes.add(t.patchAsync(on, staff, op("remove", "members[value eq \"" + users.get(i) + "\"]", null)));
      }
    }
    pushes.forEach(p -> assertThat(p.join().status()).as(p.join().toString()).isEqualTo(200));

    assertThat(t.rosterUser(users.get(0)).getString("status")).as("still in Contractors").isEqualTo("INVITED");
    for (int i = 1; i < 4; i++) {
      JsonObject u = t.rosterUser(users.get(i));
      assertThat(u.getString("status")).as("user " + i).isEqualTo("DEACTIVATED");
      assertThat(u.getString("deactivationReason")).isEqualTo("SSO_MAPPING");
      assertThat(a.count("SELECT count(*) FROM audit_events WHERE action = 'USER_DEACTIVATED' AND target_user_id = ?::uuid",
          users.get(i))).as("one audit event for user " + i).isEqualTo(1);
    }
    for (int i = 4; i < 6; i++) {
      assertThat(t.rosterUser(users.get(i)).getString("status")).isEqualTo("INVITED");
    }
    assertThat(t.rosterUser(users.get(1)).getJsonArray("groups").getList()).containsExactly("Other");

    // Users in both mapped groups, removed from one on each replica at the same moment: each push
    // sees the other's commit (the user's row lock), so every one of them ends in neither and is
    // deactivated exactly once.
    List<String> both = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      both.add(t.user(Journeys.uniqueEmail("both" + i)));
    }
    String day = t.send(a, "POST", "/scim/v2/Groups", groupBody("Day", both.toArray(String[]::new))).json().getString("id");
    String night = t.send(a, "POST", "/scim/v2/Groups", groupBody("Night", both.toArray(String[]::new))).json().getString("id");
    Http.Response ruled = a.http.put("/api/v1/sso/integrations/" + sso.json().getString("id")).bearer(t.admin().accessToken())
        .json(new JsonObject().put("name", "Okta").put("module", "unified-login").put("enableMappingRules", true)
            .put("mappedGroups", new JsonArray().add("Staff").add("Contractors").add("Day").add("Night"))).send();
    assertThat(ruled.status()).as(ruled.toString()).isEqualTo(200);
    List<CompletableFuture<Http.Response>> halves = new ArrayList<>();
    for (String u : both) {
      for (String[] side : new String[][] {{day, "a"}, {night, "b"}}) {
        halves.add(t.patchAsync(side[1].equals("a") ? a : b, side[0], op("remove", "members[value eq \"" + u + "\"]", null)));
      }
    }
    halves.forEach(p -> assertThat(p.join().status()).as(p.join().toString()).isEqualTo(200));
    for (String u : both) {
      assertThat(t.rosterUser(u).getString("status")).as(u).isEqualTo("DEACTIVATED");
      assertThat(a.count("SELECT count(*) FROM audit_events WHERE action = 'USER_DEACTIVATED' AND target_user_id = ?::uuid", u))
          .as("one audit event for " + u).isEqualTo(1);
    }

    // Leaving the last mapped group by a group's deletion deactivates too; the Root Admin never.
    assertThat(t.patch(a, contractors, op("add", "members", members(t.admin().id()))).status()).isEqualTo(200);
    assertThat(t.send(b, "DELETE", "/scim/v2/Groups/" + contractors, null).status()).isEqualTo(204);
    assertThat(t.rosterUser(users.get(0)).getString("status")).isEqualTo("DEACTIVATED");
    assertThat(t.rosterUser(t.admin().id()).getString("status")).isEqualTo("ACTIVE");
    assertThat(a.count("SELECT count(*) FROM audit_events WHERE action = 'GROUP_CHANGED' AND organization_id = ?::uuid",
        t.admin().orgId())).isGreaterThanOrEqualTo(8);
    assertThat(t.send(a, "GET", "/scim/v2/Groups/" + other, null).json().getJsonArray("members").size()).isEqualTo(1);
  }
}
