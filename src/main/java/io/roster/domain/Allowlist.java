package io.roster.domain;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An organization's IP allowlist (API.md 12.4): while enabled, its users are served only from
 * the listed networks. {@link #OFF} lets everyone in.
 */
public record Allowlist(boolean enabled, List<String> entries, List<Cidr> networks) {
  public static final Allowlist OFF = new Allowlist(false, List.of(), List.of());

  /** From the stored form (organizations.ip_allowlist_enabled, ip_allowlist); entries were checked when saved. */
  public static Allowlist of(Boolean enabled, String[] entries) {
    List<String> given = entries == null ? List.of() : List.of(entries);
    if (!Boolean.TRUE.equals(enabled) && given.isEmpty()) {
      return OFF;
    }
    List<Cidr> networks = new ArrayList<>();
    for (String e : given) {
      Cidr.parse(e).ifPresent(networks::add);
    }
    return new Allowlist(Boolean.TRUE.equals(enabled), given, List.copyOf(networks));
  }

  /** Whether a request from this address may proceed (an unknown address may not, while enabled). */
  public boolean permits(Optional<InetAddress> client) {
    return !enabled || client.isPresent() && Cidr.anyContains(networks, client.get());
  }
}
