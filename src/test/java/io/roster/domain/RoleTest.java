package io.roster.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The permissions table of API.md section 3, row by row. */
public class RoleTest {
  static final List<String> ADMIN = List.of("account-team.view", "admin-settings.access", "billing.manage",
      "community.navigate", "cooper.use", "dashboard.view", "home.full", "invoices.view", "merch.navigate",
      "modules.access", "professional-services.view", "profile.edit", "roles.assign", "store.navigate",
      "subscriptions.request", "tickets.view.all", "unified-login.manage", "university.navigate", "users.manage");
  static final List<String> BILLING = List.of("account-team.view", "billing.manage", "community.navigate",
      "cooper.use", "dashboard.view", "home.full", "invoices.view", "merch.navigate", "modules.access",
      "professional-services.view", "profile.edit", "store.navigate", "subscriptions.request",
      "tickets.view.billing", "university.navigate");
  static final List<String> USER = List.of("account-team.view", "community.navigate", "cooper.use", "home.full",
      "merch.navigate", "modules.access", "professional-services.view", "profile.edit", "tickets.view.own",
      "university.navigate");
  static final List<String> CO_MANAGED = List.of("modules.access", "profile.edit", "university.navigate");

  public static List<String> adminPermissions() {
    return ADMIN;
  }

  public static List<String> billingPermissions() {
    return BILLING;
  }

  public static List<String> userPermissions() {
    return USER;
  }

  public static List<String> coManagedPermissions() {
    return CO_MANAGED;
  }

  @Test
  void eachRoleGrantsExactlyItsColumnSorted() {
    assertThat(Role.ADMIN.permissions()).containsExactlyElementsOf(ADMIN);
    assertThat(Role.BILLING_AND_PURCHASING.permissions()).containsExactlyElementsOf(BILLING);
    assertThat(Role.USER.permissions()).containsExactlyElementsOf(USER);
    assertThat(Role.CO_MANAGED_USER.permissions()).containsExactlyElementsOf(CO_MANAGED);
  }

  @Test
  void onlyAdminsManageUsers() {
    assertThat(Role.ADMIN.grants(Role.USERS_MANAGE)).isTrue();
    assertThat(Role.BILLING_AND_PURCHASING.grants(Role.USERS_MANAGE)).isFalse();
    assertThat(Role.USER.grants(Role.USERS_MANAGE)).isFalse();
    assertThat(Role.CO_MANAGED_USER.grants(Role.USERS_MANAGE)).isFalse();
  }

  @Test
  void parsesOnlyExactNames() {
    assertThat(Role.parse("ADMIN")).contains(Role.ADMIN);
    assertThat(Role.parse("admin")).isEmpty();
    assertThat(Role.parse(null)).isEmpty();
  }
}
