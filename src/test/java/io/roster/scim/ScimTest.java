package io.roster.scim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.unboundid.scim2.client.ScimService;
import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.messages.ListResponse;
import com.unboundid.scim2.common.types.Email;
import com.unboundid.scim2.common.types.Name;
import com.unboundid.scim2.common.types.UserResource;
import io.roster.support.Http;
import io.roster.support.Journeys;
import io.roster.support.Journeys.Person;
import io.roster.support.ServerTest;
import io.roster.support.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.ws.rs.client.Client;
import jakarta.ws.rs.client.ClientBuilder;
import org.glassfish.jersey.client.ClientConfig;
import org.glassfish.jersey.jnh.connector.JavaNetHttpConnectorProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SCIM 2.0 as an identity provider uses it: through the UnboundID SCIM 2 SDK client, and Okta's raw requests. */
class ScimTest extends ServerTest {
  static final String USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
  static final String PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
  static Person admin;
  static String token;
  static Client client;
  static ScimService scim;

  @BeforeAll
  static void start() {
    admin = journeys.newOrgWithRootAdmin("Provisioned Corp");
    token = newToken(http, admin, "Okta");
    client = newClient();
    scim = service(client, http, token);
  }

  /** A JAX-RS client over the JDK's HTTP client, for the UnboundID SCIM SDK. */
  static Client newClient() {
    return ClientBuilder.newClient(new ClientConfig().connectorProvider(new JavaNetHttpConnectorProvider()));
  }

  /** The SCIM SDK's service at a server's /scim/v2, sending the bearer token. */
  static ScimService service(Client client, Http http, String token) {
    return new ScimService(client.target(http.base() + "/scim/v2")
        .register((jakarta.ws.rs.client.ClientRequestFilter) req -> req.getHeaders().putSingle("Authorization", "Bearer " + token)));
  }

  @AfterAll
  static void stop() {
    client.close();
  }

  static String newToken(Http http, Person admin, String name) {
    Http.Response r = http.post("/api/v1/organization/scim-tokens").bearer(admin.accessToken()).json(new JsonObject().put("name", name)).send();
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    assertThat(r.json().fieldNames()).contains("id", "name", "token", "createdAt");
    return r.json().getString("token");
  }

  static UserResource newUser(String email) {
    return new UserResource().setUserName(email).setName(new Name().setGivenName("Sam").setFamilyName("Cim"))
        .setEmails(new Email().setValue(email).setType("work").setPrimary(true)).setActive(true);
  }

  @Test
  void discoveryDocumentsArePublic() throws ScimException {
    var config = scim.getServiceProviderConfig();
    assertThat(config.getPatch().isSupported()).isTrue();
    assertThat(config.getBulk().isSupported()).isFalse();
    assertThat(config.getFilter().isSupported()).isTrue();
    assertThat(scim.getResourceTypes().getResources()).extracting(r -> r.getName()).containsExactly("User", "Group");
    assertThat(scim.getSchemas().getResources()).extracting(r -> r.getId())
        .containsExactly(USER_SCHEMA, "urn:ietf:params:scim:schemas:core:2.0:Group");
    assertThat(scim.getResourceType("Group").getEndpoint().toString()).isEqualTo("/Groups");
    assertThat(scim.getSchema("urn:ietf:params:scim:schemas:core:2.0:Group").getName()).isEqualTo("Group");
    // The id is the whole URN, colons and all.
    JsonObject user = http.get("/scim/v2/Schemas/" + USER_SCHEMA).send().json();
    assertThat(user.getString("id")).isEqualTo(USER_SCHEMA);
    assertThat(user.getJsonArray("attributes").stream().map(a -> ((JsonObject) a).getString("name"))).contains("userName", "groups");
    assertThat(http.get("/scim/v2/Schemas/urn%3Aietf%3Aparams%3Ascim%3Aschemas%3Acore%3A2.0%3AGroup").send().json()
        .getString("name")).isEqualTo("Group");
    assertThat(http.get("/scim/v2/ServiceProviderConfig").send().header("Content-Type")).isEqualTo("application/scim+json");
  }

