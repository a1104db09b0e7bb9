package io.roster.imports;

import io.roster.common.ApiException;
import io.roster.domain.Role;
import io.roster.domain.Validation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** One row of an import, validated by the same rules as POST /api/v1/users. */
record ImportRow(int line, String email, String rawEmail, String firstName, String lastName, Role role, List<String> groups,
    JsonArray errors) {

  /** Validates raw field values (null where absent); `extra` carries shape errors found by the parser. */
  static ImportRow of(int line, String email, String firstName, String lastName, String role, List<String> groups, JsonArray extra) {
    JsonArray errors = extra == null ? new JsonArray() : extra;
    String e = email == null || email.isBlank() ? null : Validation.email(email).orElse(null);
    if (email == null || email.isBlank()) {
      errors.add(ApiException.fieldError("email", "is required"));
    } else if (e == null) {
      errors.add(ApiException.fieldError("email", "must be a valid email address"));
    }
    String f = name("firstName", firstName, errors);
    String l = name("lastName", lastName, errors);
    Role r = null;
    if (role == null || role.isBlank()) {
      errors.add(ApiException.fieldError("role", "is required"));
    } else {
      r = Role.parse(role.strip()).orElse(null);
      if (r == null) {
        errors.add(ApiException.fieldError("role", "must be one of ADMIN, BILLING_AND_PURCHASING, USER, CO_MANAGED_USER"));
      }
    }
    java.util.LinkedHashSet<String> g = new java.util.LinkedHashSet<>();
    List<String> given = groups == null ? List.of() : groups;
    if (given.size() > Validation.GROUPS_MAX) {
      errors.add(ApiException.fieldError("groups", "must hold at most " + Validation.GROUPS_MAX + " groups"));
      given = List.of();
    }
    for (String group : given) {
      if (group == null || group.isBlank()) {
        continue;
      }
      String s = Validation.group(group).orElse(null);
      if (s == null) {
        errors.add(ApiException.fieldError("groups", "must hold names of at most " + Validation.GROUP_MAX
            + " characters without control characters"));
        break;
      }
      g.add(s);
    }
    return new ImportRow(line, e, email == null ? null : email.strip(), f, l, r, new ArrayList<>(g), errors);
  }

  private static String name(String field, String raw, JsonArray errors) {
    if (raw == null || raw.isBlank()) {
      errors.add(ApiException.fieldError(field, "is required"));
      return null;
    }
    return Validation.name(raw).orElseGet(() -> {
      errors.add(ApiException.fieldError(field, "must be 1 to " + Validation.NAME_MAX + " characters, not blank"));
      return null;
    });
  }

  boolean valid() {
    return errors.isEmpty();
  }

  JsonObject report(String result) {
    JsonObject row = new JsonObject().put("line", line).put("email", email != null ? email : rawEmail).put("result", result);
    if (!errors.isEmpty()) {
      row.put("errors", errors);
    }
    return row;
  }
}
