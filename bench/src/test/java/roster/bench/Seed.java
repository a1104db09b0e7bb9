package roster.bench;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import javax.crypto.spec.SecretKeySpec;
import org.apache.commons.codec.binary.Base32;

/**
 * Seeds a running Roster for the simulations, through its public API only (so it works against
 * any deployment with a support key), and times the bulk phases:
 *
 * <pre>
 *   Seed accounts base supportKey sinkUrl seed.json   organizations, admin, login/shared/locked accounts
 *   Seed import   seed.json rows sinkUrl              a CSV import of rows users, then the drain of their invitations
 *                                                     to the sink; prints {"rows","created","importSeconds","mailSeconds"}
 *                                                     (both from the import's start: batches commit, and mail, as it goes)
 * </pre>
 */
public final class Seed {
  static final String PASSWORD = "Bench-Password-1!";
  static final int LOGIN_ACCOUNTS = 64;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String[] FIRST = {"Ada", "Ben", "Cleo", "Dan", "Eve", "Finn", "Gia", "Hugo", "Iris", "Jon",
      "Kai", "Lena", "Max", "Nora", "Otto", "Pia", "Quinn", "Rosa", "Sam", "Tara"};
  private static final String[] LAST = {"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
      "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore",
      "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis",
      "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
      "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts"};

