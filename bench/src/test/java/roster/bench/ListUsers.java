package roster.bench;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** The first page of 50 users of the seeded organization (-Dq=… searches, -Dsort=… sorts), -Dusers connections. */
public class ListUsers extends Bench {
  {
    StringBuilder path = new StringBuilder("/api/v1/users?limit=50");
    String q = System.getProperty("q");
    if (q != null && !q.isEmpty()) {
      path.append("&q=").append(URLEncoder.encode(q, StandardCharsets.UTF_8));
    }
    String sort = System.getProperty("sort");
    if (sort != null && !sort.isEmpty()) {
      path.append("&sort=").append(URLEncoder.encode(sort, StandardCharsets.UTF_8));
    }
    setUp(scenario("list users").during(length)
        .on(counted("list", http(named("list")).get(path.toString()).header("Authorization", "Bearer " + seed.get("adminToken").asText()), 200))
        .injectOpen(atOnceUsers(users()))).protocols(protocol());
  }
}
