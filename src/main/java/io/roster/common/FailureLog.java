package io.roster.common;

import org.slf4j.Logger;

/**
 * How a background loop (lockout sweep, outbox poll, purge) reports failing work: one warning
 * when a run of failures starts (a database outage fails every sweep, several times a second),
 * one line when the work succeeds again, and the failures in between at debug. Used from the
 * verticle's own context.
 */
public final class FailureLog {
  private final Logger log;
  private final String what;
  private long failures;

  public FailureLog(Logger log, String what) {
    this.log = log;
    this.what = what;
  }

  public void failed(Throwable err) {
    if (failures++ == 0) {
      log.warn("{} failed: {} (repeats are logged at debug until it works again)", what, err.toString());
    } else {
      log.debug("{} failed again ({} in a row): {}", what, failures, err.toString());
    }
  }

  public void succeeded() {
    if (failures > 0) {
      log.info("{} works again after {} failed attempt(s)", what, failures);
      failures = 0;
    }
  }
}
