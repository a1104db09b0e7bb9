package io.roster.http;

import io.roster.common.ApiException;
import io.roster.common.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The pages people click (console/ in the repository, built by Vite into the jar's webroot/):
 * one index.html for every page path, never cached, and hashed assets cached for a year. Every
 * answer carries a strict Content-Security-Policy (this origin only, no inline script), denies
 * framing, and sends no Referer, so the token in an invitation or reset link never leaks.
 */
final class Pages {
  static final String[] PATHS = {"/", "/login", "/invitation", "/forgot-password", "/reset-password", "/verify-email", "/unlock",
      "/console", "/console/*"};
  private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
      + " connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  private Pages() {}

  static Future<Void> mount(Vertx vertx, Router router) {
    router.route().handler(Pages::headers);
    return vertx.fileSystem().exists("webroot/index.html").compose(built -> {
      if (!built) {
        // Built without the console (no webroot/ on the classpath): the API works, the pages say why not.
        for (String path : PATHS) {
          router.get(path).handler(ctx -> Problems.send(ctx, new ApiException(ErrorCode.NOT_FOUND,
              "This build has no console: build it with mvn package")));
        }
        return Future.succeededFuture();
      }
      return vertx.fileSystem().readFile("webroot/index.html").map(index -> {
        for (String path : PATHS) {
          router.get(path).handler(ctx -> page(ctx, index));
        }
        router.get("/assets/*").handler(StaticHandler.create("webroot/assets").setMaxAgeSeconds(365L * 24 * 3600)
            .setIncludeHidden(false).setDirectoryListing(false));
        return null;
      });
    });
  }

  private static void headers(RoutingContext ctx) {
    ctx.response().putHeader("Content-Security-Policy", CSP).putHeader("X-Frame-Options", "DENY")
        .putHeader("Referrer-Policy", "no-referrer");
    ctx.next();
  }

  private static void page(RoutingContext ctx, Buffer index) {
    ctx.response().putHeader("Content-Type", "text/html; charset=utf-8").putHeader("Cache-Control", "no-cache").end(index);
  }
}
