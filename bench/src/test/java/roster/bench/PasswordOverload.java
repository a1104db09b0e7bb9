package roster.bench;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.feed;
import static io.gatling.javaapi.core.CoreDsl.listFeeder;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;

/**
 * The password step offered at -Drate (bench/run.sh: 4 x the hash bound) as an open model, while
 * four connections read GET /api/v1/me in a loop: the excess must be refused fast and the cheap
 * calls must not queue behind hashing.
 */
public class PasswordOverload extends Bench {
  {
    var logins = scenario("password step at overload")
        .feed(listFeeder(accounts("loginAccounts")).circular())
        .exec(counted("login", http("login").post("/api/v1/auth/login").body(StringBody(loginBody(seed.get("password").asText()))),
            200, 503))
        .injectOpen(constantUsersPerSec(rate()).during(duration));
    var me = scenario("me during overload").during(duration)
        .on(counted("me", http("me").get("/api/v1/me").header("Authorization", "Bearer " + seed.get("adminToken").asText()), 200))
        .injectOpen(atOnceUsers(4));
    setUp(logins, me).protocols(protocol().shareConnections());
  }
}