  private Seed() {}

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "accounts" -> accounts(args[1], args[2], args[3], Path.of(args[4]));
      case "import" -> importUsers((ObjectNode) JSON.readTree(Path.of(args[1]).toFile()), Integer.parseInt(args[2]), args[3]);
      default -> throw new IllegalArgumentException("accounts or import");
    }
  }

  private static void accounts(String base, String supportKey, String sink, Path out) throws Exception {
    String stamp = Long.toString(System.currentTimeMillis(), 36);
    ObjectNode seed = JSON.createObjectNode().put("base", base).put("password", PASSWORD);

    // The main organization: its Root Admin (fully signed in), the login accounts, the shared one.
    String adminEmail = "admin-" + stamp + "@bench.test";
    JsonNode org = call(base, "POST", "/api/v1/support/organizations", null, supportKey,
        JSON.createObjectNode().put("name", "Bench " + stamp)
            .set("rootAdmin", JSON.createObjectNode().put("email", adminEmail).put("firstName", "Bench").put("lastName", "Admin")), 201);
    String adminToken = signUp(base, sink, adminEmail);
    seed.put("orgId", org.get("id").asText()).put("adminToken", adminToken);

    ArrayNode logins = seed.putArray("loginAccounts");
    for (int i = 0; i < LOGIN_ACCOUNTS; i++) {
      String email = "login" + i + "-" + stamp + "@bench.test";
      invite(base, adminToken, email);
      signUp(base, sink, email);
      logins.add(email);
    }
    String shared = "shared-" + stamp + "@bench.test";
    invite(base, adminToken, shared);
    signUp(base, sink, shared);
    seed.put("sharedAccount", shared);

    // A second organization whose lock lasts a day, with one account locked by wrong passwords.
    String lockAdmin = "lockadmin-" + stamp + "@bench.test";
    call(base, "POST", "/api/v1/support/organizations", null, supportKey,
        JSON.createObjectNode().put("name", "Bench locked " + stamp)
            .set("rootAdmin", JSON.createObjectNode().put("email", lockAdmin).put("firstName", "Lock").put("lastName", "Admin")), 201);
    String lockAdminToken = signUp(base, sink, lockAdmin);
    JsonNode policy = call(base, "GET", "/api/v1/organization/password-policy", lockAdminToken, null, null, 200);
    ((ObjectNode) policy).put("lockoutDuration", "P1D");
    call(base, "PUT", "/api/v1/organization/password-policy", lockAdminToken, null, policy, 200);
    String locked = "locked-" + stamp + "@bench.test";
    invite(base, lockAdminToken, locked);
    signUp(base, sink, locked);
    int max = policy.get("maxFailedAttempts").asInt();
    for (int i = 0; i < max; i++) {
      call(base, "POST", "/api/v1/auth/login", null, null,
          JSON.createObjectNode().put("email", locked).put("password", "Wrong-Password-1!"), 401);
    }
    call(base, "POST", "/api/v1/auth/login", null, null,
        JSON.createObjectNode().put("email", locked).put("password", "Wrong-Password-1!"), 423);
    seed.put("lockedAccount", locked);
    seed.put("stamp", stamp);
    Files.writeString(out, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(seed));
    System.out.println("Seeded " + (LOGIN_ACCOUNTS + 4) + " accounts in two organizations: " + out);
  }

  private static void invite(String base, String adminToken, String email) throws Exception {
    call(base, "POST", "/api/v1/users", adminToken, null, JSON.createObjectNode().put("email", email)
        .put("firstName", "Bench").put("lastName", "User").put("role", "USER"), 201);
  }

  /** Accepts the invitation mailed to email, enrols TOTP and signs in: answers an access token. */
  private static String signUp(String base, String sink, String email) throws Exception {
    String token = awaitToken(sink, email);
    JsonNode accepted = call(base, "POST", "/api/v1/invitations/accept", null, null,
        JSON.createObjectNode().put("token", token).put("password", PASSWORD), 200);
    String mfaToken = accepted.get("mfaToken").asText();
    JsonNode enrolled = call(base, "POST", "/api/v1/auth/mfa/enroll", null, null,
        JSON.createObjectNode().put("mfaToken", mfaToken), 200);
    JsonNode signedIn = call(base, "POST", "/api/v1/auth/mfa/verify", null, null,
        JSON.createObjectNode().put("mfaToken", mfaToken).put("code", totp(enrolled.get("secret").asText())), 200);
    return signedIn.get("accessToken").asText();
  }

  static String totp(String base32Secret) throws Exception {
    TimeBasedOneTimePasswordGenerator generator = new TimeBasedOneTimePasswordGenerator();
    SecretKeySpec key = new SecretKeySpec(new Base32().decode(base32Secret), generator.getAlgorithm());
    return generator.generateOneTimePasswordString(key, Instant.now());
  }

  private static String awaitToken(String sink, String email) throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(sink + "/token?to="
          + URLEncoder.encode(email, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        return r.body();
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("No invitation reached the sink for " + email);
  }

  private static void importUsers(ObjectNode seed, int rows, String sink) throws Exception {
    StringBuilder csv = new StringBuilder(rows * 64).append("email,firstName,lastName,role\n");
    String stamp = seed.get("stamp").asText();
    for (int i = 0; i < rows; i++) {
      String first = FIRST[i % FIRST.length];
      String last = LAST[(i / FIRST.length) % LAST.length];
      csv.append("user").append(i).append('-').append(stamp).append("@import.bench.test,")
          .append(first).append(',').append(last).append(",USER\n");
    }
    long mailsBefore = sunk(sink);
    long t0 = System.nanoTime();
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(seed.get("base").asText() + "/api/v1/users/import"))
        .header("Authorization", "Bearer " + seed.get("adminToken").asText()).header("Content-Type", "text/csv")
        .timeout(Duration.ofMinutes(10))
        .POST(HttpRequest.BodyPublishers.ofString(csv.toString())).build(), HttpResponse.BodyHandlers.ofString());
    double importSeconds = (System.nanoTime() - t0) / 1e9;
    if (r.statusCode() != 200) {
      throw new IllegalStateException("Import answered " + r.statusCode() + ": " + r.body());
    }
    long created = JSON.readTree(r.body()).get("created").asLong();
    long deadline = System.currentTimeMillis() + 600_000;
    long mails = 0;
    while (System.currentTimeMillis() < deadline && (mails = sunk(sink) - mailsBefore) < created) {
      Thread.sleep(100);
    }
    System.out.println(JSON.createObjectNode().put("rows", rows).put("created", created).put("importSeconds", importSeconds)
        .put("mails", mails).put("mailSeconds", (System.nanoTime() - t0) / 1e9).toString());
  }

  private static long sunk(String sink) throws Exception {
    return Long.parseLong(HTTP.send(HttpRequest.newBuilder(URI.create(sink + "/count")).build(),
        HttpResponse.BodyHandlers.ofString()).body().trim());
  }

  private static JsonNode call(String base, String method, String path, String bearer, String supportKey, JsonNode body,
      int expected) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.toString()));
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    if (supportKey != null) {
      b.header("X-Support-Key", supportKey);
    }
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != expected) {
      throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + " (wanted " + expected + "): " + r.body());
    }
    return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
  }
}
