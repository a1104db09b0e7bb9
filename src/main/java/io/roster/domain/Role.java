package io.roster.domain;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The four roles of the User Management page and the fixed permissions each grants (API.md section 3). */
public enum Role {
  ADMIN(
      "profile.edit", "modules.access", "university.navigate", "community.navigate", "merch.navigate",
      "store.navigate", "cooper.use", "professional-services.view", "account-team.view", "home.full",
      "dashboard.view", "billing.manage", "subscriptions.request", "invoices.view", "tickets.view.all",
      "admin-settings.access", "users.manage", "roles.assign", "unified-login.manage"),
  BILLING_AND_PURCHASING(
      "profile.edit", "modules.access", "university.navigate", "community.navigate", "merch.navigate",
      "store.navigate", "cooper.use", "professional-services.view", "account-team.view", "home.full",
      "dashboard.view", "billing.manage", "subscriptions.request", "invoices.view", "tickets.view.billing"),
  USER(
      "profile.edit", "modules.access", "university.navigate", "community.navigate", "merch.navigate",
      "cooper.use", "professional-services.view", "account-team.view", "home.full", "tickets.view.own"),
  CO_MANAGED_USER("profile.edit", "modules.access", "university.navigate");

  public static final String USERS_MANAGE = "users.manage";

  private final Set<String> permissions;

  Role(String... permissions) {
    this.permissions = Collections.unmodifiableSet(new TreeSet<>(Arrays.asList(permissions)));
  }

  /** Sorted, as GET /api/v1/me returns them. */
  public List<String> permissions() { return List.copyOf(permissions); }

  public boolean grants(String permission) { return permissions.contains(permission); }

  public static Optional<Role> parse(String s) {
    return Arrays.stream(values()).filter(r -> r.name().equals(s)).findFirst();
  }
}
