package io.roster.crypto;

import io.roster.common.Settings;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Secrets at rest (TOTP secrets, generated signing keys): AES-256-GCM from the JDK with a fresh
 * 96-bit nonce per value and the owning row's id as associated data, so a value copied to another
 * row does not decrypt. Stored as "v1:" + base64(nonce || ciphertext || tag). A value without the
 * prefix was written before encryption existed and is read as it is.
 */
public final class Secrets {
  private static final Logger LOG = LoggerFactory.getLogger(Secrets.class);
  private static final String PREFIX = "v1:";
  private static final int NONCE_BYTES = 12;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;

  public Secrets(byte[] key) {
    if (key.length != 32) {
      throw new IllegalArgumentException("ENCRYPTION_KEY must be 32 bytes, base64-encoded (openssl rand -base64 32)");
    }
    this.key = new SecretKeySpec(key, "AES");
  }

  public static Secrets ofBase64(String base64) {
    try {
      return new Secrets(Base64.getDecoder().decode(base64.trim()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("ENCRYPTION_KEY must be 32 bytes, base64-encoded (openssl rand -base64 32)", e);
    }
  }

  /**
   * ENCRYPTION_KEY when set. Without it: with the embedded database a key is generated once under
   * DATA_DIR (with a warning); with DATABASE_URL the server refuses to start.
   */
  public static Secrets fromConfig(JsonObject conf) {
    String given = Settings.string(conf, "ENCRYPTION_KEY", null);
    if (given != null) {
      return ofBase64(given);
    }
    if (Settings.string(conf, "DATABASE_URL", null) != null) {
      throw new IllegalStateException("ENCRYPTION_KEY is required with DATABASE_URL: set it to 32 random bytes, base64-encoded"
          + " (openssl rand -base64 32), the same on every replica");
    }
    Path file = Path.of(Settings.string(conf, "DATA_DIR", "data")).resolve("encryption.key");
    try {
      if (!Files.exists(file)) {
        Files.createDirectories(file.getParent());
        byte[] fresh = new byte[32];
        RANDOM.nextBytes(fresh);
        Files.writeString(file, Base64.getEncoder().encodeToString(fresh), StandardCharsets.US_ASCII);
        try {
          Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
          // not a POSIX file system
        }
      }
      LOG.warn("ENCRYPTION_KEY is unset: secrets are encrypted with the key in {}; set ENCRYPTION_KEY in production", file.toAbsolutePath());
      return ofBase64(Files.readString(file, StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new IllegalStateException("Cannot keep the generated encryption key in " + file, e);
    }
  }

  public String encrypt(String plain, String rowId) {
    if (plain == null) {
      return null;
    }
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      RANDOM.nextBytes(nonce);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
      c.updateAAD(rowId.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = c.doFinal(plain.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[nonce.length + sealed.length];
      System.arraycopy(nonce, 0, out, 0, nonce.length);
      System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
      return PREFIX + Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The plain value; fails (IllegalStateException) for a value sealed with another key or for another row. */
  public String decrypt(String stored, String rowId) {
    if (stored == null || !stored.startsWith(PREFIX)) {
      return stored;
    }
    try {
      byte[] all = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, NONCE_BYTES));
      c.updateAAD(rowId.getBytes(StandardCharsets.UTF_8));
      return new String(c.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException("A stored secret does not decrypt with ENCRYPTION_KEY (wrong key?)", e);
    }
  }
}
