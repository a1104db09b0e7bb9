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
      String text = utf8(ctx);
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

  /**
   * The body as text, decoded strictly: JSON (RFC 8259) and CSV bodies are UTF-8, and a byte
   * sequence that is not UTF-8 is MALFORMED_REQUEST rather than replacement characters.
   */
  static String utf8(RoutingContext ctx) {
    io.vertx.core.buffer.Buffer body = ctx.body().buffer();
    if (body == null) {
      return null;
    }
    try {
      return java.nio.charset.StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(body.getBytes())).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new ApiException(ErrorCode.MALFORMED_REQUEST, "The body is not valid UTF-8");
    }
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

  /**
   * A string field; null (with an error when required) if absent, null or of another type.
   * Control characters are refused here, once for every name, token and identifier: they have
   * no place in one, and PostgreSQL cannot store U+0000.
   */
  String string(String field, boolean required) {
    String s = text(field, required);
    if (s != null && Validation.hasControl(s)) {
      error(field, "must not contain control characters");
      return null;
    }
    return s;
  }

  /** A string field taken as it is (passwords, and sign-in identifiers that are looked up, never stored). */
  String text(String field, boolean required) {
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
    String raw = text(field, true);
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

  /**
   * A list of group names: at most {@link Validation#GROUPS_MAX}, each trimmed, 1..100 code
   * points, no control characters; duplicates dropped, order kept. Linear in the body's size.
   */
  List<String> groups(String field) {
    Object v = body.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof JsonArray a)) {
      error(field, "must be an array of strings");
      return null;
    }
    if (a.size() > Validation.GROUPS_MAX) {
      error(field, "must hold at most " + Validation.GROUPS_MAX + " groups");
      return null;
    }
    java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
    for (Object g : a) {
      java.util.Optional<String> name = g instanceof String s ? Validation.group(s) : java.util.Optional.empty();
      if (name.isEmpty()) {
        error(field, "must hold non-blank names of at most " + Validation.GROUP_MAX + " characters without control characters");
        return null;
      }
      out.add(name.get());
    }
    return new ArrayList<>(out);
  }

  /** A boolean; null (with an error when required, or when of another type) otherwise. */
  Boolean bool(String field, boolean required) {
    Object v = body.getValue(field);
    if (v == null) {
      if (required) {
        error(field, "is required");
      }
      return null;
    }
    if (!(v instanceof Boolean b)) {
      error(field, "must be true or false");
      return null;
    }
    return b;
  }

  /**
   * A list of IPv4 and IPv6 networks in CIDR notation (a bare address is its own /32 or /128):
   * at most {@link #CIDRS_MAX}, each trimmed; duplicates dropped, order kept. A bad entry is
   * named by its index (cidrs[2]).
   */
  List<String> cidrs(String field) {
    Object v = body.getValue(field);
    if (v == null) {
      error(field, "is required");
      return null;
    }
    if (!(v instanceof JsonArray a)) {
      error(field, "must be an array of CIDR strings");
      return null;
    }
    if (a.size() > CIDRS_MAX) {
      error(field, "must hold at most " + CIDRS_MAX + " networks");
      return null;
    }
    java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
    for (int i = 0; i < a.size(); i++) {
      Object c = a.getValue(i);
      if (!(c instanceof String s) || s.length() > 64 || io.roster.domain.Cidr.parse(s).isEmpty()) {
        error(field + "[" + i + "]", "must be an IPv4 or IPv6 network such as 203.0.113.0/24 or 2001:db8::/32");
        continue;
      }
      out.add(s.trim());
    }
    return new ArrayList<>(out);
  }

  static final int CIDRS_MAX = 500;

  /** A whole number from min to max, compared exactly (a huge number is out of range, never wrapped); null with an error otherwise. */
  Integer wholeNumber(String field, long min, long max) {
    Object v = body.getValue(field);
    if (v instanceof Number n) {
      try {
        java.math.BigDecimal d = new java.math.BigDecimal(n.toString());
        if (d.signum() == 0 || d.stripTrailingZeros().scale() <= 0) {
          if (d.compareTo(java.math.BigDecimal.valueOf(min)) >= 0 && d.compareTo(java.math.BigDecimal.valueOf(max)) <= 0) {
            return d.intValueExact();
          }
        }
      } catch (NumberFormatException | ArithmeticException e) {
        // NaN, infinities or fractions: refused below
      }
    }
    error(field, "must be a whole number from " + min + " to " + max);
    return null;
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
