package io.roster.domain;

import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

/**
 * Statuses as the User Management page shows them. The database stores the lasting status
 * (INVITED, ACTIVE, DEACTIVATED); LOCKED_OUT is shown while a lock is in force.
 */
public enum UserStatus {
  INVITED, ACTIVE, DEACTIVATED, LOCKED_OUT;

  /** The status to show for a stored status and lock time, at a given instant. */
  public static UserStatus shown(UserStatus stored, Instant lockedUntil, Instant now) {
    if (stored != DEACTIVATED && lockedUntil != null && lockedUntil.isAfter(now)) {
      return LOCKED_OUT;
    }
    return stored;
  }

  public static Optional<UserStatus> parse(String s) {
    return Arrays.stream(values()).filter(v -> v.name().equals(s)).findFirst();
  }
}
