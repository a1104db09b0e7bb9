package io.roster.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ValidationTest {
  @Test
  void emailsAreTrimmedAndLowerCased() {
    assertThat(Validation.email("  Ann.Lee@Example.TEST \t")).contains("ann.lee@example.test");
  }

  @Test
  void badEmailsAreRefused() {
    assertThat(Validation.email("no-at-sign")).isEmpty();
    assertThat(Validation.email("a@b")).isEmpty();
    assertThat(Validation.email("a b@example.test")).isEmpty();
    assertThat(Validation.email("a..b@example.test")).isEmpty();
    assertThat(Validation.email("x".repeat(250) + "@example.test")).isEmpty();
    assertThat(Validation.email(null)).isEmpty();
  }

  @Test
  void namesAreTrimmedOfUnicodeSpaceAndCountedInCodePoints() {
    assertThat(Validation.name("\u00A0\u3000 Zoë \u2003")).contains("Zoë");
    assertThat(Validation.name("😀".repeat(100))).isPresent();
    assertThat(Validation.name("😀".repeat(101))).isEmpty();
    assertThat(Validation.name(" \u00A0 ")).isEmpty();
    assertThat(Validation.name("")).isEmpty();
    assertThat(Validation.name("bad\u0000name")).isEmpty();
  }
}
