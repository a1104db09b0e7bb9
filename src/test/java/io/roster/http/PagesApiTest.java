package io.roster.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.support.Http;
import io.roster.support.Journeys;
import io.roster.support.Journeys.Person;
import io.roster.support.ServerTest;
import io.roster.support.TestServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The calls the pages make beyond section 5-8 (link-policy, own sessions), and how pages are served. */
class PagesApiTest extends ServerTest {

  @Test
  void linkPolicyTellsAPageWhatALiveLinkNeedsAndNothingForADeadOne() {
    Person root = journeys.newOrgWithRootAdmin("Pages Ltd");
    http.put("/api/v1/organization/password-policy").bearer(root.accessToken()).json(new JsonObject().put("minLength", 16)).send();
    String email = Journeys.uniqueEmail("page");
    journeys.create(root, email, "USER");
    TestServer.Mail mail = server.awaitMail(email, "invitation");
    Http.Response live = http.post("/api/v1/auth/link-policy").json(new JsonObject().put("token", mail.token()).put("kind", "INVITATION")).send();
    assertThat(live.status()).as(live.toString()).isEqualTo(200);
    assertThat(live.json().getString("email")).isEqualTo(email);
    assertThat(live.json().getInteger("minLength")).isEqualTo(16);
    assertThat(live.json().getBoolean("requireSymbol")).isTrue();
    Http.Response wrongKind = http.post("/api/v1/auth/link-policy").json(new JsonObject().put("token", mail.token()).put("kind", "RESET")).send();
    assertThat(wrongKind.status()).isEqualTo(400);
    journeys.acceptAndEnroll(email, "Correct-Horse-Battery-42!");
    Http.Response used = http.post("/api/v1/auth/link-policy").json(new JsonObject().put("token", mail.token()).put("kind", "INVITATION")).send();
    assertThat(used.status()).isEqualTo(400);
    assertThat(used.code()).isEqualTo("INVALID_TOKEN");
    assertThat(http.post("/api/v1/auth/link-policy").json(new JsonObject().put("token", "x")).send().status()).isEqualTo(400);
  }

  @Test
  void ownSessionsAreListedAndSignOutEverywhereEndsThemAll() {
    Person root = journeys.newOrgWithRootAdmin("Sessions Pages Ltd");
    Person user = journeys.invite(root, "CO_MANAGED_USER");
    Person again = journeys.login(user.email(), Journeys.PASSWORD, user.secret());
    Http.Response list = http.get("/api/v1/me/sessions").bearer(user.accessToken()).send();
    assertThat(list.status()).as(list.toString()).isEqualTo(200);
    assertThat(list.items()).hasSize(2);
    assertThat(http.delete("/api/v1/me/sessions").bearer(user.accessToken()).send().status()).isEqualTo(204);
    assertThat(http.get("/api/v1/me").bearer(user.accessToken()).send().status()).isEqualTo(401);
    assertThat(http.get("/api/v1/me").bearer(again.accessToken()).send().status()).isEqualTo(401);
    assertThat(http.get("/api/v1/me").bearer(root.accessToken()).send().status()).isEqualTo(200);
  }

  @Test
  void pagesAreServedWithStrictHeadersAndApiPathsStayProblems() {
    for (String path : new String[] {"/login", "/invitation?token=abc", "/console/users", "/reset-password?token=x"}) {
      Http.Response page = http.get(path).send();
      assertThat(page.status()).as(path).isEqualTo(200);
      assertThat(page.header("Content-Type")).startsWith("text/html");
      assertThat(page.header("Content-Security-Policy")).contains("default-src 'self'").doesNotContain("unsafe");
      assertThat(page.header("X-Frame-Options")).isEqualTo("DENY");
      assertThat(page.header("Referrer-Policy")).isEqualTo("no-referrer");
      assertThat(page.header("Cache-Control")).isEqualTo("no-cache");
    }
    Http.Response missing = http.get("/api/v1/not-there").send();
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.header("Content-Type")).isEqualTo("application/problem+json");
  }
}
