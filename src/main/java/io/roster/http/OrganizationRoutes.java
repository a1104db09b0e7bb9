package io.roster.http;

import io.roster.common.ApiException;
import io.roster.common.Ids;
import io.roster.orgs.OrgCommands;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.format.DateTimeParseException;

/** An organization's own settings (API.md section 8), for ADMINs. Mounted behind authentication. */
final class OrganizationRoutes {
  private static final Duration MIN_LOCKOUT = Duration.ofSeconds(1);
  private static final Duration MAX_LOCKOUT = Duration.ofDays(1);

  void mount(Router r) {
    r.route("/api/v1/organization/*").handler(this::adminOnly);
    r.route("/api/v1/audit-events").handler(this::adminOnly);
    r.get("/api/v1/organization/password-policy")
        .handler(ctx -> Api.respond(ctx, OrgCommands.ADDRESS, OrgCommands.GET_POLICY, Api.command(ctx), 200));
    r.put("/api/v1/organization/password-policy").handler(this::putPolicy);
    r.get("/api/v1/audit-events").handler(this::audit);
  }

  private void adminOnly(RoutingContext ctx) {
    Api.requireAdmin(ctx);
    ctx.next();
  }

  /** Fields left out keep their current value; every given one must be in range. */
  private void putPolicy(RoutingContext ctx) {
    Input in = Input.of(ctx);
    JsonObject given = in.raw();
    Api.send(ctx, OrgCommands.ADDRESS, OrgCommands.GET_POLICY, Api.command(ctx)).onFailure(ctx::fail).onSuccess(current -> {
      try {
        JsonObject policy = current.copy();
        integer(in, given, policy, "minLength", 8, 64);
        integer(in, given, policy, "maxFailedAttempts", 1, 100);
        for (String flag : new String[] {"requireUppercase", "requireLowercase", "requireDigit", "requireSymbol", "revealLockout"}) {
          if (given.containsKey(flag)) {
            if (given.getValue(flag) instanceof Boolean b) {
              policy.put(flag, b);
            } else {
              in.error(flag, "must be true or false");
            }
          }
        }
        if (given.containsKey("lockoutDuration")) {
          String raw = in.string("lockoutDuration", true);
          try {
            Duration d = raw == null ? null : Duration.parse(raw);
            if (d != null && (d.compareTo(MIN_LOCKOUT) < 0 || d.compareTo(MAX_LOCKOUT) > 0 || d.getNano() != 0)) {
              in.error("lockoutDuration", "must be whole seconds from PT1S to P1D");
            } else if (d != null) {
              policy.put("lockoutDuration", d.toString());
            }
          } catch (DateTimeParseException e) {
            in.error("lockoutDuration", "must be an ISO-8601 duration such as PT10M");
          }
        }
        in.check();
        Api.respond(ctx, OrgCommands.ADDRESS, OrgCommands.PUT_POLICY, Api.command(ctx).put("policy", policy), 200);
      } catch (ApiException e) {
        ctx.fail(e);
      }
    });
  }

  private static void integer(Input in, JsonObject given, JsonObject policy, String field, int min, int max) {
    if (!given.containsKey(field)) {
      return;
    }
    Object v = given.getValue(field);
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && n.longValue() >= min && n.longValue() <= max) {
      policy.put(field, n.intValue());
    } else {
      in.error(field, "must be a whole number from " + min + " to " + max);
    }
  }

  private void audit(RoutingContext ctx) {
    String user = ctx.request().getParam("userId");
    JsonObject cmd = Api.paged(ctx, Api.command(ctx));
    if (user != null) {
      cmd.put("userId", Ids.parse(user)
          .orElseThrow(() -> ApiException.invalid("userId", "must be a user id")).toString());
    }
    Api.respond(ctx, OrgCommands.ADDRESS, OrgCommands.AUDIT, cmd, 200);
  }
}
