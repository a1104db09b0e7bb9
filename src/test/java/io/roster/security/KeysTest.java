package io.roster.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.support.Http;
import io.roster.support.Journeys;
import io.roster.support.Journeys.Person;
import io.roster.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.sql.DriverManager;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 9 item 3: tokens name issuer and audience, signing keys rotate across replicas, sessions end. */
class KeysTest {

  private static JsonObject payload(String jwt) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1])));
  }

  private static String kid(String jwt) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[0]))).getString("kid");
  }

  @Test
  void tokensNameIssuerAndAudienceAndKeysRotateAcrossReplicas() throws Exception {
    try (TestServer a = TestServer.start()) {
      TestServer b = a.replica(Map.of());
      try {
        Journeys journeys = new Journeys(a);
        Person root = journeys.newOrgWithRootAdmin("Keys Ltd");
        JsonObject claims = payload(root.accessToken());
        assertThat(claims.getString("iss")).isEqualTo(TestServer.BASE_URL);
        assertThat(claims.getValue("aud").toString()).contains("roster");

        // The same key, the same claims, but no iss/aud: refused.
        String pem;
        try (var c = DriverManager.getConnection(jdbc(a.databaseUrl), "postgres", "postgres");
             var rs = c.createStatement().executeQuery("SELECT private_pem, kid FROM signing_keys WHERE retired_at IS NULL")) {
          rs.next();
          // Stolen from the database and decrypted: the attacker has the key itself.
          pem = new io.roster.crypto.Secrets(java.util.Base64.getDecoder().decode(TestServer.ENCRYPTION_KEY))
              .decrypt(rs.getString(1), rs.getString(2));
        }
        Vertx v = Vertx.vertx();
        JWTAuth forger = JWTAuth.create(v, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("RS256")
            .setId(kid(root.accessToken())).setBuffer(pem)));
        String bare = forger.generateToken(new JsonObject().put("sid", claims.getString("sid")).put("org", claims.getString("org"))
            .put("role", "ADMIN"), new JWTOptions().setAlgorithm("RS256").setSubject(claims.getString("sub")).setExpiresInSeconds(600)
            .setHeader(new JsonObject().put("kid", kid(root.accessToken()))));
        v.close();
        assertThat(a.http.get("/api/v1/me").bearer(bare).send().status()).isEqualTo(401);
        assertThat(a.http.get("/api/v1/me").bearer(root.accessToken()).send().status()).isEqualTo(200);

        // Rotate: the old token keeps working on both replicas, new tokens carry the new kid, and
        // the other replica verifies them at once.
        Http.Response rotated = a.http.post("/api/v1/support/signing-keys/rotate").header("X-Support-Key", TestServer.SUPPORT_KEY).send();
        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(200);
        String newKid = rotated.json().getString("kid");
        assertThat(newKid).isNotEqualTo(kid(root.accessToken()));
        assertThat(a.http.get("/.well-known/jwks.json").send().json().getJsonArray("keys")).hasSize(2);
        Person again = journeys.login(root.email(), Journeys.PASSWORD, root.secret());
        assertThat(kid(again.accessToken())).isEqualTo(newKid);
        assertThat(b.http.get("/api/v1/me").bearer(again.accessToken()).send().status()).isEqualTo(200);
        assertThat(b.http.get("/api/v1/me").bearer(root.accessToken()).send().status()).isEqualTo(200);
        assertThat(a.http.post("/api/v1/support/signing-keys/rotate").send().status()).isEqualTo(401);

        // Once the previous key's tokens have expired it leaves the JWKS and verifies nothing.
        a.sql("UPDATE signing_keys SET retired_at = now() - interval '1 second' WHERE retired_at IS NOT NULL");
        a.http.get("/.well-known/jwks.json").send();
        long deadline = System.currentTimeMillis() + 15_000;
        while (a.http.get("/.well-known/jwks.json").send().json().getJsonArray("keys").size() != 1
            && System.currentTimeMillis() < deadline) {
          TestServer.sleep(200);
        }
        assertThat(a.http.get("/.well-known/jwks.json").send().json().getJsonArray("keys")).hasSize(1);
      } finally {
        b.close();
      }
    }
  }

  @Test
  void sessionsEndAtTheirMaximumLifetimeHoweverOftenRefreshed() {
    try (TestServer s = TestServer.start(Map.of("SESSION_MAX_LIFETIME", "PT3S"))) {
      Person root = new Journeys(s).newOrgWithRootAdmin("Lifetime Ltd");
      String refresh = root.refreshToken();
      Http.Response first = s.http.post("/api/v1/auth/refresh").json(new JsonObject().put("refreshToken", refresh)).send();
      assertThat(first.status()).isEqualTo(200);
      refresh = first.json().getString("refreshToken");
      assertThat(s.http.get("/api/v1/me").bearer(first.json().getString("accessToken")).send().status()).isEqualTo(200); // cached
      TestServer.sleep(3_200);
      Http.Response late = s.http.post("/api/v1/auth/refresh").json(new JsonObject().put("refreshToken", refresh)).send();
      assertThat(late.status()).as(late.toString()).isEqualTo(401);
      assertThat(s.http.get("/api/v1/me").bearer(first.json().getString("accessToken")).send().status()).isEqualTo(401);
    }
  }

  private static String jdbc(String url) {
    java.net.URI u = java.net.URI.create(url);
    return "jdbc:postgresql://" + u.getHost() + ":" + u.getPort() + u.getPath();
  }
}