  @Test
  void theClientLibraryProvisionsFindsUpdatesAndDeprovisions() throws ScimException {
    String email = Journeys.uniqueEmail("scim");
    UserResource resource = newUser(email);
    resource.setExternalId("okta-00u1");
    UserResource created = scim.create("Users", resource);
    assertThat(created.getId()).isNotNull();
    assertThat(created.getMeta().getResourceType()).isEqualTo("User");
    assertThat(created.getMeta().getLocation().toString()).endsWith("/scim/v2/Users/" + created.getId());
    assertThat(created.getExternalId()).isEqualTo("okta-00u1");
    assertThat(created.getActive()).isTrue();
    // Invited like any other user.
    JsonObject roster = http.get("/api/v1/users/" + created.getId()).bearer(admin.accessToken()).send().json();
    assertThat(roster.getString("status")).isEqualTo("INVITED");
    assertThat(roster.getString("role")).isEqualTo("USER");
    TestServer.Mail mail = server.awaitMail(email, "invitation");
    assertThat(mail.token()).isNotNull();

    ListResponse<UserResource> found = scim.searchRequest("Users").filter("userName eq \"" + email.toUpperCase() + "\"").invoke(UserResource.class);
    assertThat(found.getTotalResults()).isEqualTo(1);
    assertThat(found.getResources().get(0).getId()).isEqualTo(created.getId());

    UserResource renamed = scim.modifyRequest("Users", created.getId()).replaceValue("name.givenName", "Samantha").invoke(UserResource.class);
    assertThat(renamed.getName().getGivenName()).isEqualTo("Samantha");

    // Deprovisioning, as Okta and Entra do it: PATCH active false.
    Person signedIn = journeys.acceptAndEnroll(email, Journeys.PASSWORD);
    UserResource off = scim.modifyRequest("Users", created.getId()).replaceValue("active", false).invoke(UserResource.class);
    assertThat(off.getActive()).isFalse();
    JsonObject deactivated = http.get("/api/v1/users/" + created.getId()).bearer(admin.accessToken()).send().json();
    assertThat(deactivated.getString("status")).isEqualTo("DEACTIVATED");
    assertThat(deactivated.getString("deactivationReason")).isEqualTo("SCIM");
    assertThat(http.get("/api/v1/me").bearer(signedIn.accessToken()).send().status()).as("sessions revoked").isEqualTo(401);

    UserResource on = scim.modifyRequest("Users", created.getId()).replaceValue("active", true).invoke(UserResource.class);
    assertThat(on.getActive()).isTrue();
    assertThat(server.awaitMail(email, "reset").kind()).as("re-enabled like an admin's activate").isEqualTo("reset-password");

    UserResource replaced = scim.replaceRequest(java.net.URI.create(http.base() + "/scim/v2/Users/" + created.getId()),
        newUser(email).setName(new Name().setGivenName("Sam").setFamilyName("Replaced"))).invoke();
    assertThat(replaced.getName().getFamilyName()).isEqualTo("Replaced");

    scim.delete("Users", created.getId());
    assertThat(http.get("/api/v1/users/" + created.getId()).bearer(admin.accessToken()).send().status()).isEqualTo(404);
    assertThatThrownBy(() -> scim.retrieve("Users", created.getId(), UserResource.class))
        .isInstanceOfSatisfying(ScimException.class, e -> assertThat(e.getScimError().getStatus()).isEqualTo(404));
  }

