package io.roster.http;

import io.roster.common.Ids;
import io.roster.sso.SsoCommands;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** SSO integrations and memberships (API.md section 8), for ADMINs. Mounted behind authentication. */
final class SsoRoutes {
  void mount(Router r) {
    r.route("/api/v1/sso/*").handler(ctx -> {
      Api.requireAdmin(ctx);
      ctx.next();
    });
    r.get("/api/v1/sso/integrations").handler(ctx ->
        Api.respond(ctx, SsoCommands.ADDRESS, SsoCommands.LIST, Api.paged(ctx, Api.command(ctx)), 200));
    r.post("/api/v1/sso/integrations").handler(ctx ->
        Api.respond(ctx, SsoCommands.ADDRESS, SsoCommands.CREATE, Api.command(ctx).put("body", integration(ctx)), 201));
    r.get("/api/v1/sso/integrations/:id").handler(ctx -> Api.respond(ctx, SsoCommands.ADDRESS, SsoCommands.GET, withId(ctx), 200));
    r.put("/api/v1/sso/integrations/:id").handler(ctx -> {
      JsonObject cmd = withId(ctx);
      Api.respond(ctx, SsoCommands.ADDRESS, SsoCommands.UPDATE, cmd.put("body", integration(ctx)), 200);
    });
    r.delete("/api/v1/sso/integrations/:id").handler(ctx -> Api.respond(ctx, SsoCommands.ADDRESS, SsoCommands.DELETE, withId(ctx), 204));
    r.put("/api/v1/sso/integrations/:id/memberships").handler(this::memberships);
  }

  private static JsonObject withId(RoutingContext ctx) {
    return Api.command(ctx).put("id", Ids.require(ctx.pathParam("id")).toString());
  }

  private static JsonObject integration(RoutingContext ctx) {
    Input in = Input.of(ctx);
    String name = in.name("name", true);
    String module = in.name("module", true);
    Boolean rules = false;
    Object raw = in.raw().getValue("enableMappingRules");
    if (raw instanceof Boolean b) {
      rules = b;
    } else if (raw != null) {
      in.error("enableMappingRules", "must be true or false");
    }
    List<String> groups = in.groups("mappedGroups");
    in.check();
    return new JsonObject().put("name", name).put("module", module).put("enableMappingRules", rules)
        .put("mappedGroups", new JsonArray(groups == null ? List.of() : groups));
  }

  private void memberships(RoutingContext ctx) {
    JsonObject cmd = withId(ctx);
    Input in = Input.of(ctx);
    Object raw = in.raw().getValue("memberships");
    JsonArray out = new JsonArray();
    if (!(raw instanceof JsonArray list)) {
      in.error("memberships", "must be an array of {email, groups}");
    } else {
      for (int i = 0; i < list.size(); i++) {
        if (!(list.getValue(i) instanceof JsonObject m)) {
          in.error("memberships[" + i + "]", "must be an object");
          continue;
        }
        Input one = Input.of(m);
        String email = one.email("email", true);
        List<String> groups = one.groups("groups");
        if (!m.containsKey("groups")) {
          one.error("groups", "is required");
        }
        in.absorb("memberships[" + i + "]", one);
        out.add(new JsonObject().put("email", email).put("groups", new JsonArray(groups == null ? List.of() : groups)));
      }
    }
    in.check();
    Api.respond(ctx, SsoCommands.ADDRESS, SsoCommands.MEMBERSHIPS, cmd.put("memberships", out), 200);
  }
}
