package roster.bench;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;

import java.util.concurrent.atomic.AtomicLong;

/** Sign-ins of emails that have no account, at -Drate per second (open): each costs a hash, like a real one. */
public class UnknownEmails extends Bench {
  private static final AtomicLong N = new AtomicLong();

  {
    String stamp = Long.toString(System.currentTimeMillis(), 36);
    setUp(scenario("unknown emails")
        .exec(session -> session.set("email", "nobody" + N.incrementAndGet() + "-" + stamp + "@bench.test"))
        .exec(counted("unknown", http(named("unknown")).post("/api/v1/auth/login").body(StringBody(loginBody("Some-Password-1!"))), 401, 503))
        .injectOpen(constantUsersPerSec(rate()).during(length))).protocols(protocol().shareConnections());
  }
}
