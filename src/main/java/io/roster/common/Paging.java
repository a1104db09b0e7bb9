package io.roster.common;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;
import java.util.function.Function;

/**
 * Keyset paging shared by every list: a cursor is the (sort key, id) of the last item seen,
 * opaque to clients, so pages stay complete and free of repeats while rows are inserted.
 */
public final class Paging {
  public static final int DEFAULT_LIMIT = 50;
  public static final int MAX_LIMIT = 200;

  private Paging() {}

  public record Cursor(String key, UUID id) {}

  public static String encode(String key, UUID id) {
    String raw = new JsonArray().add(key).add(id.toString()).encode();
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  /** Decodes a client's cursor; null for none; VALIDATION_FAILED for anything we did not issue. */
  public static Cursor decode(String cursor) {
    if (cursor == null) {
      return null;
    }
    try {
      JsonArray a = new JsonArray(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
      if (a.size() != 2) {
        throw new IllegalArgumentException();
      }
      return new Cursor(a.getString(0), Ids.parse(a.getString(1)).orElseThrow());
    } catch (RuntimeException e) {
      throw invalid();
    }
  }

  /** Parses ?limit=; VALIDATION_FAILED outside 1..200. */
  public static int limit(String raw) {
    if (raw == null) {
      return DEFAULT_LIMIT;
    }
    try {
      int n = Integer.parseInt(raw.trim());
      if (n >= 1 && n <= MAX_LIMIT) {
        return n;
      }
    } catch (NumberFormatException e) {
      // falls through to the refusal
    }
    throw ApiException.invalid("limit", "must be a whole number from 1 to " + MAX_LIMIT);
  }

  /**
   * Runs one page of a keyset query and answers {"items","nextCursor"}. The query's last three
   * parameters are the cursor's key (text, null on the first page), the cursor's id and the
   * row limit (limit + 1, to know whether another page follows); it selects the key as text in
   * a column named sort_key. A cursor whose key does not cast back is VALIDATION_FAILED.
   */
  public static Future<JsonObject> query(SqlClient client, String sql, Tuple leading, JsonObject cmd,
      Function<Row, JsonObject> toJson) {
    int limit = cmd.getInteger("limit", DEFAULT_LIMIT);
    Cursor cursor = decode(cmd.getString("cursor"));
    Tuple params = leading.addValue(cursor == null ? null : cursor.key()).addValue(cursor == null ? null : cursor.id())
        .addInteger(limit + 1);
    return client.preparedQuery(sql).execute(params)
        .recover(err -> Future.failedFuture(cursorError(err)))
        .map(rows -> page(rows, limit, toJson));
  }

  /** A data error (SQLSTATE class 22) from casting a cursor's key back is the client's bad cursor. */
  public static Throwable cursorError(Throwable err) {
    return err instanceof PgException pg && pg.getSqlState() != null && pg.getSqlState().startsWith("22") ? invalid() : err;
  }

  private static ApiException invalid() {
    return ApiException.invalid("cursor", "is not a cursor this server issued");
  }

  /**
   * Builds {"items","nextCursor"} from rows fetched with LIMIT limit+1; the query selects the
   * sort key as text in a column named sort_key and the id as id.
   */
  public static JsonObject page(RowSet<Row> rows, int limit, Function<Row, JsonObject> toJson) {
    JsonArray items = new JsonArray();
    String next = null;
    int n = 0;
    Row last = null;
    for (Row r : rows) {
      if (n == limit) {
        next = encode(last.getString("sort_key"), last.getUUID("id"));
        break;
      }
      items.add(toJson.apply(r));
      last = r;
      n++;
    }
    return new JsonObject().put("items", items).put("nextCursor", next);
  }
}
