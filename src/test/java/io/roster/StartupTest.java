package io.roster;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.support.Http;
import io.roster.support.Journeys;
import io.roster.support.Journeys.Person;
import io.roster.support.TestDatabase;
import io.roster.support.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Start-up, configuration, bootstrap, operations endpoints and replicas sharing one database. */
class StartupTest {

  @Test
  void operationsEndpointsAnswer() {
    try (TestServer server = TestServer.start()) {
      Http http = server.http;
      assertThat(http.get("/health/live").send().status()).isEqualTo(200);
      Http.Response ready = http.get("/health/ready").send();
      assertThat(ready.status()).isEqualTo(200);
      assertThat(ready.json().getString("status")).isEqualTo("UP");
      Http.Response openapi = http.get("/openapi.yaml").send();
      assertThat(openapi.status()).isEqualTo(200);
      assertThat(openapi.body()).startsWith("openapi: 3").contains("/api/v1/users");

      Person root = new Journeys(server).newOrgWithRootAdmin("Ops Ltd");
      JsonObject jwks = http.get("/.well-known/jwks.json").send().json();
      JsonObject key = jwks.getJsonArray("keys").getJsonObject(0);
      assertThat(key.getString("kty")).isEqualTo("RSA");
      assertThat(key.getString("alg")).isEqualTo("RS256");
      JsonObject header = new JsonObject(new String(Base64.getUrlDecoder().decode(root.accessToken().split("\\.")[0])));
      assertThat(header.getString("kid")).isEqualTo(key.getString("kid"));

      assertThat(http.get("/metrics").send().status()).as("metrics are not on the API port").isEqualTo(404);
      assertThat(server.management.get("/health/live").send().status()).isEqualTo(200);
      assertThat(server.management.get("/health/ready").send().json().getString("status")).isEqualTo("UP");
      String metrics = server.management.get("/metrics").send().body();
      assertThat(metrics).contains("roster_password_verifications_total", "roster_lockouts_total",
          "roster_mail_outbox_pending", "roster_http_server_connections", "jvm_memory");
    }
  }

  @Test
  void twoReplicasStartingTogetherMigrateOnceAndShareOneSigningKey() {
    String url = TestDatabase.fresh();
    Vertx va = Vertx.vertx(Main.vertxOptions());
    Vertx vb = Vertx.vertx(Main.vertxOptions());
    JsonObject conf = TestServer.config(url, 2525);
    Future<Roster> a = Roster.start(va, conf.copy());
    Future<Roster> b = Roster.start(vb, conf.copy());
    Future.all(a, b).await();
    try {
      Http ha = new Http(a.result().port());
      Http hb = new Http(b.result().port());
      assertThat(ha.get("/health/ready").send().status()).isEqualTo(200);
      assertThat(hb.get("/health/ready").send().status()).isEqualTo(200);
      JsonObject ka = ha.get("/.well-known/jwks.json").send().json();
      assertThat(hb.get("/.well-known/jwks.json").send().json()).isEqualTo(ka);
      assertThat(ka.getJsonArray("keys")).hasSize(1);
    } finally {
      a.result().close().await();
      b.result().close().await();
    }
  }

  @Test
  void bootstrapCreatesTheFirstOrganizationOnceAndInvitesItsRootAdmin() {
    Map<String, Object> boot = Map.of("BOOTSTRAP_ORG_NAME", "First Org", "BOOTSTRAP_ADMIN_EMAIL", "Boss@First.TEST");
    try (TestServer server = TestServer.start(boot)) {
      TestServer.Mail mail = server.awaitMail("boss@first.test", "invitation");
      assertThat(mail.token()).isNotNull();
      try (TestServer again = server.replica(boot)) {
        assertThat(again.count("SELECT count(*) FROM organizations")).isEqualTo(1);
      }
      Person root = new Journeys(server).acceptAndEnroll("boss@first.test", Journeys.PASSWORD);
      JsonObject me = server.http.get("/api/v1/me").bearer(root.accessToken()).send().json();
      assertThat(me.getBoolean("rootAdmin")).isTrue();
    }
  }

  @Test
  void aConfiguredSigningKeyAndTokenLifetimesAreHonoured() throws Exception {
    java.security.KeyPairGenerator gen = java.security.KeyPairGenerator.getInstance("RSA");
    gen.initialize(2048);
    java.security.KeyPair pair = gen.generateKeyPair();
    String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(pair.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
    try (TestServer server = TestServer.start(Map.of("JWT_PRIVATE_KEY_PEM", pem, "ACCESS_TOKEN_TTL", "PT2S"))) {
      JsonObject key = server.http.get("/.well-known/jwks.json").send().json().getJsonArray("keys").getJsonObject(0);
      java.security.interfaces.RSAPublicKey pub = (java.security.interfaces.RSAPublicKey) pair.getPublic();
      assertThat(new java.math.BigInteger(1, Base64.getUrlDecoder().decode(key.getString("n")))).isEqualTo(pub.getModulus());
      assertThat(server.count("SELECT count(*) FROM signing_keys")).as("nothing generated").isZero();

      Person root = new Journeys(server).newOrgWithRootAdmin("Short Tokens");
      assertThat(server.http.get("/api/v1/me").bearer(root.accessToken()).send().status()).isEqualTo(200);
      TestServer.sleep(3_100);
      Http.Response expired = server.http.get("/api/v1/me").bearer(root.accessToken()).send();
      assertThat(expired.status()).isEqualTo(401);
      assertThat(expired.json().getString("code")).isEqualTo("UNAUTHENTICATED");
      Http.Response refreshed = server.http.post("/api/v1/auth/refresh").json(new JsonObject().put("refreshToken", root.refreshToken())).send();
      assertThat(refreshed.json().getLong("expiresIn")).isEqualTo(2L);
      assertThat(server.http.get("/api/v1/me").bearer(refreshed.json().getString("accessToken")).send().status()).isEqualTo(200);
    }
  }

  @Test
  void configurationComesFromConfConfigJson() {
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject conf = Main.loadConfig(vertx).await();
      assertThat(conf.getValue("HTTP_PORT").toString()).isEqualTo("8080");
      assertThat(conf.getString("ACCESS_TOKEN_TTL")).isEqualTo("PT15M");
      assertThat(conf.getString("MAIL_FROM")).isEqualTo("no-reply@roster.local");
    } finally {
      vertx.close().await();
    }
  }
}
