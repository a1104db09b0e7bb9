package io.roster.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PasswordPolicyTest {
  private final PasswordPolicy policy = PasswordPolicy.DEFAULT;

  @Test
  void aStrongPasswordPasses() {
    assertThat(policy.violations("Correct-Horse-42!", "ann@example.test")).isEmpty();
  }

  @Test
  void eachRuleIsReportedByName() {
    assertThat(policy.violations("Sh0rt!a", "ann@example.test")).containsExactly("minLength");
    assertThat(policy.violations("nouppercase-42!", "ann@example.test")).containsExactly("requireUppercase");
    assertThat(policy.violations("NOLOWERCASE-42!", "ann@example.test")).containsExactly("requireLowercase");
    assertThat(policy.violations("No-Digits-Here!", "ann@example.test")).containsExactly("requireDigit");
    assertThat(policy.violations("NoSymbols12345", "ann@example.test")).containsExactly("requireSymbol");
    assertThat(policy.violations("Xx1!".repeat(33), "ann@example.test")).containsExactly("maxLength");
  }

  @Test
  void refusesTheEmailLocalPartInAnyCase() {
    assertThat(policy.violations("My-ANNABEL-pw-42!", "annabel@example.test")).containsExactly("notContainEmail");
  }

  @Test
  void relaxedRulesAreNotChecked() {
    PasswordPolicy lax = new PasswordPolicy(8, false, false, false, false, 5, Duration.ofMinutes(10), true, true, 0, false);
    assertThat(lax.violations("abcdefgh", "z@example.test")).isEmpty();
    assertThat(lax.violations("abcdefg", "z@example.test")).containsExactly("minLength");
  }

  @Test
  void lengthCountsCodePointsNotChars() {
    PasswordPolicy eight = new PasswordPolicy(8, false, false, false, false, 5, Duration.ofMinutes(10), true, true, 0, false);
    assertThat(eight.violations("😀😀😀😀😀😀😀", "z@example.test")).containsExactly("minLength");
  }
}
