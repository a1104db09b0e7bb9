package io.roster.http;

import io.roster.auth.AuthCommands;
import io.roster.auth.SessionGuard;
import io.roster.auth.KeyRing;
import io.roster.domain.Validation;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** Public authentication endpoints (API.md section 5). */
final class AuthRoutes {
  private final SessionGuard guard;
  private final KeyRing keys;

  AuthRoutes(SessionGuard guard, KeyRing keys) {
    this.guard = guard;
    this.keys = keys;
  }

  void mount(Router r) {
    r.post("/api/v1/auth/login").handler(this::login);
    r.post("/api/v1/auth/mfa/enroll").handler(ctx -> withFields(ctx, AuthCommands.MFA_ENROLL, "mfaToken"));
    r.post("/api/v1/auth/mfa/verify").handler(this::verify);
    r.post("/api/v1/auth/refresh").handler(ctx -> withFields(ctx, AuthCommands.REFRESH, "refreshToken"));
    r.post("/api/v1/auth/password/forgot").handler(this::forgot);
    r.post("/api/v1/auth/password/reset").handler(ctx -> withPassword(ctx, AuthCommands.RESET_PASSWORD, 204));
    r.post("/api/v1/invitations/accept").handler(ctx -> withPassword(ctx, AuthCommands.ACCEPT_INVITATION, 200));
    r.post("/api/v1/auth/introspect").handler(this::introspect);
    r.post("/api/v1/auth/email/verify").handler(ctx -> withFields(ctx, AuthCommands.VERIFY_EMAIL, 204, "token"));
    r.post("/api/v1/auth/unlock").handler(ctx -> withFields(ctx, AuthCommands.UNLOCK, 204, "token"));
    r.post("/api/v1/auth/link-policy").handler(ctx -> withFields(ctx, AuthCommands.LINK_POLICY, "token", "kind"));
    r.post("/api/v1/auth/logout") // behind authentication
        .handler(ctx -> Api.respond(ctx, AuthCommands.ADDRESS, AuthCommands.LOGOUT, Api.command(ctx), 204));
    r.get("/.well-known/jwks.json").handler(ctx -> Api.json(ctx, 200, keys.jwks()));
  }


  /**
   * Any string is an identifier here: one that is not a valid address simply has no account, so
   * it gets the answers of an unknown email (401, and a lockout after the default attempts).
   */
  private void login(RoutingContext ctx) {
    Input in = Input.of(ctx);
    String rawEmail = in.text("email", true);
    String password = in.password("password");
    in.check();
    Api.respond(ctx, AuthCommands.ADDRESS, AuthCommands.LOGIN,
        new JsonObject().put("email", identifier(rawEmail)).put("password", password).put("clientIp", Api.clientIp(ctx)), 200);
  }

  /**
   * The valid address, else the trimmed, lower-cased text (bounded, control characters made
   * U+FFFD so it can be kept as an unknown email's guard), which matches no account.
   */
  private static String identifier(String raw) {
    return Validation.email(raw).orElseGet(() -> {
      String s = raw.strip().toLowerCase(java.util.Locale.ROOT).codePoints()
          .map(cp -> Character.isISOControl(cp) ? 0xFFFD : cp)
          .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
      return s.length() > Validation.EMAIL_MAX ? s.substring(0, Validation.EMAIL_MAX) : s;
    });
  }

  /** The second step: {"mfaToken","code"}, or {"mfaToken","recoveryCode"} (API.md 12.6); exactly one of the two. */
  private void verify(RoutingContext ctx) {
    Input in = Input.of(ctx);
    JsonObject cmd = new JsonObject().put("mfaToken", in.string("mfaToken", true));
    boolean recovery = in.has("recoveryCode");
    if (recovery && in.has("code")) {
      in.error("code", "must not be sent with recoveryCode");
    }
    String value = in.string(recovery ? "recoveryCode" : "code", true);
    if (recovery && value != null && value.length() > 64) {
      in.error("recoveryCode", "is too long");
    }
    in.check();
    cmd.put(recovery ? "recoveryCode" : "code", value).put("clientIp", Api.clientIp(ctx));
    Api.respond(ctx, AuthCommands.ADDRESS, AuthCommands.MFA_VERIFY, cmd, 200);
  }

  /** 202 with the same body for every email, valid address or not. */
  private void forgot(RoutingContext ctx) {
    Input in = Input.of(ctx);
    String email = in.text("email", true);
    in.check();
    Api.respond(ctx, AuthCommands.ADDRESS, AuthCommands.FORGOT_PASSWORD, new JsonObject().put("email", identifier(email)), 202);
  }

  private void withPassword(RoutingContext ctx, String action, int status) {
    Input in = Input.of(ctx);
    String token = in.string("token", true);
    String password = in.password("password");
    in.check();
    Api.respond(ctx, AuthCommands.ADDRESS, action, new JsonObject().put("token", token).put("password", password), status);
  }

  /** Commands whose body is a few required strings (tokens, codes); a wrong token is the verticle's call. */
  private void withFields(RoutingContext ctx, String action, String... fields) {
    withFields(ctx, action, 200, fields);
  }

  private void withFields(RoutingContext ctx, String action, int status, String... fields) {
    Input in = Input.of(ctx);
    JsonObject cmd = new JsonObject();
    for (String f : fields) {
      cmd.put(f, in.string(f, true));
    }
    in.check();
    // The sign-in steps are refused outside the organization's allowlist (API.md 12.4).
    cmd.put("clientIp", Api.clientIp(ctx));
    Api.respond(ctx, AuthCommands.ADDRESS, action, cmd, status);
  }

  /** RFC 7662: public, and never more than {"active":false} for a token that is not live. */
  private void introspect(RoutingContext ctx) {
    Input in = Input.of(ctx);
    String token = in.string("token", true);
    in.check();
    guard.activeClaims(token).onFailure(ctx::fail).onSuccess(claims -> {
      if (claims == null) {
        Api.json(ctx, 200, new JsonObject().put("active", false));
        return;
      }
      Api.json(ctx, 200, new JsonObject().put("active", true).put("sub", claims.getString("sub"))
          .put("org", claims.getString("org")).put("role", claims.getString("role")).put("exp", claims.getLong("exp"))
          .put("sid", claims.getString("sid")).put("token_type", "Bearer"));
    });
  }
}
