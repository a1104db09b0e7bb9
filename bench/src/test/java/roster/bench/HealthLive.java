package roster.bench;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;

/** Baseline: GET /health/live on the API port (the HTTP stack and nothing else), -Dusers connections. */
public class HealthLive extends Bench {
  {
    setUp(scenario("health live").during(length).on(counted("live", http(named("live")).get("/health/live"), 200))
        .injectOpen(atOnceUsers(users()))).protocols(protocol());
  }
}
