package io.roster.scim;

import io.roster.common.ApiException;
import io.roster.common.ErrorCode;
import io.roster.domain.Validation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Set;

/**
 * The SCIM User as Roster accepts it: validation of a POST/PUT body into what Roster stores,
 * and the PatchOp operations (RFC 7644 section 3.5.2) applied to a current resource. Plain
 * JSON in, JSON out: the caller decides where the current resource comes from (for PATCH, the
 * row locked in the command's transaction, so two PATCHes never lose one another's change).
 */
public final class ScimPatch {
  private ScimPatch() {}

  public static ApiException error(int status, String scimType, String detail) {
    ErrorCode code = switch (status) {
      case 404 -> ErrorCode.NOT_FOUND;
      case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
      case 409 -> ErrorCode.EMAIL_TAKEN;
      default -> ErrorCode.VALIDATION_FAILED;
    };
    return new ApiException(code, detail, new JsonObject().put("scimType", scimType));
  }

  /** A request body must name its schema (RFC 7644 sections 3.3, 3.5.1, 3.5.2): 400 invalidSyntax otherwise. */
  public static void requireSchema(JsonObject body, String schema) {
    if (!(body.getValue("schemas") instanceof JsonArray schemas) || !schemas.contains(schema)) {
      throw error(400, "invalidSyntax", "The body's schemas must include " + schema);
    }
  }

  /**
   * Checks a PatchOp body's shape (RFC 7644 section 3.5.2): its schema, a non-empty Operations
   * array, each op add, remove or replace; add and replace need a value (400 invalidValue),
   * remove needs a path (400 noTarget). The operations themselves are applied by the resource.
   */
  public static JsonArray operations(JsonObject patch) {
    requireSchema(patch, ScimUsers.PATCH_SCHEMA);
    Object ops = patch.getValue("Operations");
    if (!(ops instanceof JsonArray operations) || operations.isEmpty()) {
      throw error(400, "invalidSyntax", "A PatchOp needs a non-empty Operations array");
    }
    for (Object o : operations) {
      if (!(o instanceof JsonObject op)) {
        throw error(400, "invalidSyntax", "Each operation must be an object");
      }
      String kind = String.valueOf(op.getValue("op")).toLowerCase(Locale.ROOT);
      Object path = op.getValue("path");
      if (path != null && !(path instanceof String)) {
        throw error(400, "invalidPath", "path must be a string");
      }
      switch (kind) {
        case "add", "replace" -> {
          if (op.getValue("value") == null) {
            throw error(400, "invalidValue", "The " + kind + " operation needs a value");
          }
        }
        case "remove" -> {
          if (path == null || ((String) path).isBlank()) {
            throw error(400, "noTarget", "The remove operation needs a path");
          }
        }
        default -> throw error(400, "invalidSyntax", "Unknown op " + op.getValue("op") + "; use add, remove or replace");
      }
    }
    return operations;
  }

  /** The resource after the operations, validated as a PUT body would be. */
  public static JsonObject apply(JsonObject current, JsonArray operations) {
    JsonObject next = current.copy();
    // Roster's emails are its userName; an operation that sets them is checked against the final userName.
    next.remove("emails");
    for (Object o : operations) {
      applyOne(next, (JsonObject) o);
    }
    return validate(next);
  }

  private static void applyOne(JsonObject resource, JsonObject op) {
    String kind = String.valueOf(op.getValue("op")).toLowerCase(Locale.ROOT);
    String path = op.getString("path");
    Object value = op.getValue("value");
    switch (kind) {
      case "replace", "add" -> {
        if (path == null || path.isBlank()) {
          if (!(value instanceof JsonObject attributes)) {
            throw error(400, "invalidValue", "An operation without a path needs an object value");
          }
          attributes.forEach(e -> set(resource, e.getKey(), e.getValue()));
        } else {
          set(resource, path, value);
        }
      }
      case "remove" -> {
        String p = attribute(path);
        if (p.equals("externalid")) {
          resource.remove("externalId");
        } else if (!ignored(p)) {
          throw known(p) ? error(400, "mutability", "Only externalId can be removed")
              : error(400, "invalidPath", "Roster does not manage the attribute " + path.trim());
        }
      }
      default -> throw error(400, "invalidSyntax", "Unknown op " + op.getValue("op"));
    }
  }

  /**
   * Attributes of the core User schema and of the enterprise extension that Roster does not
   * store: a PATCH may set or remove them and nothing happens, as a POST or PUT ignores them
   * (identity providers' default mappings send them).
   */
  private static final Set<String> IGNORED = Set.of("id", "schemas", "meta", "displayname", "nickname", "profileurl", "title",
      "usertype", "preferredlanguage", "locale", "timezone", "phonenumbers", "addresses", "ims", "photos", "x509certificates",
      "entitlements", "roles", "name.formatted", "name.middlename", "name.honorificprefix", "name.honorificsuffix");
  private static final String ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user";
  private static final String USER_PREFIX = ScimUsers.USER_SCHEMA.toLowerCase(Locale.ROOT) + ":";

