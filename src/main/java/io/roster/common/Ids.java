package io.roster.common;

import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/** UUID handling for ids that come from outside: a malformed one is simply not found. */
public final class Ids {
  private static final Pattern UUID_SHAPE =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private Ids() {}

  public static Optional<UUID> parse(String s) {
    return s != null && UUID_SHAPE.matcher(s).matches() ? Optional.of(UUID.fromString(s)) : Optional.empty();
  }

  public static UUID require(String s) {
    return parse(s).orElseThrow(ApiException::notFound);
  }
}
