package io.roster.http;

import io.roster.common.ApiException;
import io.roster.common.ErrorCode;
import io.roster.domain.Role;
import io.roster.domain.Validation;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads a JSON body field by field and collects every problem, so one answer lists them all.
 * A body that is not a JSON object is MALFORMED_REQUEST; a bad field is VALIDATION_FAILED.
 */
final class Input {
  private final JsonObject body;
  private final JsonArray errors = new JsonArray();

  private Input(JsonObject body) {
    this.body = body;
  }

  static Input of(RoutingContext ctx) {
    Object parsed;
    try {
      String text = ctx.body().asString("UTF-8");
      if (text == null || text.isBlank()) {
        throw new ApiException(ErrorCode.MALFORMED_REQUEST, "A JSON object body is required");
      }
      parsed = io.vertx.core.json.Json.decodeValue(text);
    } catch (DecodeException e) {
      throw new ApiException(ErrorCode.MALFORMED_REQUEST, "The body is not valid JSON");
    }
    if (!(parsed instanceof JsonObject o)) {
      throw new ApiException(ErrorCode.MALFORMED_REQUEST, "The body must be a JSON object");
    }
    return new Input(o);
  }

  static Input of(JsonObject o) {
    return new Input(o);
  }

  JsonObject raw() {
    return body;
  }

  boolean has(String field) {
    return body.containsKey(field);
  }

  void error(String field, String message) {
    errors.add(ApiException.fieldError(field, message));
  }

  /** A string field; null (with an error when required) if absent, null or of another type. */
  String string(String field, boolean required) {
    Object v = body.getValue(field);
    if (v == null) {
      if (required) {
        error(field, "is required");
      }
      return null;
    }
    if (!(v instanceof String s)) {
      error(field, "must be a string");
      return null;
    }
    return s;
  }

  String email(String field, boolean required) {
    String raw = string(field, required);
    if (raw == null) {
      return null;
    }
    return Validation.email(raw).orElseGet(() -> {
      error(field, "must be a valid email address");
      return null;
    });
  }

  String name(String field, boolean required) {
    String raw = string(field, required);
    if (raw == null) {
      return null;
    }
    return Validation.name(raw).orElseGet(() -> {
      error(field, "must be 1 to " + Validation.NAME_MAX + " characters, not blank");
      return null;
    });
  }

  String password(String field) {
    String raw = string(field, true);
    if (raw != null && raw.length() > 4 * Validation.PASSWORD_MAX) {
      error(field, "is too long");
      return null;
    }
    return raw;
  }

  Role role(String field, boolean required) {
    String raw = string(field, required);
    if (raw == null) {
      return null;
    }
    return Role.parse(raw).orElseGet(() -> {
      error(field, "must be one of ADMIN, BILLING_AND_PURCHASING, USER, CO_MANAGED_USER");
      return null;
    });
  }

  /** A list of group names: strings, trimmed, 1..200 characters, duplicates dropped. */
  List<String> groups(String field) {
    Object v = body.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof JsonArray a)) {
      error(field, "must be an array of strings");
      return null;
    }
    List<String> out = new ArrayList<>();
    for (Object g : a) {
      if (!(g instanceof String s) || s.isBlank() || s.strip().length() > Validation.GROUP_MAX) {
        error(field, "must hold non-blank strings of at most " + Validation.GROUP_MAX + " characters");
        return null;
      }
      if (!out.contains(s.strip())) {
        out.add(s.strip());
      }
    }
    return out;
  }

  JsonObject object(String field, boolean required) {
    Object v = body.getValue(field);
    if (v == null) {
      if (required) {
        error(field, "is required");
      }
      return null;
    }
    if (!(v instanceof JsonObject o)) {
      error(field, "must be an object");
      return null;
    }
    return o;
  }

  /** Fails with 403 FORBIDDEN if any of these fields is present. */
  void forbid(Set<String> fields) {
    for (String f : fields) {
      if (body.containsKey(f)) {
        throw new ApiException(ErrorCode.FORBIDDEN, "'" + f + "' cannot be changed here");
      }
    }
  }

  /** Adds the errors of a nested object under a prefix (rootAdmin.email). */
  void absorb(String prefix, Input nested) {
    for (Object e : nested.errors) {
      JsonObject j = (JsonObject) e;
      error(prefix + "." + j.getString("field"), j.getString("message"));
    }
  }

  void check() {
    if (!errors.isEmpty()) {
      JsonObject first = errors.getJsonObject(0);
      throw new ApiException(ErrorCode.VALIDATION_FAILED, first.getString("field") + " " + first.getString("message"),
          new JsonObject().put("errors", errors));
    }
  }
}
