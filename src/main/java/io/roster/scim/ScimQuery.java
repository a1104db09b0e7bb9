package io.roster.scim;

import io.roster.domain.Validation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
    Set<String> wanted = names(attributes, schema);
    Set<String> unwanted = names(excluded, schema);
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

  /** A list response with each resource projected. */
  public static JsonObject projectList(JsonObject list, String attributes, String excluded, String schema) {
    if ((attributes == null || attributes.isBlank()) && (excluded == null || excluded.isBlank())) {
      return list;
    }
    JsonArray projected = new JsonArray();
    for (Object r : list.getJsonArray("Resources", new JsonArray())) {
      projected.add(project((JsonObject) r, attributes, excluded, schema));
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