  @Test
  void oktasConnectionTestAndDeprovisioningRequests() {
    Http.Response probe = http.get("/scim/v2/Users?startIndex=1&count=2").bearer(token).send();
    assertThat(probe.status()).isEqualTo(200);
    assertThat(probe.header("Content-Type")).isEqualTo("application/scim+json");
    JsonObject page = probe.json();
    assertThat(page.getJsonArray("schemas").getList()).containsExactly("urn:ietf:params:scim:api:messages:2.0:ListResponse");
    assertThat(page.getInteger("startIndex")).isEqualTo(1);
    assertThat(page.getJsonArray("Resources").size()).isLessThanOrEqualTo(2);
    assertThat(page.getInteger("itemsPerPage")).isEqualTo(page.getJsonArray("Resources").size());
    assertThat(page.getLong("totalResults")).isGreaterThanOrEqualTo(1);

    Http.Response none = http.get("/scim/v2/Users?filter=" + java.net.URLEncoder.encode("userName eq \"nobody@nowhere.test\"",
        java.nio.charset.StandardCharsets.UTF_8) + "&startIndex=1&count=100").bearer(token).send();
    assertThat(none.json().getInteger("totalResults")).isZero();
    assertThat(none.json().getJsonArray("Resources")).isEmpty();

    String email = Journeys.uniqueEmail("okta");
    Http.Response created = http.post("/scim/v2/Users").bearer(token).raw(new JsonObject()
        .put("schemas", new JsonArray().add("urn:ietf:params:scim:schemas:core:2.0:User"))
        .put("userName", email).put("name", new JsonObject().put("givenName", "Okta").put("familyName", "User"))
        .put("emails", new JsonArray().add(new JsonObject().put("primary", true).put("value", email).put("type", "work")))
        .put("displayName", "Okta User").put("locale", "en-US").put("externalId", "00u1").put("active", true).encode(),
        "application/scim+json").send();
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    assertThat(created.header("Location")).endsWith(created.json().getString("id"));
    String id = created.json().getString("id");

    // Okta deprovisions with a PatchOp without a path; Entra sends "Replace" and a string "False".
    Http.Response okta = http.patch("/scim/v2/Users/" + id).bearer(token).raw(new JsonObject()
        .put("schemas", new JsonArray().add("urn:ietf:params:scim:api:messages:2.0:PatchOp"))
        .put("Operations", new JsonArray().add(new JsonObject().put("op", "replace").put("value", new JsonObject().put("active", false))))
        .encode(), "application/scim+json").send();
    assertThat(okta.status()).as(okta.toString()).isEqualTo(200);
    assertThat(okta.json().getBoolean("active")).isFalse();
    Http.Response entra = http.patch("/scim/v2/Users/" + id).bearer(token).raw(new JsonObject()
        .put("schemas", new JsonArray().add("urn:ietf:params:scim:api:messages:2.0:PatchOp"))
        .put("Operations", new JsonArray().add(new JsonObject().put("op", "Replace").put("path", "active").put("value", "True")))
        .encode(), "application/scim+json").send();
    assertThat(entra.json().getBoolean("active")).isTrue();
  }

  @Test
  void scimErrorsUseTheScimShape() {
    String email = Journeys.uniqueEmail("dup");
    JsonObject body = new JsonObject().put("schemas", new JsonArray().add(USER_SCHEMA))
        .put("userName", email).put("name", new JsonObject().put("givenName", "D").put("familyName", "U"));
    assertThat(http.post("/scim/v2/Users").bearer(token).json(body).send().status()).isEqualTo(201);
    Http.Response dup = http.post("/scim/v2/Users").bearer(token).json(body).send();
    assertScimError(dup, 409, "uniqueness");

    Http.Response mismatch = http.post("/scim/v2/Users").bearer(token).json(body.copy().put("userName", Journeys.uniqueEmail("x"))
        .put("emails", new JsonArray().add(new JsonObject().put("value", "other@example.test").put("primary", true)))).send();
    assertScimError(mismatch, 400, "invalidValue");
    assertScimError(http.get("/scim/v2/Users?filter=" + java.net.URLEncoder.encode("name.familyName co \"x\"",
        java.nio.charset.StandardCharsets.UTF_8)).bearer(token).send(), 400, "invalidFilter");
    assertScimError(http.get("/scim/v2/Users/00000000-0000-0000-0000-000000000000").bearer(token).send(), 404, null);
    assertScimError(http.post("/scim/v2/Users").bearer(token).raw("{nope", "application/scim+json").send(), 400, "invalidSyntax");
    assertScimError(http.get("/scim/v2/Users").send(), 401, null);
    assertScimError(http.get("/scim/v2/Users").bearer("not-a-real-token-not-a-real-token-xx").send(), 401, null);

    // The Root Admin cannot be deactivated or deleted over SCIM.
    assertScimError(http.patch("/scim/v2/Users/" + admin.id()).bearer(token).json(new JsonObject()
        .put("schemas", new JsonArray().add(PATCH_SCHEMA)).put("Operations", new JsonArray().add(new JsonObject().put("op", "replace").put("path", "active").put("value", false)))).send(),
        409, null);
    assertScimError(http.delete("/scim/v2/Users/" + admin.id()).bearer(token).send(), 409, null);
  }

