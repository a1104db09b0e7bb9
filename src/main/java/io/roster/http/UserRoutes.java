package io.roster.http;

import io.roster.common.ApiException;
import io.roster.common.Ids;
import io.roster.common.Paging;
import io.roster.domain.Role;
import io.roster.domain.UserStatus;
import io.roster.imports.ImportCommands;
import io.roster.users.UserCommands;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** User management (API.md section 7), for callers with users.manage. Mounted behind authentication. */
final class UserRoutes {
  void mount(Router r) {
    r.route("/api/v1/users*").handler(ctx -> {
      Api.requirePermission(ctx, Role.USERS_MANAGE);
      ctx.next();
    });
    // The groups users carry (and SCIM's), with member counts.
    r.get("/api/v1/groups").handler(ctx -> {
      Api.requirePermission(ctx, Role.USERS_MANAGE);
      Api.respond(ctx, UserCommands.ADDRESS, UserCommands.GROUPS, Api.paged(ctx, Api.command(ctx)), 200);
    });
    r.post(HttpVerticle.IMPORT_PATH).handler(this::importUsers);
    r.get("/api/v1/users").handler(this::list);
    r.post("/api/v1/users").handler(this::create);
    r.get("/api/v1/users/:id").handler(this::get);
    r.patch("/api/v1/users/:id").handler(this::update);
    r.delete("/api/v1/users/:id").handler(ctx -> action(ctx, UserCommands.DELETE, 204));
    r.post("/api/v1/users/:id/deactivate").handler(ctx -> action(ctx, UserCommands.DEACTIVATE, 200));
    r.post("/api/v1/users/:id/activate").handler(ctx -> action(ctx, UserCommands.ACTIVATE, 200));
    r.post("/api/v1/users/:id/unlock").handler(ctx -> action(ctx, UserCommands.UNLOCK, 200));
    r.post("/api/v1/users/:id/reset-password").handler(ctx -> action(ctx, UserCommands.RESET_PASSWORD, 202));
    r.post("/api/v1/users/:id/reset-2fa").handler(ctx -> action(ctx, UserCommands.RESET_2FA, 200));
    r.post("/api/v1/users/:id/resend-invitation").handler(ctx -> action(ctx, UserCommands.RESEND_INVITATION, 202));
    r.get("/api/v1/users/:id/sessions").handler(this::sessions);
    r.delete("/api/v1/users/:id/sessions").handler(ctx -> action(ctx, UserCommands.REVOKE_SESSIONS, 204));
  }

  /** CSV (text/csv) or a JSON array; the format is taken from Content-Type, else from the first character. */
  private void importUsers(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    String body;
    try {
      body = Input.utf8(ctx);
    } catch (ApiException e) {
      throw ApiException.invalid("body", "an import is UTF-8 CSV or a JSON array");
    }
    if (body == null || body.isBlank()) {
      throw ApiException.invalid("body", "an import needs CSV or a JSON array");
    }
    String format;
    if (type != null && type.toLowerCase().contains("json")) {
      format = "json";
    } else if (type != null && (type.toLowerCase().contains("csv") || type.toLowerCase().startsWith("text/plain"))) {
      format = "csv";
    } else {
      format = body.stripLeading().startsWith("[") ? "json" : "csv";
    }
    String dryRun = ctx.request().getParam("dryRun");
    if (dryRun != null && !dryRun.equals("true") && !dryRun.equals("false")) {
      throw ApiException.invalid("dryRun", "must be true or false");
    }
    JsonObject cmd = Api.command(ctx).put("format", format).put("dryRun", "true".equals(dryRun)).put("body", body);
    Api.send(ctx, ImportCommands.ADDRESS, ImportCommands.IMPORT, cmd, 11 * 60_000)
        .onSuccess(report -> Api.json(ctx, 200, report)).onFailure(ctx::fail);
  }

  /** An action on one user named by the path; a malformed id is simply not found. */
  private void action(RoutingContext ctx, String action, int status) {
    String id = Ids.require(ctx.pathParam("id")).toString();
    Api.respond(ctx, UserCommands.ADDRESS, action, Api.command(ctx).put("id", id), status);
  }

