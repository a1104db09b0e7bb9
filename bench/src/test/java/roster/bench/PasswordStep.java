package roster.bench;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.feed;
import static io.gatling.javaapi.core.CoreDsl.listFeeder;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;

import io.gatling.javaapi.core.ChainBuilder;

/**
 * The password step (POST /api/v1/auth/login, correct password) over the seeded login accounts.
 * -Drate=R: an open model, R new sign-ins per second whatever the answers take (overload shows as
 * 503 OVERLOADED, never as hidden queueing); otherwise -Dusers connections signing in in a loop.
 * -Daccounts=sharedAccount signs in one shared account instead.
 */
public class PasswordStep extends Bench {
  {
    ChainBuilder login = feed(listFeeder(accounts(System.getProperty("accounts", "loginAccounts"))).circular())
        .exec(counted("login", http(named("login")).post("/api/v1/auth/login").body(StringBody(loginBody(seed.get("password").asText()))),
            200, 503));
    if (System.getProperty("rate") != null) {
      setUp(scenario("password step, open").exec(login).injectOpen(constantUsersPerSec(rate()).during(length)))
          .protocols(protocol().shareConnections());
    } else {
      setUp(scenario("password step, closed").during(length).on(login).injectOpen(atOnceUsers(users())))
          .protocols(protocol());
    }
  }
}