  static void assertScimError(Http.Response r, int status, String scimType) {
    assertThat(r.status()).as(r.toString()).isEqualTo(status);
    assertThat(r.header("Content-Type")).isEqualTo("application/scim+json");
    JsonObject e = r.json();
    assertThat(e.getJsonArray("schemas").getList()).containsExactly("urn:ietf:params:scim:api:messages:2.0:Error");
    assertThat(e.getString("status")).isEqualTo(String.valueOf(status));
    if (scimType != null) {
      assertThat(e.getString("scimType")).isEqualTo(scimType);
    }
  }

  static Http.Response scimPost(String path, JsonObject body) {
    return http.post(path).bearer(token).raw(body.encode(), "application/scim+json").send();
  }

  /** A PatchOp request body (RFC 7644 section 3.5.2). */
  static JsonObject patchOp(JsonArray operations) {
    return new JsonObject().put("schemas", new JsonArray().add(PATCH_SCHEMA)).put("Operations", operations);
  }

  static Http.Response scimPatch(String path, JsonArray operations) {
    return http.patch(path).bearer(token).raw(patchOp(operations).encode(), "application/scim+json").send();
  }

  static JsonObject op(String op, String path, Object value) {
    JsonObject o = new JsonObject().put("op", op);
    if (path != null) {
      o.put("path", path);
    }
    return value == null ? o : o.put("value", value);
  }

  static JsonObject userBody(String userName) {
    return new JsonObject().put("schemas", new JsonArray().add(USER_SCHEMA)).put("userName", userName)
        .put("name", new JsonObject().put("givenName", "Casey").put("familyName", "Case"))
        .put("emails", new JsonArray().add(new JsonObject().put("value", userName).put("type", "work").put("primary", true)))
        .put("active", true);
  }

  @Test
  void theUserNameKeepsItsCaseWhileMatchingIgnoresIt() {
    String lower = Journeys.uniqueEmail("mixed.case");
    String given = "Mixed.Case" + lower.substring("mixed.case".length(), lower.indexOf('@')) + "@Example.TEST";
    Http.Response created = scimPost("/scim/v2/Users", userBody(given));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    assertThat(created.json().getString("userName")).isEqualTo(given);
    String id = created.json().getString("id");
    assertThat(http.get("/scim/v2/Users/" + id).bearer(token).send().json().getString("userName")).isEqualTo(given);

    // The management API answers the normalised address, and the original beside it.
    JsonObject roster = http.get("/api/v1/users/" + id).bearer(admin.accessToken()).send().json();
    assertThat(roster.getString("email")).isEqualTo(lower);
    assertThat(roster.getString("displayEmail")).isEqualTo(given);

    // Filters, uniqueness and sign-in ignore case.
    for (String asked : new String[] {lower, given, lower.toUpperCase()}) {
      JsonObject found = http.get("/scim/v2/Users?filter=" + java.net.URLEncoder.encode("userName eq \"" + asked + "\"",
          java.nio.charset.StandardCharsets.UTF_8)).bearer(token).send().json();
      assertThat(found.getInteger("totalResults")).as(asked).isEqualTo(1);
      assertThat(found.getJsonArray("Resources").getJsonObject(0).getString("userName")).isEqualTo(given);
    }
    assertScimError(scimPost("/scim/v2/Users", userBody(lower.toUpperCase())), 409, "uniqueness");
    Person person = journeys.acceptAndEnroll(lower, Journeys.PASSWORD);
    assertThat(person.accessToken()).isNotNull();
    assertThat(journeys.passwordStep(given, Journeys.PASSWORD).status()).isEqualTo(200);

    // externalId and id filters too.
    assertThat(scimPatch("/scim/v2/Users/" + id, new JsonArray().add(op("add", "externalId", "ext-" + id))).status()).isEqualTo(200);
    JsonObject byExternal = http.get("/scim/v2/Users?filter=" + java.net.URLEncoder.encode("externalId eq \"ext-" + id + "\"",
        java.nio.charset.StandardCharsets.UTF_8)).bearer(token).send().json();
    assertThat(byExternal.getJsonArray("Resources").getJsonObject(0).getString("id")).isEqualTo(id);
    JsonObject byId = http.get("/scim/v2/Users?filter=" + java.net.URLEncoder.encode("id eq \"" + id.toUpperCase() + "\"",
        java.nio.charset.StandardCharsets.UTF_8)).bearer(token).send().json();
    assertThat(byId.getInteger("totalResults")).isEqualTo(1);
    JsonObject notAnId = http.get("/scim/v2/Users?filter=" + java.net.URLEncoder.encode("id eq \"not-an-id\"",
        java.nio.charset.StandardCharsets.UTF_8)).bearer(token).send().json();
    assertThat(notAnId.getInteger("totalResults")).isZero();
  }

