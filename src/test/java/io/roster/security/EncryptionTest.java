package io.roster.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.roster.Main;
import io.roster.Roster;
import io.roster.crypto.RotateEncryptionKey;
import io.roster.support.Journeys;
import io.roster.support.Journeys.Person;
import io.roster.support.TestDatabase;
import io.roster.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** Issue 9 item 2: TOTP secrets and generated signing keys are encrypted at rest, and the key can change. */
class EncryptionTest {
  private static final String NEW_KEY = "bmV3LWVuY3J5cHRpb24ta2V5LW9mLTMyLWJ5dGVzISE=";

  @Test
  void secretsAreSealedAndSurviveAKeyChange() throws Exception {
    GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
    smtp.start();
    try {
      String db = TestDatabase.fresh();
      JsonObject conf = TestServer.config(db, smtp.getSmtp().getPort());
      Person root;
      try (TestServer a = TestServer.startWith(conf.copy(), null)) {
        TestServer withMail = TestServer.external(smtp, db, a.roster.port(), a.roster.managementPort());
        root = new Journeys(withMail).newOrgWithRootAdmin("Sealed Ltd");
        assertThat(a.count("SELECT count(*) FROM users WHERE totp_secret LIKE 'v1:%'")).isEqualTo(1);
        assertThat(a.count("SELECT count(*) FROM users WHERE position(? in totp_secret) > 0", root.secret())).isZero();
        assertThat(a.count("SELECT count(*) FROM signing_keys WHERE private_pem LIKE 'v1:%'")).isEqualTo(1);
      }
      // Without the key, with DATABASE_URL: refused, and says why.
      JsonObject keyless = conf.copy();
      keyless.remove("ENCRYPTION_KEY");
      Vertx v = Vertx.vertx(Main.vertxOptions());
      assertThatThrownBy(() -> Roster.start(v, keyless).await()).hasMessageContaining("ENCRYPTION_KEY is required");
      v.close();

      assertThat(RotateEncryptionKey.run(conf.copy().put("ENCRYPTION_KEY_OLD", TestServer.ENCRYPTION_KEY)
          .put("ENCRYPTION_KEY", NEW_KEY))).isEqualTo(2);
      try (TestServer b = TestServer.startWith(conf.copy().put("ENCRYPTION_KEY", NEW_KEY), null)) {
        TestServer withMail = TestServer.external(smtp, db, b.roster.port(), b.roster.managementPort());
        Person again = new Journeys(withMail).login(root.email(), Journeys.PASSWORD, root.secret());
        assertThat(b.http.get("/api/v1/me").bearer(again.accessToken()).send().status()).isEqualTo(200);
      }
      // The old key no longer opens them.
      Vertx w = Vertx.vertx(Main.vertxOptions());
      assertThatThrownBy(() -> Roster.start(w, conf.copy()).await()).hasMessageContaining("does not decrypt");
      w.close();
    } finally {
      smtp.stop();
    }
  }
}
