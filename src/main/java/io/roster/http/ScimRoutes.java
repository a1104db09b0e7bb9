package io.roster.http;

import io.roster.common.ApiException;
import io.roster.common.Ids;
import io.roster.scim.ScimCommands;
import io.roster.scim.ScimGroups;
import io.roster.scim.ScimPatch;
import io.roster.scim.ScimQuery;
import io.roster.scim.ScimUsers;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * SCIM 2.0 (RFC 7643/7644) for identity providers such as Okta and Entra ID: the discovery
 * documents (public), /scim/v2/Users and /scim/v2/Groups with a SCIM bearer token, answers in application/scim+json
 * and errors in the SCIM error shape. ADMINs manage the tokens under /api/v1/organization.
 */
final class ScimRoutes {
  static final String SCIM_JSON = "application/scim+json";
  private static final String PREFIX = "/scim/v2";
  private static final int MAX_COUNT = 200;
  /** The paths Roster serves under /scim/v2 and their methods, for 405's Allow (anything else is 404). */
  private static final List<Map.Entry<Pattern, String>> ALLOWED = List.of(
      Map.entry(Pattern.compile("/(ServiceProviderConfig|ResourceTypes|Schemas)(/[^/]+)?"), "GET"),
      Map.entry(Pattern.compile("/(Users|Groups)"), "GET, POST"),
      Map.entry(Pattern.compile("/(Users|Groups)/[0-9a-fA-F-]{36}"), "GET, PUT, PATCH, DELETE"));

  private final String baseUrl;