  /** A path lower-cased and without the User schema's URN ("urn:…:User:userName" is "username"). */
  private static String attribute(String path) {
    String p = path.trim().toLowerCase(Locale.ROOT);
    return p.startsWith(USER_PREFIX) ? p.substring(USER_PREFIX.length()) : p;
  }

  private static boolean ignored(String p) {
    if (p.startsWith(ENTERPRISE)) {
      return true;
    }
    String base = p.contains("[") ? p.substring(0, p.indexOf('[')) : p;
    return IGNORED.contains(base) || base.contains(".") && IGNORED.contains(base.substring(0, base.indexOf('.')));
  }

  /** The attributes Roster manages (a remove of one of them, externalId aside, is a mutability error). */
  private static final Set<String> MANAGED = Set.of("active", "username", "name", "name.givenname", "name.familyname", "groups");

  private static boolean known(String p) {
    return MANAGED.contains(p) || p.startsWith("emails");
  }

  private static void set(JsonObject resource, String path, Object value) {
    String p = path.trim();
    String attribute = attribute(p);
    if (ignored(attribute)) {
      return;
    }
    switch (attribute) {
      case "active" -> resource.put("active", bool(value));
      case "username" -> resource.put("userName", value);
      case "externalid" -> resource.put("externalId", value);
      case "name.givenname" -> resource.getJsonObject("name").put("givenName", value);
      case "name.familyname" -> resource.getJsonObject("name").put("familyName", value);
      case "name" -> {
        if (value instanceof JsonObject n) {
          resource.getJsonObject("name").mergeIn(n);
        }
      }
      case "groups" -> throw error(400, "mutability", "groups is read-only: change a group's members through /Groups");
      default -> {
        if (attribute.startsWith("emails")) {
          Object email = value instanceof JsonArray a && !a.isEmpty() && a.getValue(0) instanceof JsonObject e
              ? e.getValue("value") : value;
          if (email != null) {
            resource.put("emails", new JsonArray().add(new JsonObject().put("value", email).put("primary", true)));
          }
        } else {
          throw error(400, "invalidPath", "Roster does not manage the attribute " + p);
        }
      }
    }
  }

  private static Object bool(Object value) {
    if (value instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
      return Boolean.parseBoolean(s);
    }
    return value;
  }

  /**
   * A User resource (POST, PUT, or PATCH's result) into {userName (normalised), userNameAsSent,
   * givenName, familyName, externalId, active}.
   */
  public static JsonObject validate(JsonObject r) {
    JsonArray errors = new JsonArray();
    String userName = r.getValue("userName") instanceof String s ? Validation.email(s).orElse(null) : null;
    if (userName == null) {
      errors.add(ApiException.fieldError("userName", r.getValue("userName") == null ? "is required" : "must be a valid email address"));
    }
    String given = null;
    String family = null;
    if (!(r.getValue("name") instanceof JsonObject name)) {
      errors.add(ApiException.fieldError("name", r.getValue("name") == null ? "is required" : "must be an object"));
    } else {
      given = name(name, "givenName", errors);
      family = name(name, "familyName", errors);
    }
    Object externalId = r.getValue("externalId");
    if (externalId != null && !(externalId instanceof String s && Validation.identifier(s))) {
      errors.add(ApiException.fieldError("externalId", "must be a string of 1 to " + Validation.IDENTIFIER_MAX
          + " characters without control characters"));
    }
    Object active = bool(r.getValue("active"));
    if (active != null && !(active instanceof Boolean)) {
      errors.add(ApiException.fieldError("active", "must be true or false"));
    }
    if (r.getValue("emails") instanceof JsonArray list && userName != null) {
      String primary = null;
      for (Object e : list) {
        if (e instanceof JsonObject o && (primary == null || Boolean.TRUE.equals(o.getValue("primary")))) {
          primary = o.getValue("value") instanceof String v ? v : "";
        }
      }
      if (primary != null && !userName.equals(Validation.email(primary).orElse(""))) {
        errors.add(ApiException.fieldError("emails", "the primary email must be the userName"));
      }
    }
    if (!errors.isEmpty()) {
      JsonObject first = errors.getJsonObject(0);
      throw new ApiException(ErrorCode.VALIDATION_FAILED, first.getString("field") + " " + first.getString("message"),
          new JsonObject().put("errors", errors).put("scimType", "invalidValue"));
    }
    return new JsonObject().put("userName", userName).put("userNameAsSent", ((String) r.getValue("userName")).strip())
        .put("givenName", given).put("familyName", family)
        .put("externalId", externalId).put("active", active);
  }

  private static String name(JsonObject name, String field, JsonArray errors) {
    Object v = name.getValue(field);
    String ok = v instanceof String s ? Validation.name(s).orElse(null) : null;
    if (ok == null) {
      errors.add(ApiException.fieldError("name." + field, v == null ? "is required"
          : "must be 1 to " + Validation.NAME_MAX + " characters, not blank"));
    }
    return ok;
  }
}
