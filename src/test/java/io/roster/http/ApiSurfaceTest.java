package io.roster.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.support.Http;
import io.roster.support.Journeys.Person;
import io.roster.support.ServerTest;
import io.roster.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every operation openapi.yaml documents exists on the server, and none of them answers a 500
 * to hostile bodies: truncated JSON, wrong shapes, wrong types, deep nesting, huge strings.
 */
class ApiSurfaceTest extends ServerTest {
  private static final Pattern PATH = Pattern.compile("^  (/\\S+):\\s*$");
  private static final Pattern METHOD = Pattern.compile("^    (get|post|put|patch|delete):");
  private static final List<String> BODIES = List.of(
      "", "{", "[]", "null", "42", "\"text\"", "{\"x\":1}",
      "{\"email\":[],\"password\":{},\"token\":7,\"name\":false,\"memberships\":\"no\",\"Operations\":{},\"userName\":1}",
      "[".repeat(2_000) + "]".repeat(2_000),
      "{\"email\":\"" + "a".repeat(100_000) + "@x.test\",\"firstName\":\"" + "\u0000".repeat(10) + "\"}");

  record Operation(String method, String path) {}

  static Person admin;
  static String scimToken;

  @BeforeAll
  static void start() {
    admin = journeys.newOrgWithRootAdmin("Surface Ltd");
    scimToken = http.post("/api/v1/organization/scim-tokens").bearer(admin.accessToken())
        .json(new JsonObject().put("name", "surface")).send().json().getString("token");
  }

  static List<Operation> documented() throws Exception {
    List<Operation> ops = new ArrayList<>();
    String current = null;
    for (String line : Files.readAllLines(Path.of("openapi.yaml"))) {
      Matcher p = PATH.matcher(line);
      if (p.matches()) {
        current = p.group(1);
        continue;
      }
      Matcher m = METHOD.matcher(line);
      if (current != null && m.find()) {
        ops.add(new Operation(m.group(1).toUpperCase(), current));
      }
      if (line.startsWith("components:")) {
        break;
      }
    }
    // Sign-out last: it ends the session the other calls use.
    ops.sort(Comparator.comparing(o -> o.path().equals("/api/v1/auth/logout")));
    return ops;
  }

  private static Http.Call call(Operation op) {
    String path = op.path().replaceAll("\\{[^}]+}", UUID.randomUUID().toString());
    Http target = path.equals("/metrics") ? server.management : http; // documented on the management port
    Http.Call c = switch (op.method()) {
      case "GET" -> target.get(path);
      case "POST" -> http.post(path);
      case "PUT" -> http.put(path);
      case "PATCH" -> http.patch(path);
      default -> http.delete(path);
    };
    c.header("X-Support-Key", TestServer.SUPPORT_KEY);
    return c.bearer(path.startsWith("/scim/") ? scimToken : admin.accessToken());
  }

  @Test
  void everyDocumentedOperationExistsAndNoneAnswers500ToHostileBodies() throws Exception {
    List<Operation> ops = documented();
    assertThat(ops).hasSizeGreaterThan(40);
    for (Operation op : ops) {
      for (String body : op.method().equals("GET") || op.method().equals("DELETE") ? List.of("") : BODIES) {
        Http.Response r = call(op).raw(body, body.startsWith("{") || body.startsWith("[") ? "application/json" : "text/plain").send();
        assertThat(r.status()).as(op + " with " + body.substring(0, Math.min(40, body.length())) + ": " + r).isLessThan(500);
        if (r.status() == 404 && r.body().contains("\"detail\"")) {
          assertThat(r.body()).as(op + " is routed").doesNotContain(HttpVerticle.NO_ENDPOINT);
        }
      }
    }
  }

  @Test
  void undocumentedPathsAreNoSuchEndpoint() {
    Http.Response r = http.get("/api/v1/not-there").bearer(admin.accessToken()).send();
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.json().getString("detail")).isEqualTo(HttpVerticle.NO_ENDPOINT);
  }
}
