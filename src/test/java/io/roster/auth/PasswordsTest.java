package io.roster.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.common.ApiException;
import io.roster.common.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The hashing queue's deadlines (API.md 12.1): an admitted check that no thread has taken by its
 * deadline is answered 503 at the deadline, not when a thread gets to it, and the thread then
 * skips it; a queue that clearly cannot clear in time refuses at once.
 */
class PasswordsTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  /** What one call answered and how long after it was asked. */
  record Answer(boolean refused, long millis) {}

  private CompletableFuture<Answer> timed(java.util.function.Supplier<Future<Boolean>> call) {
    CompletableFuture<Answer> done = new CompletableFuture<>();
    vertx.runOnContext(x -> {
      long t0 = System.nanoTime();
      call.get().onComplete(ar -> {
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (ar.succeeded()) {
          done.complete(new Answer(false, ms));
        } else if (ar.cause() instanceof ApiException e && e.code() == ErrorCode.OVERLOADED) {
          done.complete(new Answer(true, ms));
        } else {
          done.completeExceptionally(ar.cause());
        }
      });
    });
    return done;
  }

  @Test
  void aCheckNotStartedByItsDeadlineIsRefusedThenAndNeverHashed() throws Exception {
    Passwords passwords = new Passwords(vertx, 1, Duration.ofMillis(200));
    // A check about ten times the usual work keeps the only hashing thread busy well past 200 ms.
    String slow = Argon2id.hashOnce("slow", new Argon2id.Params(Passwords.MEMORY_KIB, 40, 1));
    String normal = Argon2id.hashOnce("normal", new Argon2id.Params(Passwords.MEMORY_KIB, Passwords.ITERATIONS, 1));
    CompletableFuture<Answer> busy = timed(() -> passwords.verify("slow", slow, System.currentTimeMillis() + 200));
    Thread.sleep(20);
    List<CompletableFuture<Answer>> behind = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      behind.add(timed(() -> passwords.verify("normal", normal, System.currentTimeMillis() + 200)));
    }
    for (CompletableFuture<Answer> b : behind) {
      Answer a = b.get(5, TimeUnit.SECONDS);
      assertThat(a.refused()).as("queued behind a long check").isTrue();
      assertThat(a.millis()).as("answered at its deadline, not when a thread was free").isBetween(150L, 300L);
    }
    // The refused checks are skipped: one asked now starts as soon as the long one ends.
    CompletableFuture<Answer> next = timed(() -> passwords.verify("normal", normal, System.currentTimeMillis() + 10_000));
    Answer first = busy.get(10, TimeUnit.SECONDS);
    assertThat(first.refused()).isFalse();
    assertThat(first.millis()).as("the long check must outlast the deadline for this test to mean anything").isGreaterThan(400L);
    Answer after = next.get(10, TimeUnit.SECONDS);
    assertThat(after.refused()).isFalse();
    long oneCheck = passwords.typicalCheckMillis();
    assertThat(after.millis()).as("no refused check was hashed before it (one check takes %d ms)", oneCheck)
        .isLessThan(first.millis() + 2 * oneCheck + 100);
  }

  @Test
  void aQueueThatClearlyCannotClearInTimeRefusesAtOnce() throws Exception {
    Passwords passwords = new Passwords(vertx, 1, Duration.ofMillis(200));
    String normal = Argon2id.hashOnce("normal", new Argon2id.Params(Passwords.MEMORY_KIB, Passwords.ITERATIONS, 1));
    List<CompletableFuture<Answer>> calls = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      calls.add(timed(() -> passwords.verify("normal", normal, System.currentTimeMillis() + 200)));
    }
    int atOnce = 0;
    int checked = 0;
    for (CompletableFuture<Answer> c : calls) {
      Answer a = c.get(10, TimeUnit.SECONDS);
      assertThat(a.millis()).as("nothing waits past the queue timeout (+100 ms)").isLessThan(300L);
      if (a.refused() && a.millis() < 50) {
        atOnce++;
      }
      if (!a.refused()) {
        checked++;
      }
    }
    assertThat(checked).as("the head of the queue is checked").isGreaterThan(0);
    assertThat(atOnce).as("30 checks of ~30-50 ms cannot all start within 200 ms on one thread").isGreaterThan(15);
    assertThat(passwords.full()).isFalse();
  }
}
