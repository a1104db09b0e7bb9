package io.roster.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.domain.Totp;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The steps a person takes, over real HTTP: support creates an organization, people accept
 * invitations from their mail, enrol TOTP as an authenticator app would, and sign in.
 */
public final class Journeys {
  public static final String PASSWORD = "Correct-Horse-42!";

  private final TestServer server;
  private final Http http;
  private static final Map<String, Long> lastStep = new ConcurrentHashMap<>();

  public Journeys(TestServer server) {
    this.server = server;
    this.http = server.http;
  }

  public record Org(String id, String rootAdminId, String rootEmail) {}

  /** A signed-in person: ids, the TOTP secret their app holds, and their current tokens. */
  public record Person(String id, String orgId, String email, String secret, String accessToken, String refreshToken) {}

  public static String uniqueEmail(String who) {
    return who + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
  }

  public Org newOrg(String name) {
    String email = uniqueEmail("root");
    Http.Response r = http.post("/api/v1/support/organizations").header("X-Support-Key", TestServer.SUPPORT_KEY)
        .json(new JsonObject().put("name", name)
            .put("rootAdmin", new JsonObject().put("email", email).put("firstName", "Rita").put("lastName", "Root")))
        .send();
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return new Org(r.json().getString("id"), r.json().getString("rootAdminId"), email);
  }

  /** An organization whose Root Admin has accepted, enrolled and signed in. */
  public Person newOrgWithRootAdmin(String name) {
    Org org = newOrg(name);
    return acceptAndEnroll(org.rootEmail(), PASSWORD);
  }

  /** Admin invites a user with the role; the user accepts the mailed link, enrols and signs in. */
  public Person invite(Person admin, String role) {
    String email = uniqueEmail(role.toLowerCase());
    Http.Response r = http.post("/api/v1/users").bearer(admin.accessToken())
        .json(new JsonObject().put("email", email).put("firstName", "Ulla").put("lastName", "User").put("role", role))
        .send();
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return acceptAndEnroll(email, PASSWORD);
  }

  /** Creates a user (INVITED) and answers its JSON. */
  public JsonObject create(Person admin, String email, String role) {
    Http.Response r = http.post("/api/v1/users").bearer(admin.accessToken())
        .json(new JsonObject().put("email", email).put("firstName", "Ivy").put("lastName", "Invited").put("role", role))
        .send();
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.json();
  }

  public Person acceptAndEnroll(String email, String password) {
    TestServer.Mail mail = server.awaitMail(email, "invitation");
    assertThat(mail.kind()).isEqualTo("invitation");
    Http.Response accepted = http.post("/api/v1/invitations/accept")
        .json(new JsonObject().put("token", mail.token()).put("password", password)).send();
    assertThat(accepted.status()).as(accepted.toString()).isEqualTo(200);
    assertThat(accepted.json().getString("status")).isEqualTo("MFA_ENROLLMENT_REQUIRED");
    String mfaToken = accepted.json().getString("mfaToken");
    Http.Response enrolled = http.post("/api/v1/auth/mfa/enroll").json(new JsonObject().put("mfaToken", mfaToken)).send();
    assertThat(enrolled.status()).as(enrolled.toString()).isEqualTo(200);
    String secret = enrolled.json().getString("secret");
    Http.Response tokens = verify(mfaToken, secret);
    assertThat(tokens.status()).as(tokens.toString()).isEqualTo(200);
    return person(email, secret, tokens.json());
  }

  /** Password then TOTP; answers the person with fresh tokens. */
  public Person login(String email, String password, String secret) {
    Http.Response first = passwordStep(email, password);
    assertThat(first.status()).as(first.toString()).isEqualTo(200);
    assertThat(first.json().getString("status")).isEqualTo("MFA_REQUIRED");
    Http.Response tokens = verify(first.json().getString("mfaToken"), secret);
    assertThat(tokens.status()).as(tokens.toString()).isEqualTo(200);
    return person(email, secret, tokens.json());
  }

  public Http.Response passwordStep(String email, String password) {
    return http.post("/api/v1/auth/login").json(new JsonObject().put("email", email).put("password", password)).send();
  }

  /** Verifies with the next code an authenticator app would accept and the server has not seen. */
  public Http.Response verify(String mfaToken, String secret) {
    return http.post("/api/v1/auth/mfa/verify").json(new JsonObject().put("mfaToken", mfaToken).put("code", nextCode(secret))).send();
  }

  /**
   * The next unused code within the server's one-step skew window. Three logins fit in one 30 s
   * step; beyond that this waits for the clock, as a person would. The previous step's code is
   * not used in the last 5 s of a step: it would expire on its way to the server.
   */
  public String nextCode(String secret) {
    while (true) {
      Instant at = Instant.now();
      long now = Totp.step(at);
      long earliest = Totp.step(at.plusSeconds(5)) > now ? now : now - 1;
      long used = lastStep.getOrDefault(secret, Long.MIN_VALUE);
      long step = Math.max(earliest, used + 1);
      if (step <= now + 1) {
        lastStep.put(secret, step);
        return Totp.code(secret, step);
      }
      TestServer.sleep(1000);
    }
  }

  private Person person(String email, String secret, JsonObject tokens) {
    Http.Response me = http.get("/api/v1/me").bearer(tokens.getString("accessToken")).send();
    assertThat(me.status()).as(me.toString()).isEqualTo(200);
    return new Person(me.json().getString("id"), me.json().getString("organizationId"), email, secret,
        tokens.getString("accessToken"), tokens.getString("refreshToken"));
  }
}
