package io.roster.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/** Opaque random tokens (links, refresh, MFA, SCIM). Only their SHA-256 is ever stored. */
public final class Tokens {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]{32,128}");

  private Tokens() {}

  /** 256 random bits, base64url without padding: 43 characters of [A-Za-z0-9_-]. */
  public static String random() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  public static boolean wellFormed(String token) {
    return token != null && SHAPE.matcher(token).matches();
  }

  public static byte[] hash(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The hash as hex, for statements that take it inside a JSON record (decode(…, 'hex')). */
  public static String hashHex(String token) {
    return java.util.HexFormat.of().formatHex(hash(token));
  }
}
