package io.roster.auth;

import io.roster.domain.Tokens;
import io.vertx.core.buffer.Buffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Recovery codes (API.md 12.6): ten single-use second factors, shown once when made. A code is
 * ten symbols of a 32-letter alphabet without look-alikes (50 random bits), shown as XXXXX-XXXXX
 * and accepted without regard to case, spaces or hyphens. Only a SHA-256 of each is kept: a
 * guess needs a live MFA token (so the right password) and counts as a failed sign-in attempt.
 */
final class RecoveryCodes {
  static final int COUNT = 10;
  private static final char[] ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A user's codes are replaced as a set; the new ones are the only ones that work. */
  static final String REPLACE = """
      WITH gone AS (DELETE FROM recovery_codes WHERE user_id = $1)
      INSERT INTO recovery_codes (user_id, code_hash) SELECT $1, h FROM unnest($2::bytea[]) AS h""";
  /** Spends one code of the user; no row when it is not theirs or was used. Answers how many remain. */
  static final String SPEND = """
      WITH spent AS (UPDATE recovery_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL
                     RETURNING code_hash)
      SELECT (SELECT count(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL) - 1 AS left FROM spent""";

  private RecoveryCodes() {}

  static List<String> generate() {
    List<String> codes = new ArrayList<>(COUNT);
    for (int i = 0; i < COUNT; i++) {
      StringBuilder code = new StringBuilder(11);
      for (int j = 0; j < 10; j++) {
        if (j == 5) {
          code.append('-');
        }
        code.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
      }
      codes.add(code.toString());
    }
    return codes;
  }

  /** The stored form of a code as typed: hyphens, spaces and case do not matter. */
  static Buffer hash(String typed) {
    String normal = typed.replaceAll("[\\s-]", "").toUpperCase(Locale.ROOT);
    return Buffer.buffer(Tokens.hash(normal));
  }

  static Buffer[] hashes(List<String> codes) {
    return codes.stream().map(RecoveryCodes::hash).toArray(Buffer[]::new);
  }
}