  private void update(RoutingContext ctx) {
    String id = Ids.require(ctx.pathParam("id")).toString();
    Input in = Input.of(ctx);
    JsonObject body = new JsonObject();
    if (in.has("rootAdmin")) {
      // Read-only: sending back the value it has is harmless; asking for a change is refused (409).
      if (in.raw().getValue("rootAdmin") instanceof Boolean b) {
        body.put("rootAdmin", b);
      } else {
        in.error("rootAdmin", "must be true or false");
      }
    }
    if (in.has("firstName")) {
      body.put("firstName", in.name("firstName", true));
    }
    if (in.has("lastName")) {
      body.put("lastName", in.name("lastName", true));
    }
    if (in.has("email")) {
      body.put("email", in.email("email", true));
    }
    if (in.has("role")) {
      Role role = in.role("role", true);
      body.put("role", role == null ? null : role.name());
    }
    if (in.has("groups")) {
      var groups = in.groups("groups");
      if (groups == null) {
        in.error("groups", "must be an array of strings");
      }
      body.put("groups", groups == null ? null : new JsonArray(groups));
    }
    in.check();
    JsonObject cmd = Api.command(ctx).put("id", id).put("body", body);
    String ifMatch = ctx.request().getHeader("If-Match");
    if (ifMatch != null && !ifMatch.trim().equals("*")) {
      String v = ifMatch.trim().replaceFirst("^W/", "").replace("\"", "");
      try {
        cmd.put("ifMatch", Integer.parseInt(v));
      } catch (NumberFormatException e) {
        throw new ApiException(io.roster.common.ErrorCode.VERSION_CONFLICT, "If-Match must be an ETag this server issued");
      }
    }
    Api.respond(ctx, UserCommands.ADDRESS, UserCommands.UPDATE, cmd, 200);
  }

  private void sessions(RoutingContext ctx) {
    String id = Ids.require(ctx.pathParam("id")).toString();
    Api.respond(ctx, UserCommands.ADDRESS, UserCommands.SESSIONS, Api.paged(ctx, Api.command(ctx).put("id", id)), 200);
  }

  private void list(RoutingContext ctx) {
    var p = ctx.request().params();
    JsonObject q = new JsonObject().put("limit", Paging.limit(p.get("limit")));
    if (p.get("status") != null && !p.get("status").isEmpty()) {
      q.put("status", UserStatus.parse(p.get("status")).orElseThrow(
          () -> ApiException.invalid("status", "must be one of INVITED, ACTIVE, DEACTIVATED, LOCKED_OUT")).name());
    }
    if (p.get("role") != null && !p.get("role").isEmpty()) {
      q.put("role", Role.parse(p.get("role")).orElseThrow(
          () -> ApiException.invalid("role", "must be one of ADMIN, BILLING_AND_PURCHASING, USER, CO_MANAGED_USER")).name());
    }
    if (p.get("q") != null) {
      if (p.get("q").length() > 200) {
        throw ApiException.invalid("q", "is too long");
      }
      q.put("q", p.get("q"));
    }
    if (p.get("sort") != null) {
      q.put("sort", p.get("sort"));
    }
    if (p.get("cursor") != null) {
      q.put("cursor", p.get("cursor"));
      Paging.decode(p.get("cursor"));
    }
    Api.respond(ctx, UserCommands.ADDRESS, UserCommands.LIST, Api.command(ctx).put("query", q), 200);
  }

  private void create(RoutingContext ctx) {
    Input in = Input.of(ctx);
    JsonObject body = new JsonObject()
        .put("email", in.email("email", true))
        .put("firstName", in.name("firstName", true))
        .put("lastName", in.name("lastName", true));
    Role role = in.role("role", true);
    var groups = in.groups("groups");
    in.check();
    body.put("role", role.name()).put("groups", groups == null ? new JsonArray() : new JsonArray(groups));
    Api.respond(ctx, UserCommands.ADDRESS, UserCommands.CREATE, Api.command(ctx).put("body", body), 201);
  }

  private void get(RoutingContext ctx) {
    String id = Ids.require(ctx.pathParam("id")).toString();
    Api.send(ctx, UserCommands.ADDRESS, UserCommands.GET, Api.command(ctx).put("id", id))
        .onFailure(ctx::fail)
        .onSuccess(user -> {
          ctx.response().putHeader("ETag", "\"" + user.getInteger("version") + "\"");
          Api.json(ctx, 200, user);
        });
  }
}