  ScimRoutes(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  void mount(Router r) {
    r.post("/api/v1/organization/scim-tokens").handler(this::createToken);
    r.get("/api/v1/organization/scim-tokens").handler(ctx ->
        Api.respond(ctx, ScimCommands.ADDRESS, ScimCommands.LIST_TOKENS, Api.paged(ctx, Api.command(ctx)), 200));
    r.delete("/api/v1/organization/scim-tokens/:id").handler(ctx -> Api.respond(ctx, ScimCommands.ADDRESS,
        ScimCommands.REVOKE_TOKEN, Api.command(ctx).put("id", Ids.require(ctx.pathParam("id")).toString()), 204));

    r.route(PREFIX + "/*").failureHandler(ScimRoutes::failure);
    // The discovery documents are fixed for this server: built once, only read by requests.
    JsonObject config = serviceProviderConfig();
    Map<String, JsonObject> types = resourceTypes();
    Map<String, JsonObject> schemas = schemas();
    JsonObject typeList = list(new JsonArray(List.copyOf(types.values())));
    JsonObject schemaList = list(new JsonArray(List.copyOf(schemas.values())));
    r.get(PREFIX + "/ServiceProviderConfig").handler(ctx -> scim(ctx, 200, config));
    r.get(PREFIX + "/ResourceTypes").handler(ctx -> scim(ctx, 200, typeList));
    // An id is the rest of the path: a schema's id is a URN, whose colons a route parameter would split.
    r.get(PREFIX + "/ResourceTypes/*").handler(ctx -> scim(ctx, 200, named(ctx, "/ResourceTypes/", types)));
    r.get(PREFIX + "/Schemas").handler(ctx -> scim(ctx, 200, schemaList));
    r.get(PREFIX + "/Schemas/*").handler(ctx -> scim(ctx, 200, named(ctx, "/Schemas/", schemas)));

    r.get(PREFIX + "/Users").handler(this::listUsers);
    r.post(PREFIX + "/Users").handler(this::createUser);
    r.get(PREFIX + "/Users/:id").handler(ctx -> send(ctx, ScimCommands.GET_USER, withId(ctx), 200, ScimUsers.USER_SCHEMA));
    r.put(PREFIX + "/Users/:id").handler(this::replaceUser);
    r.patch(PREFIX + "/Users/:id").handler(this::patchUser);
    r.delete(PREFIX + "/Users/:id").handler(ctx -> send(ctx, ScimCommands.DELETE_USER, withId(ctx), 204, null));

    r.get(PREFIX + "/Groups").handler(this::listGroups);
    r.post(PREFIX + "/Groups").handler(ctx -> send(ctx, ScimCommands.CREATE_GROUP,
        withToken(ctx).put("group", ScimGroups.validate(Input.of(ctx).raw()).toJson()), 201, ScimGroups.GROUP_SCHEMA));
    r.get(PREFIX + "/Groups/:id").handler(ctx -> send(ctx, ScimCommands.GET_GROUP, withId(ctx), 200, ScimGroups.GROUP_SCHEMA));
    r.put(PREFIX + "/Groups/:id").handler(ctx -> send(ctx, ScimCommands.REPLACE_GROUP,
        withId(ctx).put("group", ScimGroups.validate(Input.of(ctx).raw()).toJson()), 200, ScimGroups.GROUP_SCHEMA));
    r.patch(PREFIX + "/Groups/:id").handler(ctx -> send(ctx, ScimCommands.PATCH_GROUP,
        withId(ctx).put("operations", ScimPatch.operations(Input.of(ctx).raw())), 200, ScimGroups.GROUP_SCHEMA));
    r.delete(PREFIX + "/Groups/:id").handler(ctx -> send(ctx, ScimCommands.DELETE_GROUP, withId(ctx), 204, null));

    // Whatever is left under /scim/v2 (/Bulk, /Me, /.search, a wrong method) answers in SCIM's shape.
    r.route(PREFIX + "/*").handler(ScimRoutes::unmatched);
  }

  private static void unmatched(RoutingContext ctx) {
    String tail = ctx.request().path().substring(PREFIX.length());
    for (Map.Entry<Pattern, String> e : ALLOWED) {
      if (e.getKey().matcher(tail).matches()) {
        ctx.response().putHeader("Allow", e.getValue());
        throw ScimPatch.error(405, null, ctx.request().method() + " is not supported on " + PREFIX + tail
            + "; allowed: " + e.getValue());
      }
    }
    throw ScimPatch.error(404, null, "Roster's SCIM service has no resource at " + PREFIX + tail
        + " (bulk, /Me and .search are not supported; see /scim/v2/ServiceProviderConfig)");
  }

  private void createToken(RoutingContext ctx) {
    Input in = Input.of(ctx);
    String name = in.name("name", true);
    in.check();
    Api.respond(ctx, ScimCommands.ADDRESS, ScimCommands.CREATE_TOKEN, Api.command(ctx).put("name", name), 201);
  }

  // ---- the resources ---------------------------------------------------------------------

  private static JsonObject withToken(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
    return new JsonObject().put("token", token);
  }

  private static JsonObject withId(RoutingContext ctx) {
    return withToken(ctx).put("id", Ids.require(ctx.pathParam("id")).toString());
  }

  /**
   * Sends the command and answers its resource, projected by ?attributes= / ?excludedAttributes=
   * (RFC 7644 section 3.9, on reads and writes alike); 201 carries the Location.
   */
  private static void send(RoutingContext ctx, String action, JsonObject cmd, int status, String schema) {
    String attributes = ctx.request().getParam("attributes");
    String excluded = ctx.request().getParam("excludedAttributes");
    Api.send(ctx, ScimCommands.ADDRESS, action, cmd).onFailure(ctx::fail).onSuccess(reply -> {
      if (status == 201) {
        ctx.response().putHeader("Location", reply.getJsonObject("meta").getString("location"));
      }
      if (schema == null) {
        scim(ctx, status, reply);
      } else if (reply.containsKey("Resources")) {
        scim(ctx, status, ScimQuery.projectList(reply, attributes, excluded, schema));
      } else {
        scim(ctx, status, ScimQuery.project(reply, attributes, excluded, schema));
      }
    });
  }

  /** startIndex (1-based, at least 1), count (0..200, default 100) and the filter of a list. */
  private static JsonObject listCommand(RoutingContext ctx, Map<String, String> filters, String schema) {
    JsonObject cmd = withToken(ctx);
    ScimQuery.Filter filter = ScimQuery.filter(ctx.request().getParam("filter"), filters, schema);
    if (filter != null) {
      cmd.put("filter", new JsonObject().put("attribute", filter.attribute()).put("value", filter.value()));
    }
    cmd.put("startIndex", Math.max(1, number(ctx, "startIndex", 1)));
    cmd.put("count", Math.min(MAX_COUNT, Math.max(0, number(ctx, "count", 100))));
    return cmd;
  }

  private void listUsers(RoutingContext ctx) {
    send(ctx, ScimCommands.LIST_USERS, listCommand(ctx, ScimUsers.FILTERS, ScimUsers.USER_SCHEMA), 200, ScimUsers.USER_SCHEMA);
  }

  /** Members are read only when the answer shows them (Okta and Entra list with excludedAttributes=members). */
  private void listGroups(RoutingContext ctx) {
    JsonObject cmd = listCommand(ctx, ScimGroups.FILTERS, ScimGroups.GROUP_SCHEMA);
    cmd.put("members", ScimQuery.shows("members", ctx.request().getParam("attributes"),
        ctx.request().getParam("excludedAttributes"), ScimGroups.GROUP_SCHEMA));
    send(ctx, ScimCommands.LIST_GROUPS, cmd, 200, ScimGroups.GROUP_SCHEMA);
  }

  private static int number(RoutingContext ctx, String name, int fallback) {
    String raw = ctx.request().getParam(name);
    if (raw == null || raw.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(raw.trim());
    } catch (NumberFormatException e) {
      throw ScimPatch.error(400, "invalidValue", name + " must be a whole number");
    }
  }

  private static JsonObject userBody(RoutingContext ctx) {
    JsonObject body = Input.of(ctx).raw();
    ScimPatch.requireSchema(body, ScimUsers.USER_SCHEMA);
    return ScimPatch.validate(body);
  }

  private void createUser(RoutingContext ctx) {
    send(ctx, ScimCommands.CREATE_USER, withToken(ctx).put("user", userBody(ctx)), 201, ScimUsers.USER_SCHEMA);
  }

  private void replaceUser(RoutingContext ctx) {
    send(ctx, ScimCommands.REPLACE_USER, withId(ctx).put("user", userBody(ctx)), 200, ScimUsers.USER_SCHEMA);
  }

  /** The PatchOp is applied by the command to the resource as it is under its row lock. */
  private void patchUser(RoutingContext ctx) {
    JsonArray operations = ScimPatch.operations(Input.of(ctx).raw());
    send(ctx, ScimCommands.PATCH_USER, withId(ctx).put("operations", operations), 200, ScimUsers.USER_SCHEMA);
  }

  // ---- answers -------------------------------------------------------------------------------

  static void scim(RoutingContext ctx, int status, JsonObject body) {
    if (status == 204) {
      ctx.response().setStatusCode(204).end();
      return;
    }
    ctx.response().setStatusCode(status).putHeader("Content-Type", SCIM_JSON).end(body.encode());
  }

  /** Failures on /scim/v2 in the SCIM error shape (RFC 7644 section 3.12). */
  static void failure(RoutingContext ctx) {
    Throwable f = ctx.failure() == null ? null : ApiException.fromReply(ctx.failure());
    int status;
    String scimType = null;
    String detail;
    if (f instanceof ApiException e) {
      status = e.code().status();
      detail = e.getMessage();
      scimType = e.extra().getString("scimType");
      if (scimType == null) {
        scimType = switch (e.code()) {
          case MALFORMED_REQUEST -> "invalidSyntax";
          case VALIDATION_FAILED -> "invalidValue";
          case EMAIL_TAKEN -> "uniqueness";
          case ROOT_ADMIN_PROTECTED -> "mutability";
          default -> null;
        };
      }
    } else if (ctx.statusCode() == 413) {
      status = 413;
      detail = "The request body is too large";
    } else {
      Problems.handle(ctx);
      return;
    }
    JsonObject body = new JsonObject().put("schemas", new JsonArray().add(ScimUsers.ERROR_SCHEMA))
        .put("status", String.valueOf(status)).put("detail", detail);
    if (scimType != null) {
      body.put("scimType", scimType);
    }
    if (status == 401) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
    }
    scim(ctx, status, body);
  }

