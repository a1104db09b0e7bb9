package io.roster.domain;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An organization's password policy (API.md sections 3, 12.5 and 12.7) and the rules it checks
 * on a password by itself. Its history rule needs the user's earlier hashes: {@code
 * auth.PasswordHistory}.
 */
public record PasswordPolicy(
    int minLength, boolean requireUppercase, boolean requireLowercase, boolean requireDigit,
    boolean requireSymbol, int maxFailedAttempts, Duration lockoutDuration, boolean revealLockout,
    boolean notifyOnLockout, int passwordHistory, boolean rejectCommonPasswords) {

  public static final PasswordPolicy DEFAULT =
      new PasswordPolicy(12, true, true, true, true, 5, Duration.ofMinutes(10), true, true, 5, true);

  /** The rule names of API.md 12.7, as "rules" lists them. */
  public static final String HISTORY = "HISTORY";
  public static final String COMMON = "COMMON";

  /** The rules a password breaks, by name; empty when it is acceptable. */
  public List<String> violations(String password, String email) {
    List<String> failed = new ArrayList<>();
    if (password == null) {
      failed.add("minLength");
      return failed;
    }
    int length = password.codePointCount(0, password.length());
    if (length < minLength) {
      failed.add("minLength");
    }
    if (length > Validation.PASSWORD_MAX) {
      failed.add("maxLength");
    }
    if (requireUppercase && password.codePoints().noneMatch(Character::isUpperCase)) {
      failed.add("requireUppercase");
    }
    if (requireLowercase && password.codePoints().noneMatch(Character::isLowerCase)) {
      failed.add("requireLowercase");
    }
    if (requireDigit && password.codePoints().noneMatch(Character::isDigit)) {
      failed.add("requireDigit");
    }
    if (requireSymbol && password.codePoints().allMatch(Character::isLetterOrDigit)) {
      failed.add("requireSymbol");
    }
    if (rejectCommonPasswords && CommonPasswords.contains(password)) {
      failed.add(COMMON);
    }
    if (email != null) {
      String local = email.substring(0, Math.max(0, email.indexOf('@'))).toLowerCase(Locale.ROOT);
      if (!local.isEmpty() && password.toLowerCase(Locale.ROOT).contains(local)) {
        failed.add("notContainEmail");
      }
    }
    return failed;
  }
}
