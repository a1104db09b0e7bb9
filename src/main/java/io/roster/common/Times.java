package io.roster.common;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** ISO-8601 UTC with millisecond precision, as API.md section 2 asks. */
public final class Times {
  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private Times() {}

  public static String format(Instant t) {
    return t == null ? null : FORMAT.format(t.truncatedTo(ChronoUnit.MILLIS));
  }

  public static String format(OffsetDateTime t) {
    return t == null ? null : format(t.toInstant());
  }

  public static String format(LocalDateTime t) {
    return t == null ? null : format(t.toInstant(ZoneOffset.UTC));
  }
}
