package io.roster.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;
import org.junit.jupiter.api.Test;

/** Roster's argon2id PHC strings agree with another implementation's, both ways. */
class Argon2idTest {
  private static final Argon2id.Params PARAMS = new Argon2id.Params(Passwords.MEMORY_KIB, Passwords.ITERATIONS, Passwords.PARALLELISM);
  private static final Argon2Function OTHER = Argon2Function.getInstance(Passwords.MEMORY_KIB, Passwords.ITERATIONS,
      Passwords.PARALLELISM, 32, Argon2.ID);

  @Test
  void hashesMadeByTheEarlierLibraryVerify() {
    String stored = Password.hash("Grüße-Passwort-1!").addRandomSalt(16).with(OTHER).getResult();
    assertThat(Argon2id.verify("Grüße-Passwort-1!", stored)).isTrue();
    assertThat(Argon2id.verify("Grüße-Passwort-2!", stored)).isFalse();
    assertThat(Argon2id.paramsOf(stored)).isEqualTo(PARAMS);
  }

  @Test
  void ourHashesVerifyElsewhereAndCarryTheirParameters() {
    String ours = Argon2id.hash("Correct-Horse-9!", PARAMS);
    assertThat(ours).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
    assertThat(Password.check("Correct-Horse-9!", ours).with(Argon2Function.getInstanceFromHash(ours))).isTrue();
    assertThat(Argon2id.verify("Correct-Horse-9!", ours)).isTrue();
    assertThat(Argon2id.verify("correct-horse-9!", ours)).isFalse();
    assertThat(Argon2id.hash("Correct-Horse-9!", PARAMS)).as("salted").isNotEqualTo(ours);
  }

  @Test
  void somethingElseIsNotAHash() {
    for (String bad : new String[] {"", "plain", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
        "$argon2id$v=19$m=19456,t=2$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "$argon2id$v=19$m=1,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
        "$2a$10$abcdefghijklmnopqrstuv"}) {
      assertThatThrownBy(() -> Argon2id.verify("x", bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
