package io.roster.http;

import io.roster.auth.AuthCommands;
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
    r.post("/api/v1/me/password").handler(this::changePassword);
    r.post("/api/v1/me/recovery-codes").handler(ctx -> {
      Input in = Input.of(ctx);
      String password = in.password("password");
      in.check();
      Api.respond(ctx, AuthCommands.ADDRESS, AuthCommands.RECOVERY_CODES, Api.command(ctx).put("password", password), 201);
    });
    // Own sessions, through the same commands an admin uses on a user: here the user is the caller.
    r.get("/api/v1/me/sessions").handler(ctx -> Api.respond(ctx, UserCommands.ADDRESS, UserCommands.SESSIONS,
        Api.paged(ctx, Api.command(ctx).put("id", Api.caller(ctx).userId().toString())), 200));
    r.delete("/api/v1/me/sessions").handler(ctx -> Api.respond(ctx, UserCommands.ADDRESS, UserCommands.REVOKE_SESSIONS,
        Api.command(ctx).put("id", Api.caller(ctx).userId().toString()), 204));
  }

  private void changePassword(RoutingContext ctx) {
    Input in = Input.of(ctx);
    String current = in.password("currentPassword");
    String next = in.password("newPassword");
    in.check();
    Api.respond(ctx, AuthCommands.ADDRESS, AuthCommands.CHANGE_PASSWORD,
        Api.command(ctx).put("currentPassword", current).put("newPassword", next), 204);
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
