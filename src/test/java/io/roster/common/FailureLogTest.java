package io.roster.common;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A database outage fails a sweep several times a second: one warning per outage, one line when it is over. */
class FailureLogTest {
  @Test
  void aRunOfFailuresWarnsOnceAndItsEndIsNoted() {
    Logger logger = (Logger) LoggerFactory.getLogger("test.failure-log");
    logger.setLevel(Level.DEBUG);
    ListAppender<ILoggingEvent> seen = new ListAppender<>();
    seen.start();
    logger.addAppender(seen);
    FailureLog log = new FailureLog(logger, "Lockout sweep");

    log.succeeded();
    for (int i = 0; i < 50; i++) {
      log.failed(new ConnectException("Connection refused"));
    }
    log.succeeded();
    log.succeeded();
    log.failed(new ConnectException("Connection refused"));

    assertThat(seen.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage))
        .containsExactly("Lockout sweep failed: java.net.ConnectException: Connection refused (repeats are logged at debug until it works again)",
            "Lockout sweep failed: java.net.ConnectException: Connection refused (repeats are logged at debug until it works again)");
    assertThat(seen.list.stream().filter(e -> e.getLevel() == Level.INFO).map(ILoggingEvent::getFormattedMessage))
        .containsExactly("Lockout sweep works again after 50 failed attempt(s)");
    assertThat(seen.list.stream().filter(e -> e.getLevel() == Level.DEBUG)).hasSize(49);
  }
}
