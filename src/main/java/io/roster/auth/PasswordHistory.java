package io.roster.auth;

import io.roster.common.ApiException;
import io.roster.common.ErrorCode;
import io.roster.domain.PasswordPolicy;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Password history (API.md 12.7): a new password may not be any of the user's last N (the
 * organization's passwordHistory, the current one included), compared with their hashes on the
 * hashing pool. Every password change keeps the replaced hash; at most {@link #KEPT} are kept.
 */
final class PasswordHistory {
  static final int KEPT = 24;

  private static final String LAST = """
      SELECT password_hash FROM users WHERE id = $1 AND password_hash IS NOT NULL
      UNION ALL
      (SELECT password_hash FROM password_history WHERE user_id = $1 ORDER BY seq DESC LIMIT $2)""";

  /**
   * The head of a statement that sets users.password_hash of user $1: it keeps the hash being
   * replaced and drops the oldest beyond KEPT, in the same statement (so in the same commit).
   */
  static final String KEEP_REPLACED = """
      WITH replaced AS (SELECT password_hash FROM users WHERE id = $1 AND password_hash IS NOT NULL),
      kept AS (INSERT INTO password_history (user_id, password_hash) SELECT $1, password_hash FROM replaced),
      dropped AS (DELETE FROM password_history WHERE user_id = $1 AND seq <= (
        SELECT seq FROM password_history WHERE user_id = $1 ORDER BY seq DESC OFFSET\s""" + (KEPT - 1) + """
       LIMIT 1))
      """;

  private PasswordHistory() {}

  /** PASSWORD_POLICY with rule HISTORY when the password is one of the last n; n = 0 checks nothing. */
  static Future<Void> check(Pool pool, Passwords passwords, UUID user, int n, String password) {
    if (n <= 0) {
      return Future.succeededFuture();
    }
    return pool.preparedQuery(LAST).execute(Tuple.of(user, n - 1)).compose(rows -> {
      long startBy = passwords.startBy(System.currentTimeMillis());
      List<Future<Boolean>> checks = new ArrayList<>();
      for (Row r : rows) {
        checks.add(passwords.verify(password, r.getString("password_hash"), startBy));
      }
      return Future.all(checks).compose(all -> {
        for (Future<Boolean> f : checks) {
          if (f.result()) {
            return Future.failedFuture(reused(n));
          }
        }
        return Future.succeededFuture();
      });
    });
  }

  private static ApiException reused(int n) {
    JsonArray rules = new JsonArray().add(PasswordPolicy.HISTORY);
    return new ApiException(ErrorCode.PASSWORD_POLICY, "The password must differ from your last " + n + " passwords",
        new JsonObject().put("rules", rules).put("errors", new JsonArray().add(ApiException.fieldError("password", PasswordPolicy.HISTORY))));
  }
}
