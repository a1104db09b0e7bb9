package io.roster.http;

import io.roster.common.ApiException;
import io.roster.common.ErrorCode;
import io.roster.common.Ids;
import io.roster.orgs.OrgCommands;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Support endpoints (API.md section 4), behind X-Support-Key; absent (404) when no key is configured. */
final class SupportRoutes {
  private final byte[] key;

  SupportRoutes(String key) {
    this.key = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
  }

  void mount(Router r) {
    if (key == null) {
      return;
    }
    r.route("/api/v1/support/*").handler(this::checkKey);
    r.post("/api/v1/support/organizations").handler(this::create);
    r.get("/api/v1/support/organizations").handler(this::list);
    r.post("/api/v1/support/organizations/:orgId/root-admin").handler(this::promote);
    // Support can always switch an organization's allowlist off (an admin who shut everyone out).
    r.delete("/api/v1/support/organizations/:orgId/ip-allowlist").handler(ctx -> Api.respond(ctx, OrgCommands.ADDRESS,
        OrgCommands.CLEAR_ALLOWLIST, new JsonObject().put("organizationId", Ids.require(ctx.pathParam("orgId")).toString()), 204));
    r.post("/api/v1/support/signing-keys/rotate").handler(ctx ->
        Api.respond(ctx, io.roster.auth.AuthCommands.ADDRESS, io.roster.auth.AuthCommands.ROTATE_SIGNING_KEY, new JsonObject(), 200));
  }

  private void checkKey(RoutingContext ctx) {
    String given = ctx.request().getHeader("X-Support-Key");
    if (given == null || !MessageDigest.isEqual(key, given.getBytes(StandardCharsets.UTF_8))) {
      throw new ApiException(ErrorCode.UNAUTHENTICATED, "A valid X-Support-Key header is required");
    }
    ctx.next();
  }

  private void create(RoutingContext ctx) {
    Input in = Input.of(ctx);
    String name = in.name("name", true);
    JsonObject admin = in.object("rootAdmin", true);
    JsonObject root = new JsonObject();
    if (admin != null) {
      Input a = Input.of(admin);
      root.put("email", a.email("email", true)).put("firstName", a.name("firstName", true))
          .put("lastName", a.name("lastName", true));
      in.absorb("rootAdmin", a);
    }
    in.check();
    Api.respond(ctx, OrgCommands.ADDRESS, OrgCommands.CREATE, new JsonObject().put("name", name).put("rootAdmin", root), 201);
  }

  private void list(RoutingContext ctx) {
    Api.respond(ctx, OrgCommands.ADDRESS, OrgCommands.LIST, Api.paged(ctx, new JsonObject()), 200);
  }

  private void promote(RoutingContext ctx) {
    String org = Ids.require(ctx.pathParam("orgId")).toString();
    Input in = Input.of(ctx);
    String user = in.string("userId", true);
    in.check();
    String userId = Ids.parse(user).orElseThrow(ApiException::notFound).toString();
    Api.respond(ctx, OrgCommands.ADDRESS, OrgCommands.PROMOTE_ROOT_ADMIN,
        new JsonObject().put("organizationId", org).put("userId", userId), 200);
  }
}
