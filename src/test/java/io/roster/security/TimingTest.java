package io.roster.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.support.Http;
import io.roster.support.Journeys;
import io.roster.support.Journeys.Person;
import io.roster.support.ServerTest;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Issue 9 item 4: refused sign-ins and forgot-password cost the same on the request path whether
 * the account exists or not, and a hidden lock takes as long as a wrong password. Medians of 50
 * tries of each kind, interleaved, within a factor of 1.5.
 */
class TimingTest extends ServerTest {

  private static long median(List<Long> nanos) {
    List<Long> sorted = new ArrayList<>(nanos);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }

  private static void compare(String what, Supplier<Http.Response> a, int statusA, Supplier<Http.Response> b, int statusB) {
    for (int i = 0; i < 5; i++) { // warm up both paths
      a.get();
      b.get();
    }
    List<Long> ta = new ArrayList<>();
    List<Long> tb = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      long t0 = System.nanoTime();
      Http.Response ra = a.get();
      assertThat(ra.status()).as(what + " " + ra).isEqualTo(statusA);
      ta.add(System.nanoTime() - t0);
      t0 = System.nanoTime();
      assertThat(b.get().status()).isEqualTo(statusB);
      tb.add(System.nanoTime() - t0);
    }
    double ma = median(ta);
    double mb = median(tb);
    double ratio = Math.max(ma, mb) / Math.min(ma, mb);
    org.slf4j.LoggerFactory.getLogger(TimingTest.class).info("{}: medians {} ms vs {} ms, ratio {}", what, ma / 1e6, mb / 1e6, ratio);
    assertThat(ratio).as(what + " medians " + ma / 1e6 + " ms vs " + mb / 1e6 + " ms").isLessThan(1.5);
  }

  private static Http.Response login(String email, String password) {
    return http.post("/api/v1/auth/login").json(new JsonObject().put("email", email).put("password", password)).send();
  }

  @Test
  void refusalsAndResetRequestsTakeTheSameTimeKnownOrNot() {
    Person admin = journeys.newOrgWithRootAdmin("Timing Ltd");
    http.put("/api/v1/organization/password-policy").bearer(admin.accessToken()).json(new JsonObject().put("maxFailedAttempts", 100)).send();
    Person known = journeys.invite(admin, "USER");
    compare("wrong password, known vs unknown email", () -> login(known.email(), "Wrong-Password-1!"), 401,
        () -> login(Journeys.uniqueEmail("nobody"), "Wrong-Password-1!"), 401);
    compare("forgot password, known vs unknown email",
        () -> http.post("/api/v1/auth/password/forgot").json(new JsonObject().put("email", known.email())).send(), 202,
        () -> http.post("/api/v1/auth/password/forgot").json(new JsonObject().put("email", Journeys.uniqueEmail("nobody"))).send(), 202);

    Person hiddenAdmin = journeys.newOrgWithRootAdmin("Hidden Ltd");
    Http.Response hidden = http.put("/api/v1/organization/password-policy").bearer(hiddenAdmin.accessToken())
        .json(new JsonObject().put("revealLockout", false)).send();
    assertThat(hidden.status()).as(hidden.toString()).isEqualTo(200);
    assertThat(hidden.json().getBoolean("revealLockout")).isFalse();
    Person locked = journeys.invite(hiddenAdmin, "USER");
    for (int i = 0; i < 5; i++) {
      login(locked.email(), "Wrong-Password-1!");
    }
    Person fresh = journeys.invite(admin, "USER"); // the first one has spent most of its 100 attempts
    compare("hidden lock vs wrong password", () -> login(locked.email(), "Wrong-Password-1!"), 401,
        () -> login(fresh.email(), "Wrong-Password-1!"), 401);
  }
}
