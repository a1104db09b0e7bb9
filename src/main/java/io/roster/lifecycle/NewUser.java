package io.roster.lifecycle;

import io.roster.domain.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** A user to invite, validated by whoever asks (admin, support, import, SCIM). */
public record NewUser(String email, String firstName, String lastName, Role role, List<String> groups, boolean rootAdmin) {
  public NewUser(String email, String firstName, String lastName, Role role, List<String> groups) {
    this(email, firstName, lastName, role, groups, false);
  }

  JsonObject toRecord(java.util.UUID id) {
    return new JsonObject().put("id", id.toString()).put("email", email).put("first_name", firstName)
        .put("last_name", lastName).put("role", role.name()).put("root_admin", rootAdmin)
        .put("groups", new JsonArray(groups));
  }
}
