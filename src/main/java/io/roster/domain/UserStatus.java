package io.roster.domain;

import java.util.Arrays;
import java.util.Optional;

/**
 * Statuses as the User Management page shows them. The database stores the lasting status
 * (INVITED, ACTIVE, DEACTIVATED); LOCKED_OUT is shown while a lock is in force, computed by the
 * database clock (UserRows.SHOWN_STATUS) so that every replica agrees.
 */
public enum UserStatus {
  INVITED, ACTIVE, DEACTIVATED, LOCKED_OUT;

  public static Optional<UserStatus> parse(String s) {
    return Arrays.stream(values()).filter(v -> v.name().equals(s)).findFirst();
  }
}
