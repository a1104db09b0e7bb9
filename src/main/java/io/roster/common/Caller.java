package io.roster.common;

import io.roster.domain.Role;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/** Who is calling: established by the HTTP layer from a valid access token and a live session. */
public record Caller(UUID userId, UUID organizationId, Role role, boolean rootAdmin, UUID sessionId) {
  public static final String FIELD = "caller";

  public JsonObject toJson() {
    return new JsonObject().put("userId", userId.toString()).put("organizationId", organizationId.toString())
        .put("role", role.name()).put("rootAdmin", rootAdmin).put("sessionId", sessionId.toString());
  }

  public static Caller of(JsonObject command) {
    JsonObject j = command.getJsonObject(FIELD);
    return new Caller(UUID.fromString(j.getString("userId")), UUID.fromString(j.getString("organizationId")),
        Role.valueOf(j.getString("role")), j.getBoolean("rootAdmin"), UUID.fromString(j.getString("sessionId")));
  }
}
