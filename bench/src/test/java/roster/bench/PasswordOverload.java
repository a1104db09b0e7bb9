package roster.bench;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.feed;
import static io.gatling.javaapi.core.CoreDsl.listFeeder;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;

/**
 * The password step offered at -Drate (bench/run.sh: 4 x the hash bound) as an open model, while
 * GET /api/v1/me is read at -DmeRate per second (50; also an open model): the excess must be
 * refused fast and the cheap calls must not queue behind hashing. The readers probe latency; they
 * are not a second saturating load (a closed loop of readers would take the cores the hashing
 * needs, and the goodput measured would be theirs to explain).
 */
public class PasswordOverload extends Bench {
  {
    var logins = scenario("password step at overload")
        .feed(listFeeder(accounts("loginAccounts")).circular())
        .exec(counted("login", http(named("login")).post("/api/v1/auth/login").body(StringBody(loginBody(seed.get("password").asText()))),
            200, 503))
        .injectOpen(constantUsersPerSec(rate()).during(length));
    var me = scenario("me during overload")
        .exec(counted("me", http(named("me")).get("/api/v1/me").header("Authorization", "Bearer " + seed.get("adminToken").asText()), 200))
        .injectOpen(constantUsersPerSec(Double.parseDouble(System.getProperty("meRate", "50"))).during(length));
    setUp(logins, me).protocols(protocol().shareConnections());
  }
}
