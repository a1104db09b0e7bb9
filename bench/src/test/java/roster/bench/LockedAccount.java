package roster.bench;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;

/** Wrong passwords against the seeded locked account, -Dusers connections in a loop: 423 each, no hash. */
public class LockedAccount extends Bench {
  {
    String body = "{\"email\":\"" + seed.get("lockedAccount").asText() + "\",\"password\":\"Wrong-Password-1!\"}";
    setUp(scenario("locked account").during(length)
        .on(counted("locked", http(named("locked")).post("/api/v1/auth/login").body(StringBody(body)), 423))
        .injectOpen(atOnceUsers(users()))).protocols(protocol());
  }
}
