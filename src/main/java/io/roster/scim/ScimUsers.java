package io.roster.scim;

import io.roster.common.Times;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

/** The SCIM 2.0 User resource (RFC 7643 section 4.1) as Roster fills it. */
public final class ScimUsers {
  public static final String USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
  public static final String LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
  public static final String ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";
  public static final String PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

  private ScimUsers() {}

  static JsonObject toScim(Row r, String baseUrl) {
    String id = r.getUUID("id").toString();
    String email = r.getString("email");
    String first = r.getString("first_name");
    String last = r.getString("last_name");
    JsonObject user = new JsonObject()
        .put("schemas", new JsonArray().add(USER_SCHEMA))
        .put("id", id)
        .put("userName", email)
        .put("name", new JsonObject().put("givenName", first).put("familyName", last).put("formatted", first + " " + last))
        .put("displayName", first + " " + last)
        .put("emails", new JsonArray().add(new JsonObject().put("value", email).put("type", "work").put("primary", true)))
        .put("active", !"DEACTIVATED".equals(r.getString("shown_status")))
        .put("meta", new JsonObject()
            .put("resourceType", "User")
            .put("created", Times.format(r.getOffsetDateTime("created_at")))
            .put("lastModified", Times.format(r.getOffsetDateTime("updated_at")))
            .put("location", baseUrl + "/scim/v2/Users/" + id)
            .put("version", "W/\"" + r.getInteger("version") + "\""));
    if (r.getString("external_id") != null) {
      user.put("externalId", r.getString("external_id"));
    }
    return user;
  }
}
