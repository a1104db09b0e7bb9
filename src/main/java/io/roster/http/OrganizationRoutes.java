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
    r.get("/api/v1/organization/ip-allowlist")
        .handler(ctx -> Api.respond(ctx, OrgCommands.ADDRESS, OrgCommands.GET_ALLOWLIST, Api.command(ctx), 200));
    r.put("/api/v1/organization/ip-allowlist").handler(this::putAllowlist);
    r.get("/api/v1/audit-events").handler(this::audit);
  }

  private void adminOnly(RoutingContext ctx) {
    Api.requireAdmin(ctx);
    ctx.next();
  }

  /** Fields left out keep their current value (merged by the command, under a row lock); every given one must be in range. */
  private void putPolicy(RoutingContext ctx) {
    Input in = Input.of(ctx);
    JsonObject given = in.raw();
    JsonObject changes = new JsonObject();
    integer(in, given, changes, "minLength", 8, 64);
    integer(in, given, changes, "maxFailedAttempts", 1, 100);
    integer(in, given, changes, "passwordHistory", 0, 24);
    for (String flag : new String[] {"requireUppercase", "requireLowercase", "requireDigit", "requireSymbol", "revealLockout",
        "notifyOnLockout", "rejectCommonPasswords"}) {
      if (given.containsKey(flag)) {
        if (given.getValue(flag) instanceof Boolean b) {
          changes.put(flag, b);
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
          changes.put("lockoutDuration", d.toString());
        }
      } catch (DateTimeParseException e) {
        in.error("lockoutDuration", "must be an ISO-8601 duration such as PT10M");
      }
    }
    in.check();
    Api.respond(ctx, OrgCommands.ADDRESS, OrgCommands.PUT_POLICY, Api.command(ctx).put("changes", changes), 200);
  }

  /** The whole allowlist (API.md 12.4); the command refuses one that would shut out the caller's own address. */
  private void putAllowlist(RoutingContext ctx) {
    Input in = Input.of(ctx);
    Boolean enabled = in.bool("enabled", true);
    java.util.List<String> cidrs = in.cidrs("cidrs");
    Boolean confirm = in.bool("confirmSelfLockout", false);
    in.check();
    Api.respond(ctx, OrgCommands.ADDRESS, OrgCommands.PUT_ALLOWLIST, Api.command(ctx).put("enabled", enabled)
        .put("cidrs", new io.vertx.core.json.JsonArray(cidrs)).put("confirmSelfLockout", Boolean.TRUE.equals(confirm))
        .put("clientIp", Api.clientIp(ctx)), 200);
  }

  /** A whole number in range; anything else (a fraction, a string, 2^64 + 5) is refused, never wrapped. */
  private static void integer(Input in, JsonObject given, JsonObject policy, String field, int min, int max) {
    if (!given.containsKey(field)) {
      return;
    }
    Integer n = in.wholeNumber(field, min, max);
    if (n != null) {
      policy.put(field, n);
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