  // ---- discovery -----------------------------------------------------------------------------

  private static JsonObject list(JsonArray resources) {
    return new JsonObject().put("schemas", new JsonArray().add(ScimUsers.LIST_SCHEMA)).put("totalResults", resources.size())
        .put("startIndex", 1).put("itemsPerPage", resources.size()).put("Resources", resources);
  }

  private JsonObject serviceProviderConfig() {
    return new JsonObject()
        .put("schemas", new JsonArray().add("urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"))
        .put("documentationUri", baseUrl + "/openapi.yaml")
        .put("patch", new JsonObject().put("supported", true))
        .put("bulk", new JsonObject().put("supported", false).put("maxOperations", 0).put("maxPayloadSize", 0))
        // Filters: "eq" on userName, externalId and id (Users), displayName, externalId and id (Groups).
        .put("filter", new JsonObject().put("supported", true).put("maxResults", MAX_COUNT))
        .put("changePassword", new JsonObject().put("supported", false))
        .put("sort", new JsonObject().put("supported", false))
        .put("etag", new JsonObject().put("supported", false))
        .put("authenticationSchemes", new JsonArray().add(new JsonObject().put("type", "oauthbearertoken")
            .put("name", "OAuth Bearer Token").put("description", "A SCIM token created by an organization's ADMIN")
            .put("primary", true)))
        .put("meta", new JsonObject().put("resourceType", "ServiceProviderConfig")
            .put("location", baseUrl + "/scim/v2/ServiceProviderConfig"));
  }

