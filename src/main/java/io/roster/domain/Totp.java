package io.roster.domain;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import java.security.InvalidKeyException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import javax.crypto.spec.SecretKeySpec;
import org.apache.commons.codec.binary.Base32;

/**
 * RFC 6238 TOTP: SHA1, 6 digits, 30 s steps. Accepts one step of clock skew each way
 * (section 5.2) and never a step at or before the last one used, so a code works once.
 */
public final class Totp {
  public static final Duration STEP = Duration.ofSeconds(30);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final TimeBasedOneTimePasswordGenerator GENERATOR = new TimeBasedOneTimePasswordGenerator(STEP, 6);

  private Totp() {}

  /** A new 160-bit secret in base32 without padding, as authenticator apps expect. */
  public static String newSecret() {
    byte[] bytes = new byte[20];
    RANDOM.nextBytes(bytes);
    return new Base32().encodeAsString(bytes).replace("=", "");
  }

  public static String uri(String issuer, String account, String secret) {
    String label = encode(issuer) + ":" + encode(account);
    return "otpauth://totp/" + label + "?secret=" + secret + "&issuer=" + encode(issuer)
        + "&algorithm=SHA1&digits=6&period=30";
  }

  public static long step(Instant at) {
    return at.getEpochSecond() / STEP.getSeconds();
  }

  /** The code for a step; used by the verifier and by tests that act as the authenticator. */
  public static String code(String secret, long step) {
    try {
      SecretKeySpec key = new SecretKeySpec(new Base32().decode(secret), "HmacSHA1");
      int value = GENERATOR.generateOneTimePassword(key, Instant.ofEpochSecond(step * STEP.getSeconds()));
      return String.format("%06d", value);
    } catch (InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The step a code matches within the skew window and after lastUsedStep, if any. */
  public static OptionalLong verify(String secret, String code, Long lastUsedStep, Instant now) {
    if (secret == null || code == null || !code.matches("\\d{6}")) {
      return OptionalLong.empty();
    }
    long current = step(now);
    for (long s = current - 1; s <= current + 1; s++) {
      if (lastUsedStep != null && s <= lastUsedStep) {
        continue;
      }
      if (constantTimeEquals(code(secret, s), code)) {
        return OptionalLong.of(s);
      }
    }
    return OptionalLong.empty();
  }

  private static boolean constantTimeEquals(String a, String b) {
    return java.security.MessageDigest.isEqual(a.getBytes(), b.getBytes());
  }

  private static String encode(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
  }
}
