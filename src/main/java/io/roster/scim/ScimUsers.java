package io.roster.scim;

import io.roster.common.Times;
import io.roster.lifecycle.UserRows;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.Map;

/** The SCIM 2.0 User resource (RFC 7643 section 4.1) as Roster fills it. */
public final class ScimUsers {
  public static final String USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
  public static final String LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
  public static final String ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";
  public static final String PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

  /** The user columns, and the SCIM groups the user is a member of (read-only, RFC 7643 section 4.1.2). */
  static final String COLUMNS = UserRows.COLUMNS + """
      , (SELECT coalesce(json_agg(json_build_object('value', g.id, 'display', g.display_name) ORDER BY g.display_name), '[]')
         FROM scim_groups g WHERE g.organization_id = u.organization_id AND g.display_name = ANY(u.groups)) AS scim_groups""";

  /** Filters on Users: userName (case ignored, as every address), externalId and id. */
  public static final Map<String, String> FILTERS = Map.of("username", "userName", "externalid", "externalId", "id", "id");

  private ScimUsers() {}

  static JsonObject toScim(Row r, String baseUrl) {
    String id = r.getUUID("id").toString();
    // The userName as the identity provider sent it (case kept), while it names the current address.
    String email = UserRows.displayEmail(r);
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
    return user.put("groups", references(r.getValue("scim_groups"), baseUrl + "/scim/v2/Groups/", "direct"));
  }

  /** A json_agg of {value, display} (as the pg client hands it over) as SCIM references with $ref and type. */
  static JsonArray references(Object aggregated, String location, String type) {
    JsonArray out = new JsonArray();
    for (Object o : aggregated instanceof JsonArray a ? a : new JsonArray(String.valueOf(aggregated))) {
      JsonObject ref = (JsonObject) o;
      out.add(ref.copy().put("$ref", location + ref.getString("value")).put("type", type));
    }
    return out;
  }

  /** A ListResponse (RFC 7644 section 3.4.2) of one page. */
  static JsonObject listResponse(long total, int startIndex, JsonArray resources) {
    return new JsonObject().put("schemas", new JsonArray().add(LIST_SCHEMA)).put("totalResults", total)
        .put("startIndex", startIndex).put("itemsPerPage", resources.size()).put("Resources", resources);
  }
}
