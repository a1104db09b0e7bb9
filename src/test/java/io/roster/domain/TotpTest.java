package io.roster.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.apache.commons.codec.binary.Base32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TotpTest {
  /** RFC 6238 appendix B's SHA1 key, "12345678901234567890", in base32. */
  private static final String RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

  @ParameterizedTest(name = "T={0} gives {1}")
  @CsvSource({
      "59, 287082", "1111111109, 081804", "1111111111, 050471",
      "1234567890, 005924", "2000000000, 279037", "20000000000, 353130"})
  void matchesTheRfc6238TestVectors(long epochSeconds, String expected) {
    assertThat(Totp.code(RFC_SECRET, Totp.step(Instant.ofEpochSecond(epochSeconds)))).isEqualTo(expected);
  }

  @Test
  void acceptsOneStepOfSkewEachWayAndNoMore() {
    Instant now = Instant.ofEpochSecond(1_700_000_000L);
    long step = Totp.step(now);
    assertThat(Totp.verify(RFC_SECRET, Totp.code(RFC_SECRET, step - 1), null, now)).hasValue(step - 1);
    assertThat(Totp.verify(RFC_SECRET, Totp.code(RFC_SECRET, step), null, now)).hasValue(step);
    assertThat(Totp.verify(RFC_SECRET, Totp.code(RFC_SECRET, step + 1), null, now)).hasValue(step + 1);
    assertThat(Totp.verify(RFC_SECRET, Totp.code(RFC_SECRET, step - 2), null, now)).isEmpty();
    assertThat(Totp.verify(RFC_SECRET, Totp.code(RFC_SECRET, step + 2), null, now)).isEmpty();
  }

  @Test
  void neverAcceptsAStepAtOrBeforeTheLastOneUsed() {
    Instant now = Instant.ofEpochSecond(1_700_000_000L);
    long step = Totp.step(now);
    String code = Totp.code(RFC_SECRET, step);
    assertThat(Totp.verify(RFC_SECRET, code, step, now)).isEmpty();
    assertThat(Totp.verify(RFC_SECRET, code, step + 1, now)).isEmpty();
    assertThat(Totp.verify(RFC_SECRET, code, step - 1, now)).hasValue(step);
  }

  @Test
  void refusesMalformedCodes() {
    Instant now = Instant.now();
    assertThat(Totp.verify(RFC_SECRET, "12345", null, now)).isEmpty();
    assertThat(Totp.verify(RFC_SECRET, "abcdef", null, now)).isEmpty();
    assertThat(Totp.verify(RFC_SECRET, null, null, now)).isEmpty();
    assertThat(Totp.verify(null, "123456", null, now)).isEmpty();
  }

  @Test
  void newSecretsAre160BitBase32WithoutPadding() {
    String secret = Totp.newSecret();
    assertThat(secret).matches("[A-Z2-7]{32}");
    assertThat(new Base32().decode(secret)).hasSize(20);
    assertThat(Totp.newSecret()).isNotEqualTo(secret);
  }

  @Test
  void uriFollowsTheKeyUriFormat() {
    assertThat(Totp.uri("Roster", "a@b.test", "ABC"))
        .isEqualTo("otpauth://totp/Roster:a%40b.test?secret=ABC&issuer=Roster&algorithm=SHA1&digits=6&period=30");
  }
}
