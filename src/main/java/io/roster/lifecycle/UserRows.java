package io.roster.lifecycle;

import io.roster.common.Times;
import io.roster.domain.Validation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

/** The user as API.md section 3 shows it, read from the columns of {@link #COLUMNS}. */
public final class UserRows {
  /** Shown status and lock, computed by the database clock so every replica agrees. */
  public static final String SHOWN_STATUS =
      "(CASE WHEN u.status <> 'DEACTIVATED' AND u.locked_until > now() THEN 'LOCKED_OUT' ELSE u.status END)";

  /**
   * The key sort=status orders by: the shown status, reading a lock from locked_until being set
   * (index users_org_status; the sweeper clears a lock within a second of its end).
   */
  public static final String STATUS_SORT_KEY =
      "(CASE WHEN u.status <> 'DEACTIVATED' AND u.locked_until IS NOT NULL THEN 'LOCKED_OUT' ELSE u.status END)";

  public static final String COLUMNS = """
      u.id, u.organization_id, u.email, u.first_name, u.last_name, u.role, u.root_admin,
      """ + SHOWN_STATUS + """
       AS shown_status,
      CASE WHEN u.status <> 'DEACTIVATED' AND u.locked_until > now() THEN u.locked_until END AS shown_locked_until,
      u.totp_secret IS NOT NULL AS two_factor_enrolled, u.groups, u.deactivation_reason, u.last_login_at,
      u.created_at, u.updated_at, u.version, u.external_id, u.pending_email, u.user_name""";

  private UserRows() {}

  /**
   * The address as the user's identity provider wrote it (SCIM's userName, case kept) while it
   * still names the current address; otherwise the normalised email.
   */
  public static String displayEmail(Row r) {
    String email = r.getString("email");
    String given = r.getString("user_name");
    return given != null && Validation.email(given).filter(email::equals).isPresent() ? given.strip() : email;
  }

  public static JsonObject toJson(Row r) {
    String[] groups = r.getArrayOfStrings("groups");
    JsonArray g = new JsonArray();
    if (groups != null) {
      for (String s : groups) {
        g.add(s);
      }
    }
    return new JsonObject()
        .put("id", r.getUUID("id").toString())
        .put("organizationId", r.getUUID("organization_id").toString())
        .put("email", r.getString("email"))
        .put("displayEmail", displayEmail(r))
        .put("pendingEmail", r.getString("pending_email"))
        .put("firstName", r.getString("first_name"))
        .put("lastName", r.getString("last_name"))
        .put("role", r.getString("role"))
        .put("rootAdmin", r.getBoolean("root_admin"))
        .put("status", r.getString("shown_status"))
        .put("lockedUntil", Times.format(r.getOffsetDateTime("shown_locked_until")))
        .put("twoFactorEnrolled", r.getBoolean("two_factor_enrolled"))
        .put("groups", g)
        .put("deactivationReason", r.getString("deactivation_reason"))
        .put("lastLoginAt", Times.format(r.getOffsetDateTime("last_login_at")))
        .put("createdAt", Times.format(r.getOffsetDateTime("created_at")))
        .put("updatedAt", Times.format(r.getOffsetDateTime("updated_at")))
        .put("version", r.getInteger("version"));
  }
}