  /** The resource types by id. */
  private Map<String, JsonObject> resourceTypes() {
    Map<String, JsonObject> types = new LinkedHashMap<>();
    types.put("User", resourceType("User", "/Users", "User Account", ScimUsers.USER_SCHEMA));
    types.put("Group", resourceType("Group", "/Groups", "Group", ScimGroups.GROUP_SCHEMA));
    return types;
  }

  private JsonObject resourceType(String id, String endpoint, String description, String schema) {
    return new JsonObject()
        .put("schemas", new JsonArray().add("urn:ietf:params:scim:schemas:core:2.0:ResourceType"))
        .put("id", id).put("name", id).put("endpoint", endpoint).put("description", description)
        .put("schema", schema).put("schemaExtensions", new JsonArray())
        .put("meta", new JsonObject().put("resourceType", "ResourceType").put("location", baseUrl + PREFIX + "/ResourceTypes/" + id));
  }

  /** The schemas by id (their URNs). */
  private Map<String, JsonObject> schemas() {
    Map<String, JsonObject> schemas = new LinkedHashMap<>();
    schemas.put(ScimUsers.USER_SCHEMA, schema(ScimUsers.USER_SCHEMA, "User", "User Account", userAttributes()));
    schemas.put(ScimGroups.GROUP_SCHEMA, schema(ScimGroups.GROUP_SCHEMA, "Group", "Group", groupAttributes()));
    return schemas;
  }

  /** The entry named by the rest of the path (URL-decoded), or a SCIM 404. */
  private static JsonObject named(RoutingContext ctx, String under, Map<String, JsonObject> entries) {
    String path = ctx.request().path();
    String id = URLDecoder.decode(path.substring(path.indexOf(under) + under.length()), StandardCharsets.UTF_8);
    JsonObject entry = entries.get(id);
    if (entry == null) {
      throw ScimPatch.error(404, null, "No " + under.replace("/", "") + " entry has the id " + id);
    }
    return entry;
  }

  private JsonObject schema(String id, String name, String description, JsonArray attributes) {
    return new JsonObject()
        .put("schemas", new JsonArray().add("urn:ietf:params:scim:schemas:core:2.0:Schema"))
        .put("id", id).put("name", name).put("description", description).put("attributes", attributes)
        .put("meta", new JsonObject().put("resourceType", "Schema").put("location", baseUrl + PREFIX + "/Schemas/" + id));
  }

  private static JsonArray userAttributes() {
    return new JsonArray()
        .add(attribute("userName", "string", true, "server").put("caseExact", false))
        .add(attribute("externalId", "string", false, "none").put("caseExact", true))
        .add(attribute("active", "boolean", false, "none"))
        .add(attribute("displayName", "string", false, "none").put("mutability", "readOnly"))
        .add(attribute("name", "complex", true, "none").put("subAttributes", new JsonArray()
            .add(attribute("givenName", "string", true, "none"))
            .add(attribute("familyName", "string", true, "none"))
            .add(attribute("formatted", "string", false, "none").put("mutability", "readOnly"))))
        .add(attribute("emails", "complex", false, "none").put("multiValued", true).put("subAttributes", new JsonArray()
            .add(attribute("value", "string", false, "none"))
            .add(attribute("type", "string", false, "none"))
            .add(attribute("primary", "boolean", false, "none"))))
        .add(attribute("groups", "complex", false, "none").put("multiValued", true).put("mutability", "readOnly")
            .put("subAttributes", references("readOnly", "Group", "direct")));
  }

  /** The sub-attributes of a multi-valued reference (a user's groups, a group's members). */
  private static JsonArray references(String mutability, String referenceType, String type) {
    return new JsonArray()
        .add(attribute("value", "string", false, "none").put("mutability", mutability))
        .add(attribute("$ref", "reference", false, "none").put("mutability", mutability)
            .put("referenceTypes", new JsonArray().add(referenceType)))
        .add(attribute("display", "string", false, "none").put("mutability", "readOnly"))
        .add(attribute("type", "string", false, "none").put("mutability", mutability)
            .put("canonicalValues", new JsonArray().add(type)));
  }

  private static JsonArray groupAttributes() {
    return new JsonArray()
        .add(attribute("displayName", "string", true, "server").put("caseExact", false))
        .add(attribute("externalId", "string", false, "none").put("caseExact", true))
        .add(attribute("members", "complex", false, "none").put("multiValued", true)
            .put("subAttributes", references("immutable", "User", "User")));
  }

  private static JsonObject attribute(String name, String type, boolean required, String uniqueness) {
    return new JsonObject().put("name", name).put("type", type).put("multiValued", false).put("required", required)
        .put("mutability", "readWrite").put("returned", "default").put("uniqueness", uniqueness);
  }
}