  @Test
  void patchRenamesAnInvitedUserAndReinvitesThem() {
    String first = Journeys.uniqueEmail("rename");
    Http.Response created = scimPost("/scim/v2/Users", userBody(first));
    String id = created.json().getString("id");
    String oldLink = server.awaitMail(first, "invitation").token();

    // With a path, as the UnboundID client and Entra send it.
    String second = Journeys.uniqueEmail("Renamed");
    Http.Response renamed = scimPatch("/scim/v2/Users/" + id, new JsonArray().add(op("replace", "userName", second)));
    assertThat(renamed.status()).as(renamed.toString()).isEqualTo(200);
    assertThat(renamed.json().getString("userName")).isEqualTo(second);
    assertThat(http.post("/api/v1/invitations/accept").json(new JsonObject().put("token", oldLink).put("password", Journeys.PASSWORD))
        .send().status()).as("the old link is dead").isEqualTo(400);
    String secondLink = server.awaitMail(second.toLowerCase(), "invitation").token();

    // Without a path, together with emails, as Okta sends it.
    String third = Journeys.uniqueEmail("third");
    Http.Response okta = scimPatch("/scim/v2/Users/" + id, new JsonArray().add(op("replace", null, new JsonObject()
        .put("userName", third).put("emails", new JsonArray().add(new JsonObject().put("value", third).put("primary", true))))));
    assertThat(okta.status()).as(okta.toString()).isEqualTo(200);
    assertThat(okta.json().getString("userName")).isEqualTo(third);
    assertThat(http.post("/api/v1/invitations/accept").json(new JsonObject().put("token", secondLink).put("password", Journeys.PASSWORD))
        .send().status()).isEqualTo(400);
    journeys.acceptAndEnroll(third, Journeys.PASSWORD);
    assertThat(http.get("/api/v1/users/" + id).bearer(admin.accessToken()).send().json().getString("email")).isEqualTo(third);

    // A taken address is SCIM's uniqueness; an ADMIN's userName does not move.
    assertScimError(scimPatch("/scim/v2/Users/" + id, new JsonArray().add(op("replace", "userName", admin.email()))), 409, "uniqueness");
    Person otherAdmin = journeys.invite(admin, "ADMIN");
    assertScimError(scimPatch("/scim/v2/Users/" + otherAdmin.id(), new JsonArray().add(op("replace", "userName",
        Journeys.uniqueEmail("hijack")))), 400, "mutability");
    assertThat(http.get("/api/v1/users/" + otherAdmin.id()).bearer(admin.accessToken()).send().json().getString("email"))
        .isEqualTo(otherAdmin.email());
  }

