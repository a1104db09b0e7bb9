package io.roster.http;

import io.roster.common.ApiException;
import io.roster.common.Ids;
import io.roster.common.Paging;
import io.roster.domain.Role;
import io.roster.domain.UserStatus;
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
    r.get("/api/v1/users").handler(this::list);
    r.post("/api/v1/users").handler(this::create);
    r.get("/api/v1/users/:id").handler(this::get);
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
