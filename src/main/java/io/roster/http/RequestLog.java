package io.roster.http;

import io.roster.common.Caller;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Every request's time in roster_http_server_requests_seconds{method, route, status}, and one log
 * line per request (LOG_FORMAT=json): method, route template (never the raw path or query,
 * which may carry a link's token), status and time, with request_id, organization_id and user_id
 * where known as MDC fields, which the JSON encoder writes as fields of their own. Never a body,
 * header or token.
 */
final class RequestLog {
  private static final Logger LOG = LoggerFactory.getLogger("roster.requests");
  private static final String[] FIELDS = {"request_id", "organization_id", "user_id", "http_method", "route", "status", "duration_ms"};

  private RequestLog() {}

  /** Route templates and their patterns, to name the route of a request a failure handler answered. */
  private static volatile java.util.List<java.util.Map.Entry<java.util.regex.Pattern, String>> templates = java.util.List.of();

  static void routes(java.util.List<io.vertx.ext.web.Route> routes) {
    java.util.List<java.util.Map.Entry<java.util.regex.Pattern, String>> out = new java.util.ArrayList<>();
    for (io.vertx.ext.web.Route r : routes) {
      String path = r.getPath();
      if (path == null || path.equals("/") || path.endsWith("*")) {
        continue;
      }
      String regex = java.util.Arrays.stream(path.split("/", -1))
          .map(part -> part.startsWith(":") ? "[^/]+" : java.util.regex.Pattern.quote(part))
          .collect(java.util.stream.Collectors.joining("/"));
      out.add(java.util.Map.entry(java.util.regex.Pattern.compile(regex), path));
    }
    templates = java.util.List.copyOf(out);
  }

  private static String route(RoutingContext ctx) {
    if (ctx.currentRoute() != null && ctx.currentRoute().getPath() != null && !ctx.currentRoute().getPath().endsWith("*")) {
      return ctx.currentRoute().getPath();
    }
    String path = ctx.request().path();
    for (java.util.Map.Entry<java.util.regex.Pattern, String> t : templates) {
      if (path != null && t.getKey().matcher(path).matches()) {
        return t.getValue();
      }
    }
    return "(unmatched)";
  }

  /** Times every request into the per-route metric and, when logging is on, logs its line. */
  static void attach(RoutingContext ctx, boolean log) {
    long t0 = System.nanoTime();
    ctx.addEndHandler(done -> {
      String route = route(ctx);
      long nanos = System.nanoTime() - t0;
      int status = ctx.response().getStatusCode();
      io.roster.common.Metrics.httpRequest(ctx.request().method().name(), route, status, nanos);
      if (!log) {
        return;
      }
      Caller caller = Api.caller(ctx);
      long ms = nanos / 1_000_000;
      MDC.put("request_id", ctx.get(Api.REQUEST_ID));
      if (caller != null) {
        MDC.put("organization_id", String.valueOf(caller.organizationId()));
        MDC.put("user_id", String.valueOf(caller.userId()));
      }
      MDC.put("http_method", ctx.request().method().name());
      MDC.put("route", route);
      MDC.put("status", String.valueOf(status));
      MDC.put("duration_ms", String.valueOf(ms));
      try {
        LOG.info("{} {} {} {} ms", ctx.request().method().name(), route, status, ms);
      } finally {
        for (String f : FIELDS) {
          MDC.remove(f);
        }
      }
    });
  }
}