  @Test
  void requestsAreCheckedWhereRfc7644IsStrict() {
    String email = Journeys.uniqueEmail("strict");
    JsonObject noSchema = userBody(email);
    noSchema.remove("schemas");
    assertScimError(scimPost("/scim/v2/Users", noSchema), 400, "invalidSyntax");
    assertScimError(scimPost("/scim/v2/Users", noSchema.copy().put("schemas", new JsonArray().add(PATCH_SCHEMA))), 400, "invalidSyntax");
    assertThat(server.count("SELECT count(*) FROM users WHERE email = ?", email)).as("nothing created").isZero();
    String id = scimPost("/scim/v2/Users", userBody(email)).json().getString("id");
    assertScimError(http.put("/scim/v2/Users/" + id).bearer(token).raw(noSchema.encode(), "application/scim+json").send(),
        400, "invalidSyntax");
    assertScimError(http.patch("/scim/v2/Users/" + id).bearer(token).raw(new JsonObject()
        .put("Operations", new JsonArray().add(op("replace", "active", false))).encode(), "application/scim+json").send(),
        400, "invalidSyntax");
    assertScimError(scimPatch("/scim/v2/Users/" + id, new JsonArray().add(op("replace", "active", null))), 400, "invalidValue");
    assertScimError(scimPatch("/scim/v2/Users/" + id, new JsonArray().add(op("add", "name.givenName", null))), 400, "invalidValue");
    assertScimError(scimPatch("/scim/v2/Users/" + id, new JsonArray().add(op("remove", null, null))), 400, "noTarget");
    assertScimError(scimPatch("/scim/v2/Users/" + id, new JsonArray().add(op("move", "active", false))), 400, "invalidSyntax");
    assertThat(http.get("/api/v1/users/" + id).bearer(admin.accessToken()).send().json().getString("status"))
        .as("nothing changed").isEqualTo("INVITED");
    for (String filter : new String[] {"userName co \"x\"", "userName eq \"a\" or userName eq \"b\"", "title eq \"x\"",
        "userName pr", "emails[type eq \"work\"]"}) {
      assertScimError(http.get("/scim/v2/Users?filter=" + java.net.URLEncoder.encode(filter, java.nio.charset.StandardCharsets.UTF_8))
          .bearer(token).send(), 400, "invalidFilter");
    }

    // attributes and excludedAttributes, on lists, reads and writes.
    JsonObject only = http.get("/scim/v2/Users/" + id + "?attributes=userName").bearer(token).send().json();
    assertThat(only.fieldNames()).containsExactlyInAnyOrder("schemas", "id", "userName");
    JsonObject sub = http.get("/scim/v2/Users/" + id + "?attributes=" + USER_SCHEMA + ":name.givenName,active").bearer(token).send().json();
    assertThat(sub.fieldNames()).containsExactlyInAnyOrder("schemas", "id", "name", "active");
    assertThat(sub.getJsonObject("name").fieldNames()).containsExactly("givenName");
    JsonObject without = http.get("/scim/v2/Users/" + id + "?excludedAttributes=name,meta,groups").bearer(token).send().json();
    assertThat(without.fieldNames()).contains("userName", "active").doesNotContain("name", "meta", "groups");
    JsonObject list = http.get("/scim/v2/Users?count=3&attributes=userName").bearer(token).send().json();
    assertThat(list.getInteger("itemsPerPage")).isPositive();
    list.getJsonArray("Resources").forEach(r -> assertThat(((JsonObject) r).fieldNames()).containsExactlyInAnyOrder("schemas", "id", "userName"));
    JsonObject written = scimPatch("/scim/v2/Users/" + id + "?attributes=active", new JsonArray().add(op("replace", "active", "False"))).json();
    assertThat(written.fieldNames()).containsExactlyInAnyOrder("schemas", "id", "active");
    assertThat(written.getBoolean("active")).isFalse();
  }

  /** Entra ID's default attribute mappings send attributes Roster does not store; they are taken and ignored, as in a POST. */
  @Test
  void entrasDefaultMappingsArePatchedWithoutHarm() {
    String email = Journeys.uniqueEmail("entra");
    Http.Response created = scimPost("/scim/v2/Users", userBody(email).put("title", "Engineer")
        .put("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", new JsonObject().put("department", "R&D")));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    String id = created.json().getString("id");
    Http.Response entra = scimPatch("/scim/v2/Users/" + id, new JsonArray()
        .add(op("Replace", "displayName", "Casey Case"))
        .add(op("Add", "title", "Lead"))
        .add(op("Add", "phoneNumbers[type eq \"work\"].value", "+1 555 0100"))
        .add(op("Replace", "addresses[type eq \"work\"].formatted", "1 Main St"))
        .add(op("Add", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "Ops"))
        .add(op("Replace", USER_SCHEMA + ":name.givenName", "Kasey"))
        .add(op("Remove", "title", null)));
    assertThat(entra.status()).as(entra.toString()).isEqualTo(200);
    assertThat(entra.json().getJsonObject("name").getString("givenName")).isEqualTo("Kasey");
    assertThat(entra.json().containsKey("title")).isFalse();
    assertScimError(scimPatch("/scim/v2/Users/" + id, new JsonArray().add(op("add", "groups", new JsonArray()
        .add(new JsonObject().put("value", id))))), 400, "mutability");
    assertScimError(scimPatch("/scim/v2/Users/" + id, new JsonArray().add(op("replace", "favouriteColour", "blue"))), 400, "invalidPath");
    assertScimError(scimPatch("/scim/v2/Users/" + id, new JsonArray().add(op("remove", "userName", null))), 400, "mutability");
    assertScimError(scimPatch("/scim/v2/Users/" + id, new JsonArray().add(op("remove", "favouriteColour", null))), 400, "invalidPath");
  }

