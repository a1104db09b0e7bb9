package roster.bench;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;

import java.util.concurrent.atomic.AtomicLong;

/** POST /api/v1/users with a new address each time (each queues an invitation mail), -Dusers connections. */
public class CreateUser extends Bench {
  private static final AtomicLong N = new AtomicLong();

  {
    String stamp = Long.toString(System.currentTimeMillis(), 36);
    String body = "{\"email\":\"#{email}\",\"firstName\":\"New\",\"lastName\":\"Hire\",\"role\":\"USER\"}";
    setUp(scenario("create user").during(length)
        .on(exec(session -> session.set("email", "new" + N.incrementAndGet() + "-" + stamp + "@create.bench.test"))
            .exec(counted("create", http(named("create")).post("/api/v1/users").header("Authorization", "Bearer " + seed.get("adminToken").asText())
                .body(StringBody(body)), 201)))
        .injectOpen(atOnceUsers(users()))).protocols(protocol());
  }
}
