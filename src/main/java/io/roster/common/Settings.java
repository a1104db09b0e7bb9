package io.roster.common;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.format.DateTimeParseException;

/** Typed reads of the merged configuration (conf/config.json, then environment variables). */
public final class Settings {
  private Settings() {}

  public static String string(JsonObject conf, String key, String fallback) {
    Object v = conf.getValue(key);
    if (v == null) {
      return fallback;
    }
    String s = String.valueOf(v).trim();
    return s.isEmpty() ? fallback : s;
  }

  public static int integer(JsonObject conf, String key, int fallback) {
    String s = string(conf, key, null);
    if (s == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a whole number, got '" + s + "'");
    }
  }

  public static Duration duration(JsonObject conf, String key, Duration fallback) {
    String s = string(conf, key, null);
    if (s == null) {
      return fallback;
    }
    try {
      return Duration.parse(s);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(key + " must be an ISO-8601 duration such as PT15M, got '" + s + "'");
    }
  }

  /** A copy holding only the named keys: each verticle gets its own slice. */
  public static JsonObject slice(JsonObject conf, String... keys) {
    JsonObject out = new JsonObject();
    for (String k : keys) {
      if (conf.containsKey(k)) {
        out.put(k, conf.getValue(k));
      }
    }
    return out;
  }
}
