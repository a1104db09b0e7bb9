package io.roster.users;

import io.roster.common.ApiException;
import io.roster.common.Paging;
import io.roster.lifecycle.UserRows;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.util.Map;
import java.util.UUID;

/** Builds the user-list query: filters, sort and keyset cursor (API.md sections 7 and 9). */
final class UserQueries {
  /** Sort name to (SQL expression, cast that turns the cursor's text back into its type). */
  private static final Map<String, String[]> SORTS = Map.of(
      "createdAt", new String[] {"u.created_at", "timestamptz"},
      "email", new String[] {"u.email", "text"},
      "lastName", new String[] {"u.last_name", "text"},
      "status", new String[] {UserRows.STATUS_SORT_KEY, "text"});

  private UserQueries() {}

  record Query(String sql, Tuple params) {}

  static Query list(UUID org, JsonObject q, int limit) {
    String sort = q.getString("sort", "createdAt");
    boolean desc = sort.startsWith("-");
    String[] column = SORTS.get(desc ? sort.substring(1) : sort);
    if (column == null) {
      throw ApiException.invalid("sort", "must be one of email, lastName, createdAt, status, optionally prefixed with -");
    }
    Paging.Cursor cursor = Paging.decode(q.getString("cursor"));
    Tuple params = Tuple.of(org);
    StringBuilder sql = new StringBuilder("SELECT ").append(UserRows.COLUMNS)
        .append(", ").append(column[0]).append("::text AS sort_key FROM users u WHERE u.organization_id = $1");
    if (q.getString("status") != null) {
      params.addString(q.getString("status"));
      sql.append(" AND ").append(UserRows.SHOWN_STATUS).append(" = $").append(params.size());
    }
    if (q.getString("role") != null) {
      params.addString(q.getString("role"));
      sql.append(" AND u.role = $").append(params.size());
    }
    if (q.getString("q") != null && !q.getString("q").isBlank()) {
      // u.search is email, first and last name, lower-cased and newline-separated (trigram index
      // users_search_trgm); LIKE on it with the pattern lower-cased by PostgreSQL (so both fold case
      // alike) is the case-insensitive match, without ILIKE's per-row fold.
      String term = q.getString("q").trim().replace("\n", " ");
      params.addString("%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
      sql.append(" AND u.search LIKE lower($").append(params.size()).append(")");
    }
    if (cursor != null) {
      params.addString(cursor.key()).addUUID(cursor.id());
      int n = params.size();
      sql.append(" AND (").append(column[0]).append(", u.id) ").append(desc ? "<" : ">")
          .append(" ($").append(n - 1).append("::text::").append(column[1]).append(", $").append(n).append(")");
    }
    String dir = desc ? " DESC" : "";
    sql.append(" ORDER BY ").append(column[0]).append(dir).append(", u.id").append(dir);
    params.addInteger(limit + 1);
    sql.append(" LIMIT $").append(params.size());
    return new Query(sql.toString(), params);
  }
}
