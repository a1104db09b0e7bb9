package io.roster.scim;

import io.roster.audit.Audit;
import io.roster.common.ApiException;
import io.roster.common.Ids;
import io.roster.common.Times;
import io.roster.domain.Validation;
import io.roster.lifecycle.Change;
import io.roster.lifecycle.Lifecycle;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SCIM Group resource (RFC 7643 section 4.2) over Roster's groups. A SCIM group is a group
 * name of the organization that a SCIM client registered (scim_groups: id, externalId, times);
 * its members are the users whose groups hold the name, so a group push is a change of users'
 * groups, and the SSO mapping rules ({@link Lifecycle#applyMappingRules}) then apply to every
 * user who left a group. Every write locks the group's row: two replicas applying changes to one
 * group apply them one after the other.
 */
public final class ScimGroups {
  public static final String GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
  /** Filters on Groups: displayName (case ignored), externalId and id. */
  public static final Map<String, String> FILTERS = Map.of("displayname", "displayName", "externalid", "externalId", "id", "id");
  private static final Pattern MEMBER_FILTER =
      Pattern.compile("^\\s*members\\s*\\[\\s*value\\s+eq\\s+\"([^\"]*)\"\\s*]\\s*$", Pattern.CASE_INSENSITIVE);

  private static final String COLUMNS = "g.id, g.display_name, g.external_id, g.created_at, g.updated_at, g.version";
  private static final String MEMBERS = """
      , (SELECT coalesce(json_agg(json_build_object('value', u.id, 'display', u.email) ORDER BY u.email), '[]')
         FROM users u WHERE u.organization_id = g.organization_id AND u.groups @> ARRAY[g.display_name]) AS members""";
  /** The list's filters, each its condition on $2 (displayName by the index scim_groups_name). */
  private static final Map<String, String> CONDITIONS = Map.of("displayName", " AND lower(g.display_name) = lower($2)",
      "externalId", " AND g.external_id = $2", "id", " AND g.id = $2");
  private static final String LOCK = "SELECT " + COLUMNS + " FROM scim_groups g WHERE g.id = $1 AND g.organization_id = $2 FOR UPDATE";
  private static final String ONE = "SELECT " + COLUMNS + MEMBERS + " FROM scim_groups g WHERE g.id = $1 AND g.organization_id = $2";
  private static final String MEMBER_IDS = """
      SELECT id FROM users WHERE organization_id = $1 AND groups @> ARRAY[$2::text] ORDER BY id""";
  private static final String INSERT = """
      INSERT INTO scim_groups (id, organization_id, display_name, external_id) VALUES ($1, $2, $3, $4)""";
  private static final String UPDATE = """
      UPDATE scim_groups SET display_name = $3, external_id = $4, updated_at = now(), version = version + 1
      WHERE id = $1 AND organization_id = $2""";
  private static final String DELETE = "DELETE FROM scim_groups WHERE id = $1 AND organization_id = $2";
  /** The users a change touches, locked in id order so that concurrent pushes to different groups cannot deadlock. */
  private static final String LOCK_USERS = """
      SELECT id, cardinality(groups) AS held FROM users WHERE organization_id = $1 AND id = ANY($2::uuid[])
      ORDER BY id FOR UPDATE""";
  private static final String ADD = """
      UPDATE users SET groups = array_append(groups, $2), updated_at = now(), version = version + 1
      WHERE organization_id = $1 AND id = ANY($3::uuid[]) AND NOT (groups @> ARRAY[$2::text])""";
  private static final String REMOVE = """
      UPDATE users SET groups = array_remove(groups, $2), updated_at = now(), version = version + 1
      WHERE organization_id = $1 AND id = ANY($3::uuid[]) AND groups @> ARRAY[$2::text]""";
  // A rename moves every member, and the mapping rules that name the group, to the new name.
  private static final String RENAME_MEMBERS = """
      UPDATE users SET groups = array_replace(array_remove(groups, $3), $2, $3), updated_at = now(), version = version + 1
      WHERE organization_id = $1 AND groups @> ARRAY[$2::text]""";
  private static final String RENAME_RULES = """
      UPDATE sso_integrations SET mapped_groups = array_replace(array_remove(mapped_groups, $3), $2, $3)
      WHERE organization_id = $1 AND mapped_groups @> ARRAY[$2::text]""";

  private final Pool pool;
  private final Lifecycle lifecycle;
  private final String baseUrl;

  ScimGroups(Pool pool, Lifecycle lifecycle, String baseUrl) {
    this.pool = pool;
    this.lifecycle = lifecycle;
    this.baseUrl = baseUrl;
  }

  /** A group as Roster would store it: displayName, externalId (or null) and the member ids. */
  public record Group(String displayName, String externalId, Set<UUID> members) {
    /** For the event bus. */
    public JsonObject toJson() {
      JsonArray ids = new JsonArray();
      members.forEach(m -> ids.add(m.toString()));
      return new JsonObject().put("displayName", displayName).put("externalId", externalId).put("members", ids);
    }

    static Group of(JsonObject json) {
      Set<UUID> ids = new LinkedHashSet<>();
      json.getJsonArray("members").forEach(m -> ids.add(UUID.fromString((String) m)));
      return new Group(json.getString("displayName"), json.getString("externalId"), ids);
    }
  }

  // ---- reading -------------------------------------------------------------------------------

  Future<JsonObject> list(UUID org, ScimQuery.Filter filter, int start, int count, boolean withMembers) {
    return ScimQuery.list(pool, COLUMNS + (withMembers ? MEMBERS : ""), "FROM scim_groups g WHERE g.organization_id = $1", org,
        CONDITIONS, filter, "g.created_at, g.id", start, count, r -> toScim(r, withMembers));
  }

  Future<JsonObject> get(SqlClient client, UUID org, UUID id) {
    return client.preparedQuery(ONE).execute(Tuple.of(id, org)).compose(rows -> rows.size() == 0
        ? Future.failedFuture(ApiException.notFound()) : Future.succeededFuture(toScim(rows.iterator().next(), true)));
  }

  private JsonObject toScim(Row r, boolean withMembers) {
    String id = r.getUUID("id").toString();
    JsonObject group = new JsonObject().put("schemas", new JsonArray().add(GROUP_SCHEMA)).put("id", id)
        .put("displayName", r.getString("display_name"));
    if (r.getString("external_id") != null) {
      group.put("externalId", r.getString("external_id"));
    }
    if (withMembers) {
      group.put("members", ScimUsers.references(r.getValue("members"), baseUrl + "/scim/v2/Users/", "User"));
    }
    return group.put("meta", new JsonObject().put("resourceType", "Group")
        .put("created", Times.format(r.getOffsetDateTime("created_at")))
        .put("lastModified", Times.format(r.getOffsetDateTime("updated_at")))
        .put("location", baseUrl + "/scim/v2/Groups/" + id)
        .put("version", "W/\"" + r.getInteger("version") + "\""));
  }

  // ---- writing -------------------------------------------------------------------------------

  /** POST: a new group with exactly these members (users who already carry the name and are not listed lose it). */
  Future<JsonObject> create(UUID org, Group wanted) {
    UUID id = UUID.randomUUID();
    return unique(lifecycle.run(ch -> ch.tx.preparedQuery(INSERT).execute(Tuple.of(id, org, wanted.displayName(), wanted.externalId()))
        .compose(x -> members(ch.tx, org, wanted.displayName()))
        .compose(current -> write(ch, org, id, wanted.displayName(), current, wanted, "created"))
        .compose(x -> get(ch.tx, org, id))));
  }

  /**
   * A name another group of the organization has (case ignored) is refused by the unique index
   * scim_groups_name, also when two writers take one name at once: 409 uniqueness.
   */
  private static Future<JsonObject> unique(Future<JsonObject> write) {
    return write.recover(err -> Future.failedFuture(err instanceof PgException pg && "scim_groups_name".equals(pg.getConstraint())
        ? ScimPatch.error(409, "uniqueness", "Another group of this organization has this displayName (case ignored)") : err));
  }

  /** PUT: the group becomes exactly this. */
  Future<JsonObject> replace(UUID org, UUID id, Group wanted) {
    return locked(org, id, current -> wanted);
  }

  /** PATCH: the operations applied to the group as it is under its row lock. */
  Future<JsonObject> patch(UUID org, UUID id, JsonArray operations) {
    return locked(org, id, current -> apply(current, operations));
  }

  Future<JsonObject> delete(UUID org, UUID id) {
    return lifecycle.run(ch -> ch.tx.preparedQuery(LOCK).execute(Tuple.of(id, org)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(ApiException.notFound());
      }
      String name = rows.iterator().next().getString("display_name");
      return members(ch.tx, org, name)
          .compose(current -> write(ch, org, id, name, current, new Group(name, null, Set.of()), "deleted"))
          .compose(x -> ch.tx.preparedQuery(DELETE).execute(Tuple.of(id, org)))
          .map(new JsonObject());
    }));
  }

  /** Locks the group, works out what it becomes from what it is, and writes that. */
  private Future<JsonObject> locked(UUID org, UUID id, UnaryOperator<Group> next) {
    return unique(lifecycle.run(ch -> ch.tx.preparedQuery(LOCK).execute(Tuple.of(id, org)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(ApiException.notFound());
      }
      Row r = rows.iterator().next();
      String name = r.getString("display_name");
      return members(ch.tx, org, name).compose(current -> {
        Group wanted = next.apply(new Group(name, r.getString("external_id"), current));
        return write(ch, org, id, name, current, wanted, "updated");
      }).compose(x -> get(ch.tx, org, id));
    })));
  }

  private Future<Set<UUID>> members(SqlClient tx, UUID org, String name) {
    return tx.preparedQuery(MEMBER_IDS).execute(Tuple.of(org, name)).map(rows -> {
      Set<UUID> ids = new LinkedHashSet<>();
      rows.forEach(r -> ids.add(r.getUUID("id")));
      return ids;
    });
  }

  /**
   * Moves the group from (name, current members) to wanted: a rename first (members and mapping
   * rules follow the name), then the members added and removed, then the row, the mapping rules
   * for everyone who left, and one audit event.
   */
  private Future<Void> write(Change ch, UUID org, UUID id, String name, Set<UUID> current, Group wanted, String change) {
    String next = wanted.displayName();
    Set<UUID> added = new LinkedHashSet<>(wanted.members());
    added.removeAll(current);
    Set<UUID> removed = new LinkedHashSet<>(current);
    removed.removeAll(wanted.members());
    UUID[] add = added.toArray(UUID[]::new);
    UUID[] remove = removed.toArray(UUID[]::new);
    Set<UUID> touched = new LinkedHashSet<>(next.equals(name) ? Set.of() : current);
    touched.addAll(added);
    touched.addAll(removed);
    return ch.tx.preparedQuery(LOCK_USERS).execute(Tuple.of(org).addArrayOfUUID(touched.toArray(UUID[]::new)))
        .compose(rows -> {
          Set<UUID> known = new HashSet<>();
          boolean full = false;
          for (Row r : rows) {
            known.add(r.getUUID("id"));
            full |= added.contains(r.getUUID("id")) && r.getInteger("held") >= Validation.GROUPS_MAX;
          }
          if (!known.containsAll(added)) {
            return Future.failedFuture(ScimPatch.error(400, "invalidValue", "Every member must be a user of this organization"));
          }
          return full ? Future.failedFuture(ScimPatch.error(400, "invalidValue",
              "A user can be in at most " + Validation.GROUPS_MAX + " groups")) : Future.succeededFuture();
        })
        .compose(x -> next.equals(name) ? Future.succeededFuture()
            : ch.tx.preparedQuery(RENAME_MEMBERS).execute(Tuple.of(org, name, next))
                .compose(y -> ch.tx.preparedQuery(RENAME_RULES).execute(Tuple.of(org, name, next))))
        .compose(x -> add.length == 0 ? Future.succeededFuture()
            : ch.tx.preparedQuery(ADD).execute(Tuple.of(org, next).addArrayOfUUID(add)))
        .compose(x -> remove.length == 0 ? Future.succeededFuture()
            : ch.tx.preparedQuery(REMOVE).execute(Tuple.of(org, next).addArrayOfUUID(remove)))
        .compose(x -> ch.tx.preparedQuery(UPDATE).execute(Tuple.of(id, org, next, wanted.externalId())))
        .compose(x -> lifecycle.applyMappingRules(ch, org, remove))
        .compose(gone -> Audit.record(ch.tx, org, null, Audit.GROUP_CHANGED, null, new JsonObject().put("via", "scim")
            .put("groupId", id.toString()).put("displayName", next).put("change", change)
            .put("added", added.size()).put("removed", removed.size()).put("deactivated", gone.size())));
  }

  // ---- the resource as a client sends it --------------------------------------------------

  /** A POST or PUT body: its schema, displayName, externalId and members ([{value: user id}]). */
  public static Group validate(JsonObject body) {
    ScimPatch.requireSchema(body, GROUP_SCHEMA);
    return new Group(displayName(body.getValue("displayName")), externalId(body.getValue("externalId")),
        memberIds(body.getValue("members"), true));
  }

  private static String displayName(Object value) {
    if (!(value instanceof String s)) {
      throw invalid("displayName is required");
    }
    return Validation.group(s).orElseThrow(() -> invalid("displayName must be 1 to " + Validation.GROUP_MAX
        + " characters without control characters"));
  }

  private static String externalId(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof String s && Validation.identifier(s)) {
      return s;
    }
    throw invalid("externalId must be a string of 1 to " + Validation.IDENTIFIER_MAX + " characters without control characters");
  }

  private static Set<UUID> memberIds(Object value, boolean optional) {
    Set<UUID> ids = new LinkedHashSet<>();
    if (value == null && optional) {
      return ids;
    }
    if (!(value instanceof JsonArray list)) {
      throw invalid("members must be an array of {\"value\": user id}");
    }
    for (Object m : list) {
      Object v = m instanceof JsonObject o ? o.getValue("value") : null;
      ids.add(Ids.parse(v instanceof String s ? s : null).orElseThrow(() -> invalid("each member needs the value of a user's id")));
    }
    return ids;
  }

  /** The PatchOp's operations (their shape checked by ScimPatch.operations) applied to a group. */
  static Group apply(Group current, JsonArray operations) {
    String name = current.displayName();
    String externalId = current.externalId();
    Set<UUID> members = new LinkedHashSet<>(current.members());
    for (Object o : operations) {
      JsonObject op = (JsonObject) o;
      String kind = String.valueOf(op.getValue("op")).toLowerCase(Locale.ROOT);
      String path = op.getString("path") == null ? "" : op.getString("path").trim();
      Object value = op.getValue("value");
      if (path.isEmpty()) {
        // No path: the value is an object of attributes (Okta and Entra send renames like this).
        if (!(value instanceof JsonObject attributes)) {
          throw ScimPatch.error(400, "invalidValue", "An operation without a path needs an object value");
        }
        for (Map.Entry<String, Object> e : attributes) {
          switch (e.getKey().toLowerCase(Locale.ROOT)) {
            case "displayname" -> name = displayName(e.getValue());
            case "externalid" -> externalId = externalId(e.getValue());
            case "members" -> {
              if (kind.equals("replace")) {
                members.clear();
              }
              members.addAll(memberIds(e.getValue(), false));
            }
            case "id", "schemas", "meta" -> { }
            default -> throw ScimPatch.error(400, "invalidPath", "Roster does not manage the attribute " + e.getKey());
          }
        }
        continue;
      }
      Matcher one = MEMBER_FILTER.matcher(path);
      String target = one.matches() ? "members[]" : path.toLowerCase(Locale.ROOT);
      switch (target) {
        case "displayname" -> {
          if (kind.equals("remove")) {
            throw ScimPatch.error(400, "mutability", "displayName is required");
          }
          name = displayName(value);
        }
        case "externalid" -> externalId = kind.equals("remove") ? null : externalId(value);
        case "members" -> {
          switch (kind) {
            case "add" -> members.addAll(memberIds(value, false));
            case "replace" -> {
              members.clear();
              members.addAll(memberIds(value, false));
            }
            default -> {
              // remove: the members given as the value (Entra), or every member when there is none.
              if (value == null) {
                members.clear();
              } else {
                members.removeAll(memberIds(value, false));
              }
            }
          }
        }
        case "members[]" -> {
          if (!kind.equals("remove")) {
            throw ScimPatch.error(400, "invalidPath", "A member filter path can only be removed");
          }
          Ids.parse(one.group(1)).ifPresent(members::remove);
        }
        default -> throw ScimPatch.error(400, "invalidPath", "Roster does not manage the attribute " + path);
      }
    }
    return new Group(name, externalId, members);
  }

  private static ApiException invalid(String detail) {
    return ScimPatch.error(400, "invalidValue", detail);
  }
}
