package io.roster.http;

import io.roster.common.ApiException;
import io.roster.common.Bus;
import io.roster.common.Caller;
import io.roster.common.ErrorCode;
import io.roster.common.Paging;
import io.roster.domain.Role;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Small helpers every route uses: who is calling, and sending a command and its answer. */
final class Api {
  static final String CALLER = "caller";
  /** The client's address (ClientAddress: the peer, or what a trusted proxy forwarded), an Optional<InetAddress>. */
  static final String CLIENT = "client";
  static final String JSON = "application/json";

  private Api() {}

  static Caller caller(RoutingContext ctx) {
    return ctx.get(CALLER);
  }

  static java.util.Optional<java.net.InetAddress> client(RoutingContext ctx) {
    java.util.Optional<java.net.InetAddress> client = ctx.get(CLIENT);
    return client == null ? java.util.Optional.empty() : client;
  }

  /** The client's address as commands carry it ("clientIp"), for the checks of API.md 12.4; null when unknown. */
  static String clientIp(RoutingContext ctx) {
    return client(ctx).map(java.net.InetAddress::getHostAddress).orElse(null);
  }

  static void requirePermission(RoutingContext ctx, String permission) {
    if (!caller(ctx).role().grants(permission)) {
      throw new ApiException(ErrorCode.FORBIDDEN, "This action needs the " + permission + " permission");
    }
  }

  static void requireAdmin(RoutingContext ctx) {
    if (caller(ctx).role() != Role.ADMIN) {
      throw new ApiException(ErrorCode.FORBIDDEN, "Only an ADMIN can do this");
    }
  }

  /** A command on behalf of the caller, with the path id, query and body it needs. */
  static JsonObject command(RoutingContext ctx) {
    JsonObject cmd = new JsonObject();
    Caller c = caller(ctx);
    if (c != null) {
      cmd.put(Caller.FIELD, c.toJson());
    }
    return cmd;
  }

  /** Adds the list parameters ?limit= and ?cursor=, checked (VALIDATION_FAILED when out of range or not ours). */
  static JsonObject paged(RoutingContext ctx, JsonObject cmd) {
    String cursor = ctx.request().getParam("cursor");
    Paging.decode(cursor);
    return cmd.put("limit", Paging.limit(ctx.request().getParam("limit"))).put("cursor", cursor);
  }

  static final String REQUEST_ID = "requestId";
  private static final long TIMEOUT_MS = 30_000;

  static Future<JsonObject> send(RoutingContext ctx, String address, String action, JsonObject cmd) {
    return send(ctx, address, action, cmd, TIMEOUT_MS);
  }

  static Future<JsonObject> send(RoutingContext ctx, String address, String action, JsonObject cmd, long timeoutMs) {
    return Bus.request(ctx.vertx(), address, action, cmd, timeoutMs, ctx.get(REQUEST_ID));
  }

  /** Sends and answers with the reply as JSON and the given status (204 sends no body). */
  static void respond(RoutingContext ctx, String address, String action, JsonObject cmd, int status) {
    send(ctx, address, action, cmd).onSuccess(reply -> json(ctx, status, reply)).onFailure(ctx::fail);
  }

  static void json(RoutingContext ctx, int status, JsonObject body) {
    if (status == 204) {
      ctx.response().setStatusCode(204).end();
      return;
    }
    ctx.response().setStatusCode(status).putHeader("Content-Type", JSON).putHeader("Cache-Control", "no-store")
        .end(body.encode());
  }
}