  @Test
  void everyAnswerUnderScimV2HasTheScimShape() {
    assertScimError(http.get("/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:Nope").send(), 404, null);
    assertScimError(http.get("/scim/v2/Schemas/nope").send(), 404, null);
    assertScimError(http.get("/scim/v2/ResourceTypes/Nope").send(), 404, null);
    assertThat(http.get("/scim/v2/ResourceTypes/User").send().json().getString("endpoint")).isEqualTo("/Users");
    assertScimError(http.post("/scim/v2/Bulk").bearer(token).raw("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:BulkRequest\"],"
        + "\"Operations\":[]}", "application/scim+json").send(), 404, null);
    assertScimError(http.get("/scim/v2/Me").bearer(token).send(), 404, null);
    assertScimError(http.post("/scim/v2/Users/.search").bearer(token).raw("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:SearchRequest\"]}",
        "application/scim+json").send(), 404, null);
    assertScimError(http.get("/scim/v2/Nothing/here").send(), 404, null);

    Http.Response delete = http.delete("/scim/v2/Users").bearer(token).send();
    assertScimError(delete, 405, null);
    assertThat(delete.header("Allow")).isEqualTo("GET, POST");
    Http.Response post = http.post("/scim/v2/Users/" + admin.id()).bearer(token).raw("{}", "application/scim+json").send();
    assertScimError(post, 405, null);
    assertThat(post.header("Allow")).isEqualTo("GET, PUT, PATCH, DELETE");
    Http.Response put = http.put("/scim/v2/ServiceProviderConfig").raw("{}", "application/scim+json").send();
    assertScimError(put, 405, null);
    assertThat(put.header("Allow")).isEqualTo("GET");
  }

  @Test
  void tokensAreScopedToOneOrganizationAndRevocable() {
    Person other = journeys.newOrgWithRootAdmin("Other Tenant");
    String otherToken = newToken(http, other, "Entra");
    Http.Response foreign = http.get("/scim/v2/Users/" + admin.id()).bearer(otherToken).send();
    assertThat(foreign.status()).isEqualTo(404);
    Http.Response mine = http.get("/scim/v2/Users?count=200").bearer(otherToken).send();
    assertThat(mine.json().getJsonArray("Resources").encode()).doesNotContain(admin.email());

    Http.Response listed = http.get("/api/v1/organization/scim-tokens").bearer(other.accessToken()).send();
    assertThat(listed.items()).hasSize(1);
    assertThat(listed.items().getJsonObject(0).containsKey("token")).isFalse();
    String id = listed.items().getJsonObject(0).getString("id");
    assertThat(http.delete("/api/v1/organization/scim-tokens/" + id).bearer(admin.accessToken()).send().status()).isEqualTo(404);
    assertThat(http.delete("/api/v1/organization/scim-tokens/" + id).bearer(other.accessToken()).send().status()).isEqualTo(204);
    assertThat(http.get("/scim/v2/Users").bearer(otherToken).send().status()).isEqualTo(401);
    assertThat(http.get("/api/v1/organization/scim-tokens").bearer(other.accessToken()).send().items()).isEmpty();
    Person user = journeys.invite(admin, "USER");
    assertThat(http.post("/api/v1/organization/scim-tokens").bearer(user.accessToken()).json(new JsonObject().put("name", "x")).send().status())
        .isEqualTo(403);
  }
}
