package roster.bench;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;

/** GET /api/v1/me with the seeded admin's access token, -Dusers connections in a loop. */
public class Me extends Bench {
  {
    setUp(scenario("me").during(length)
        .on(counted("me", http(named("me")).get("/api/v1/me").header("Authorization", "Bearer " + seed.get("adminToken").asText()), 200))
        .injectOpen(atOnceUsers(users()))).protocols(protocol());
  }
}
