package io.roster.http;

import io.roster.users.UserCommands;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/** The caller's own account (API.md section 6). Mounted behind authentication. */
final class AccountRoutes {
  void mount(Router r) {
    r.get("/api/v1/me").handler(ctx -> Api.respond(ctx, UserCommands.ADDRESS, UserCommands.ME, Api.command(ctx), 200));
    r.patch("/api/v1/me").handler(this::update);
  }

  private void update(RoutingContext ctx) {
    Input in = Input.of(ctx);
    in.forbid(Set.of("role", "email", "status", "rootAdmin"));
    JsonObject body = new JsonObject();
    if (in.has("firstName")) {
      body.put("firstName", in.name("firstName", true));
    }
    if (in.has("lastName")) {
      body.put("lastName", in.name("lastName", true));
    }
    in.check();
    Api.respond(ctx, UserCommands.ADDRESS, UserCommands.UPDATE_ME, Api.command(ctx).put("body", body), 200);
  }
}
