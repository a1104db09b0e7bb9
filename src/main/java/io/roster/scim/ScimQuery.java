package io.roster.scim;

import io.roster.common.Ids;
import io.roster.domain.Validation;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The query side of RFC 7644 section 3.4.2 that Roster serves: filters of the form
 * {@code attribute eq "value"} on the attributes a resource names (anything else is 400
 * invalidFilter), and the attributes / excludedAttributes projection of section 3.4.2.5
 * (attribute names ignore case and may carry their schema URN; id and schemas are always returned).
 */
public final class ScimQuery {
  private static final Pattern EQ = Pattern.compile("^\\s*([A-Za-z][A-Za-z0-9.:_-]*)\\s+eq\\s+\"((?:[^\"\\\\]|\\\\.)*)\"\\s*$",
      Pattern.CASE_INSENSITIVE);
  private static final Set<String> ALWAYS = Set.of("id", "schemas");

  private ScimQuery() {}

  /** A filter Roster can run: the attribute's canonical name and the value. */
  public record Filter(String attribute, String value) {}

  /**
   * Parses filter against the attributes allowed (canonical name by lower-cased name, e.g.
   * "username" to "userName"); null for no filter.
   */
  public static Filter filter(String filter, Map<String, String> allowed, String schema) {
    if (filter == null || filter.isBlank()) {
      return null;
    }
    Matcher m = EQ.matcher(filter);
    String name = m.matches() ? unprefixed(m.group(1), schema).toLowerCase(Locale.ROOT) : null;
    if (name == null || !allowed.containsKey(name) || Validation.hasControl(filter)) {
      throw ScimPatch.error(400, "invalidFilter", "Supported filters: " + String.join(", ",
          allowed.values().stream().sorted().map(a -> a + " eq \"...\"").toList()));
    }
    return new Filter(allowed.get(name), m.group(2).replace("\\\"", "\"").replace("\\\\", "\\"));
  }

  /** The resource with only the attributes asked for, or without those excluded (never id or schemas). */
  public static JsonObject project(JsonObject resource, String attributes, String excluded, String schema) {
    return project(resource, names(attributes, schema), names(excluded, schema));
  }

  private static JsonObject project(JsonObject resource, Set<String> wanted, Set<String> unwanted) {
    if (wanted.isEmpty() && unwanted.isEmpty()) {
      return resource;
    }
    JsonObject out = new JsonObject();
    for (Map.Entry<String, Object> e : resource) {
      String key = e.getKey();
      String lower = key.toLowerCase(Locale.ROOT);
      if (ALWAYS.contains(lower)) {
        out.put(key, e.getValue());
        continue;
      }
      if (!wanted.isEmpty()) {
        if (wanted.contains(lower)) {
          out.put(key, e.getValue());
        } else {
          Set<String> subs = subNames(wanted, lower);
          if (!subs.isEmpty()) {
            out.put(key, keep(e.getValue(), subs, true));
          }
        }
      } else if (!unwanted.contains(lower)) {
        Set<String> subs = subNames(unwanted, lower);
        out.put(key, subs.isEmpty() ? e.getValue() : keep(e.getValue(), subs, false));
      }
    }
    return out;
  }

  /** Whether a projection keeps the top-level attribute (or some of its sub-attributes). */
  public static boolean shows(String attribute, String attributes, String excluded, String schema) {
    String a = attribute.toLowerCase(Locale.ROOT);
    Set<String> wanted = names(attributes, schema);
    if (!wanted.isEmpty()) {
      return wanted.contains(a) || !subNames(wanted, a).isEmpty();
    }
    return !names(excluded, schema).contains(a);
  }

  /**
   * One ListResponse page: the count and the rows of from (whose first parameter is the
   * organization) narrowed by the filter's condition, which is one statement per attribute so
   * that each uses its own index (a condition such as "$2 IS NULL OR ..." would not).
   * conditions maps each attribute to its condition on $2; an id that is not a UUID matches nothing.
   */
  public static Future<JsonObject> list(Pool pool, String columns, String from, UUID org, Map<String, String> conditions,
      Filter filter, String order, int start, int count, Function<Row, JsonObject> toScim) {
    List<Object> params = new ArrayList<>(List.of(org));
    String where = "";
    if (filter != null) {
      Object value = filter.value();
      if (filter.attribute().equals("id")) {
        Optional<UUID> id = Ids.parse(filter.value().strip());
        if (id.isEmpty()) {
          return Future.succeededFuture(ScimUsers.listResponse(0, start, new JsonArray()));
        }
        value = id.get();
      }
      params.add(value);
      where = conditions.get(filter.attribute());
    }
    int n = params.size();
    String page = "SELECT " + columns + " " + from + where + " ORDER BY " + order + " OFFSET $" + (n + 1) + " LIMIT $" + (n + 2);
    Tuple pageParams = Tuple.from(params).addInteger(start - 1).addInteger(count);
    return pool.preparedQuery("SELECT count(*) " + from + where).execute(Tuple.from(params))
        .compose(total -> pool.preparedQuery(page).execute(pageParams).map(rows -> {
          JsonArray resources = new JsonArray();
          rows.forEach(r -> resources.add(toScim.apply(r)));
          return ScimUsers.listResponse(total.iterator().next().getLong(0), start, resources);
        }));
  }

  /** A list response with each resource projected. */
  public static JsonObject projectList(JsonObject list, String attributes, String excluded, String schema) {
    Set<String> wanted = names(attributes, schema);
    Set<String> unwanted = names(excluded, schema);
    if (wanted.isEmpty() && unwanted.isEmpty()) {
      return list;
    }
    JsonArray projected = new JsonArray();
    for (Object r : list.getJsonArray("Resources", new JsonArray())) {
      projected.add(project((JsonObject) r, wanted, unwanted));
    }
    return list.copy().put("Resources", projected);
  }

  private static Object keep(Object value, Set<String> subs, boolean keepNamed) {
    if (value instanceof JsonObject o) {
      JsonObject out = new JsonObject();
      o.forEach(e -> {
        if (subs.contains(e.getKey().toLowerCase(Locale.ROOT)) == keepNamed) {
          out.put(e.getKey(), e.getValue());
        }
      });
      return out;
    }
    if (value instanceof JsonArray a) {
      JsonArray out = new JsonArray();
      a.forEach(v -> out.add(keep(v, subs, keepNamed)));
      return out;
    }
    return value;
  }

  private static Set<String> subNames(Set<String> names, String parent) {
    Set<String> subs = new HashSet<>();
    for (String n : names) {
      if (n.startsWith(parent + ".")) {
        subs.add(n.substring(parent.length() + 1));
      }
    }
    return subs;
  }

  private static Set<String> names(String list, String schema) {
    Set<String> out = new HashSet<>();
    if (list == null || list.isBlank()) {
      return out;
    }
    for (String part : List.of(list.split(","))) {
      String n = unprefixed(part.trim(), schema).toLowerCase(Locale.ROOT);
      if (!n.isEmpty()) {
        out.add(n);
      }
    }
    return out;
  }

  /** "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName" to "name.givenName". */
  private static String unprefixed(String name, String schema) {
    return name.regionMatches(true, 0, schema + ":", 0, schema.length() + 1) ? name.substring(schema.length() + 1) : name;
  }
}
