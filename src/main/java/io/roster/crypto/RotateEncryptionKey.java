package io.roster.crypto;

import io.roster.common.Settings;
import io.roster.db.Database;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/**
 * {@code java -jar roster.jar rotate-encryption-key}: re-encrypts every secret at rest from
 * ENCRYPTION_KEY_OLD to ENCRYPTION_KEY in one transaction (values written before encryption
 * existed are encrypted too). Run it with every replica stopped, then start them with the new key.
 */
public final class RotateEncryptionKey {
  private RotateEncryptionKey() {}

  /** Answers how many values were re-encrypted. */
  public static int run(JsonObject conf) throws Exception {
    String oldKey = Settings.string(conf, "ENCRYPTION_KEY_OLD", null);
    String newKey = Settings.string(conf, "ENCRYPTION_KEY", null);
    if (oldKey == null || newKey == null) {
      throw new IllegalArgumentException("rotate-encryption-key needs ENCRYPTION_KEY_OLD (the current key) and ENCRYPTION_KEY (the new one)");
    }
    Secrets from = Secrets.ofBase64(oldKey);
    Secrets to = Secrets.ofBase64(newKey);
    try (Database db = Database.open(Settings.string(conf, "DATABASE_URL", null), Path.of(Settings.string(conf, "DATA_DIR", "data")))) {
      db.migrate();
      PgConnectOptions o = db.connectOptions();
      try (Connection c = DriverManager.getConnection(db.jdbcUrl(), o.getUser(), o.getPassword())) {
        c.setAutoCommit(false);
        int n = 0;
        try (PreparedStatement read = c.prepareStatement(
                "SELECT id::text, totp_secret, totp_pending_secret FROM users"
                    + " WHERE totp_secret IS NOT NULL OR totp_pending_secret IS NOT NULL FOR UPDATE");
             PreparedStatement write = c.prepareStatement(
                 "UPDATE users SET totp_secret = ?, totp_pending_secret = ? WHERE id = ?::uuid");
             ResultSet rs = read.executeQuery()) {
          while (rs.next()) {
            String id = rs.getString(1);
            write.setString(1, to.encrypt(from.decrypt(rs.getString(2), id), id));
            write.setString(2, to.encrypt(from.decrypt(rs.getString(3), id), id));
            write.setString(3, id);
            write.addBatch();
            n++;
          }
          write.executeBatch();
        }
        try (PreparedStatement read = c.prepareStatement("SELECT kid, private_pem FROM signing_keys FOR UPDATE");
             PreparedStatement write = c.prepareStatement("UPDATE signing_keys SET private_pem = ? WHERE kid = ?");
             ResultSet rs = read.executeQuery()) {
          while (rs.next()) {
            String kid = rs.getString(1);
            write.setString(1, to.encrypt(from.decrypt(rs.getString(2), kid), kid));
            write.setString(2, kid);
            write.addBatch();
            n++;
          }
          write.executeBatch();
        }
        c.commit();
        return n;
      }
    }
  }
}
