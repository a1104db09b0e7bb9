package io.roster.http;

import io.roster.common.ApiException;
import io.roster.common.Ids;
import io.roster.domain.Validation;
import io.roster.scim.ScimCommands;
import io.roster.scim.ScimPatch;
import io.roster.scim.ScimUsers;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SCIM 2.0 (RFC 7643/7644) for identity providers such as Okta and Entra ID: the discovery
 * documents (public), /scim/v2/Users with a SCIM bearer token, answers in application/scim+json
 * and errors in the SCIM error shape. ADMINs manage the tokens under /api/v1/organization.
 */
final class ScimRoutes {
  static final String SCIM_JSON = "application/scim+json";
  private static final Pattern USER_NAME_EQ =
      Pattern.compile("^\\s*userName\\s+eq\\s+\"((?:[^\"\\\\]|\\\\.)*)\"\\s*$", Pattern.CASE_INSENSITIVE);
  private static final int MAX_COUNT = 200;

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

    r.route("/scim/v2/*").failureHandler(ScimRoutes::failure);
    r.get("/scim/v2/ServiceProviderConfig").handler(ctx -> scim(ctx, 200, serviceProviderConfig()));
    r.get("/scim/v2/ResourceTypes").handler(ctx -> scim(ctx, 200, list(new JsonArray().add(userResourceType()))));
    r.get("/scim/v2/ResourceTypes/User").handler(ctx -> scim(ctx, 200, userResourceType()));
    r.get("/scim/v2/Schemas").handler(ctx -> scim(ctx, 200, list(new JsonArray().add(userSchema()))));
    r.get("/scim/v2/Schemas/" + ScimUsers.USER_SCHEMA).handler(ctx -> scim(ctx, 200, userSchema()));
    r.get("/scim/v2/Users").handler(this::listUsers);
    r.post("/scim/v2/Users").handler(this::createUser);
    r.get("/scim/v2/Users/:id").handler(ctx -> send(ctx, ScimCommands.GET_USER, withUser(ctx), 200));
    r.put("/scim/v2/Users/:id").handler(this::replaceUser);
    r.patch("/scim/v2/Users/:id").handler(this::patchUser);
    r.delete("/scim/v2/Users/:id").handler(ctx -> send(ctx, ScimCommands.DELETE_USER, withUser(ctx), 204));
  }

  private void createToken(RoutingContext ctx) {
    Input in = Input.of(ctx);
    String name = in.name("name", true);
    in.check();
    Api.respond(ctx, ScimCommands.ADDRESS, ScimCommands.CREATE_TOKEN, Api.command(ctx).put("name", name), 201);
  }

  // ---- the Users resource --------------------------------------------------------------------

  private static JsonObject withToken(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
    return new JsonObject().put("token", token);
  }

  private static JsonObject withUser(RoutingContext ctx) {
    return withToken(ctx).put("id", Ids.require(ctx.pathParam("id")).toString());
  }

  private static void send(RoutingContext ctx, String action, JsonObject cmd, int status) {
    Api.send(ctx, ScimCommands.ADDRESS, action, cmd).onFailure(ctx::fail).onSuccess(reply -> {
      if (status == 201) {
        ctx.response().putHeader("Location", reply.getJsonObject("meta").getString("location"));
      }
      scim(ctx, status, reply);
    });
  }

  private void listUsers(RoutingContext ctx) {
    JsonObject cmd = withToken(ctx);
    String filter = ctx.request().getParam("filter");
    if (filter != null && !filter.isBlank()) {
      Matcher m = USER_NAME_EQ.matcher(filter);
      if (!m.matches() || Validation.hasControl(filter)) {
        throw ScimPatch.error(400, "invalidFilter", "Only the filter userName eq \"...\" is supported");
      }
      cmd.put("userName", m.group(1).replace("\\\"", "\"").replace("\\\\", "\\").strip().toLowerCase(Locale.ROOT));
    }
    cmd.put("startIndex", Math.max(1, number(ctx, "startIndex", 1)));
    cmd.put("count", Math.min(MAX_COUNT, Math.max(0, number(ctx, "count", 100))));
    send(ctx, ScimCommands.LIST_USERS, cmd, 200);
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

  private void createUser(RoutingContext ctx) {
    JsonObject user = ScimPatch.validate(Input.of(ctx).raw());
    send(ctx, ScimCommands.CREATE_USER, withToken(ctx).put("user", user), 201);
  }

  private void replaceUser(RoutingContext ctx) {
    JsonObject user = ScimPatch.validate(Input.of(ctx).raw());
    send(ctx, ScimCommands.REPLACE_USER, withUser(ctx).put("user", user), 200);
  }

  /** The PatchOp is applied by the command to the resource as it is under its row lock. */
  private void patchUser(RoutingContext ctx) {
    JsonArray operations = ScimPatch.operations(Input.of(ctx).raw());
    send(ctx, ScimCommands.PATCH_USER, withUser(ctx).put("operations", operations), 200);
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

  private JsonObject userResourceType() {
    return new JsonObject()
        .put("schemas", new JsonArray().add("urn:ietf:params:scim:schemas:core:2.0:ResourceType"))
        .put("id", "User").put("name", "User").put("endpoint", "/Users").put("description", "User Account")
        .put("schema", ScimUsers.USER_SCHEMA).put("schemaExtensions", new JsonArray())
        .put("meta", new JsonObject().put("resourceType", "ResourceType").put("location", baseUrl + "/scim/v2/ResourceTypes/User"));
  }

  private JsonObject userSchema() {
    JsonArray attributes = new JsonArray()
        .add(attribute("userName", "string", true, "server").put("caseExact", false))
        .add(attribute("externalId", "string", false, "none"))
        .add(attribute("active", "boolean", false, "none"))
        .add(attribute("displayName", "string", false, "none").put("mutability", "readOnly"))
        .add(attribute("name", "complex", true, "none").put("subAttributes", new JsonArray()
            .add(attribute("givenName", "string", true, "none"))
            .add(attribute("familyName", "string", true, "none"))
            .add(attribute("formatted", "string", false, "none").put("mutability", "readOnly"))))
        .add(attribute("emails", "complex", false, "none").put("multiValued", true).put("subAttributes", new JsonArray()
            .add(attribute("value", "string", false, "none"))
            .add(attribute("type", "string", false, "none"))
            .add(attribute("primary", "boolean", false, "none"))));
    return new JsonObject()
        .put("schemas", new JsonArray().add("urn:ietf:params:scim:schemas:core:2.0:Schema"))
        .put("id", ScimUsers.USER_SCHEMA).put("name", "User").put("description", "User Account").put("attributes", attributes)
        .put("meta", new JsonObject().put("resourceType", "Schema").put("location", baseUrl + "/scim/v2/Schemas/" + ScimUsers.USER_SCHEMA));
  }

  private static JsonObject attribute(String name, String type, boolean required, String uniqueness) {
    return new JsonObject().put("name", name).put("type", type).put("multiValued", false).put("required", required)
        .put("mutability", "readWrite").put("returned", "default").put("uniqueness", uniqueness);
  }
}
