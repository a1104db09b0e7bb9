package io.roster.users;

import io.roster.audit.Audit;
import io.roster.common.ErrorCode;
import io.roster.common.Times;
import io.roster.lifecycle.Change;
import io.roster.lifecycle.Lifecycle;
import io.roster.lifecycle.NewUser;
import io.roster.lifecycle.UserRows;
import io.roster.sessions.Revocations;
import io.roster.common.ApiException;
import io.roster.common.Caller;
import io.roster.common.CommandVerticle;
import io.roster.common.Paging;
import io.roster.domain.Role;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * User commands: the caller's own account and an admin's user management. Inputs arrive
 * validated by the HTTP layer; every rule about state (statuses, Root Admin, self) lives here.
 */
public final class UserCommandVerticle extends CommandVerticle {
  static final String BY_ID = "SELECT " + UserRows.COLUMNS + " FROM users u WHERE u.id = $1 AND u.organization_id = $2";
  // The caller's own account, with how many of their recovery codes are unused (API.md 12.6).
  private static final String ME = "SELECT " + UserRows.COLUMNS
      + ", (SELECT count(*) FROM recovery_codes r WHERE r.user_id = u.id AND r.used_at IS NULL) AS recovery_codes_left"
      + " FROM users u WHERE u.id = $1 AND u.organization_id = $2";
  /**
   * The organization's groups: every name users carry and every group a SCIM client registered,
   * with member counts, by name (md5 of the name is the tie-breaking id the cursor needs).
   */
  private static final String GROUPS = """
      SELECT name, member_count, scim_id, external_id, name AS sort_key, md5(name)::uuid AS id FROM (
        SELECT coalesce(c.name, g.display_name) AS name, coalesce(c.members, 0) AS member_count, g.id AS scim_id, g.external_id
        FROM (SELECT name, count(*) AS members FROM users u, unnest(u.groups) AS name WHERE u.organization_id = $1 GROUP BY name) c
        FULL JOIN (SELECT id, display_name, external_id FROM scim_groups WHERE organization_id = $1) g ON g.display_name = c.name
      ) named
      WHERE ($2::text IS NULL OR (name, md5(name)::uuid) > ($2::text, $3::uuid))
      ORDER BY name, md5(name)::uuid LIMIT $4""";
  private static final String UPDATE_NAMES = """
      UPDATE users u SET first_name = COALESCE($3, first_name), last_name = COALESCE($4, last_name),
        updated_at = now(), version = version + 1
      WHERE u.id = $1 AND u.organization_id = $2 RETURNING\s""" + UserRows.COLUMNS;

  // The target of an admin action, locked for the rest of the transaction.
  private static final String TARGET = """
      SELECT u.id, u.email, u.first_name, u.status, u.root_admin, u.role, u.version,
             COALESCE(u.status <> 'DEACTIVATED' AND u.locked_until > now(), false) AS locked
      FROM users u WHERE u.id = $1 AND u.organization_id = $2 FOR UPDATE""";
  private static final String CLEAR_PASSWORD = """
      UPDATE users SET password_hash = NULL, updated_at = now(), version = version + 1 WHERE id = $1""";
  // Resetting 2FA voids the recovery codes too (API.md 12.6).
  private static final String CLEAR_2FA = """
      WITH codes AS (DELETE FROM recovery_codes WHERE user_id = $1)
      UPDATE users SET totp_secret = NULL, totp_pending_secret = NULL, totp_last_step = NULL,
        updated_at = now(), version = version + 1 WHERE id = $1""";
  private static final String UPDATE_USER = """
      UPDATE users u SET first_name = COALESCE($2, first_name), last_name = COALESCE($3, last_name),
        email = COALESCE($4, email), role = COALESCE($5, role), groups = COALESCE($6, groups),
        updated_at = now(), version = version + 1
      WHERE u.id = $1 AND ($7::int IS NULL OR u.version = $7) RETURNING\s""" + UserRows.COLUMNS;
  private static final String SESSIONS = """
      SELECT s.id, s.created_at, s.last_refreshed_at, s.expires_at, s.created_at::text AS sort_key
      FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.user_id = $1 AND u.organization_id = $2 AND s.revoked_at IS NULL AND s.expires_at > now()
        AND ($3::text IS NULL OR (s.created_at, s.id) > ($3::text::timestamptz, $4::uuid))
      ORDER BY s.created_at, s.id LIMIT $5""";

  private final Pool pool;
  private final Lifecycle lifecycle;

  public UserCommandVerticle(Pool pool, Lifecycle lifecycle) {
    this.pool = pool;
    this.lifecycle = lifecycle;
  }

  @Override
  protected String address() {
    return UserCommands.ADDRESS;
  }

  @Override
  protected Map<String, Function<JsonObject, Future<JsonObject>>> handlers() {
    Map<String, Function<JsonObject, Future<JsonObject>>> h = new HashMap<>();
    h.put(UserCommands.ME, this::me);
    h.put(UserCommands.UPDATE_ME, this::updateMe);
    h.put(UserCommands.LIST, this::list);
    h.put(UserCommands.GET, this::get);
    h.put(UserCommands.CREATE, this::create);
    h.put(UserCommands.UPDATE, this::update);
    h.put(UserCommands.DELETE, this::delete);
    h.put(UserCommands.DEACTIVATE, this::deactivate);
    h.put(UserCommands.ACTIVATE, this::activate);
    h.put(UserCommands.UNLOCK, this::unlock);
    h.put(UserCommands.RESET_PASSWORD, this::resetPassword);
    h.put(UserCommands.RESET_2FA, this::reset2fa);
    h.put(UserCommands.RESEND_INVITATION, this::resendInvitation);
    h.put(UserCommands.SESSIONS, this::sessions);
    h.put(UserCommands.REVOKE_SESSIONS, this::revokeSessions);
    h.put(UserCommands.GROUPS, this::groups);
    return h;
  }

  // ---- own account ---------------------------------------------------------------------------

  private Future<JsonObject> me(JsonObject cmd) {
    Caller c = Caller.of(cmd);
    return pool.preparedQuery(ME).execute(Tuple.of(c.userId(), c.organizationId())).compose(rows -> rows.size() == 0
        ? Future.failedFuture(ApiException.notFound())
        : Future.succeededFuture(withPermissions(UserRows.toJson(rows.iterator().next()))
            .put("recoveryCodesLeft", rows.iterator().next().getLong("recovery_codes_left").intValue())));
  }

  private Future<JsonObject> updateMe(JsonObject cmd) {
    Caller c = Caller.of(cmd);
    JsonObject body = cmd.getJsonObject("body");
    return pool.withTransaction(tx -> tx.preparedQuery(UPDATE_NAMES)
            .execute(Tuple.of(c.userId(), c.organizationId(), body.getString("firstName"), body.getString("lastName")))
            .compose(rows -> one(rows))
            .compose(user -> Audit.record(tx, c.organizationId(), c.userId(), Audit.USER_UPDATED, c.userId(),
                new JsonObject().put("fields", new JsonArray(List.copyOf(body.fieldNames())))).map(user)))
        .map(UserCommandVerticle::withPermissions);
  }

  static JsonObject withPermissions(JsonObject user) {
    Role role = Role.valueOf(user.getString("role"));
    return user.copy().put("permissions", new JsonArray(role.permissions()));
  }

  // ---- user management -----------------------------------------------------------------------

  private Future<JsonObject> list(JsonObject cmd) {
    Caller c = Caller.of(cmd);
    JsonObject q = cmd.getJsonObject("query");
    int limit = q.getInteger("limit");
    UserQueries.Query query = UserQueries.list(c.organizationId(), q, limit);
    return pool.preparedQuery(query.sql()).execute(query.params())
        .recover(err -> Future.failedFuture(Paging.cursorError(err)))
        .map(rows -> Paging.page(rows, limit, UserRows::toJson));
  }

  private Future<JsonObject> groups(JsonObject cmd) {
    Caller c = Caller.of(cmd);
    return Paging.query(pool, GROUPS, Tuple.of(c.organizationId()), cmd, r -> new JsonObject()
        .put("name", r.getString("name")).put("memberCount", r.getLong("member_count"))
        .put("scimId", r.getUUID("scim_id") == null ? null : r.getUUID("scim_id").toString())
        .put("externalId", r.getString("external_id")));
  }

  private Future<JsonObject> get(JsonObject cmd) {
    Caller c = Caller.of(cmd);
    return find(pool, UUID.fromString(cmd.getString("id")), c.organizationId());
  }

  private Future<JsonObject> create(JsonObject cmd) {
    Caller c = Caller.of(cmd);
    JsonObject b = cmd.getJsonObject("body");
    List<String> groups = b.getJsonArray("groups", new JsonArray()).stream().map(String::valueOf).toList();
    NewUser u = new NewUser(b.getString("email"), b.getString("firstName"), b.getString("lastName"),
        Role.valueOf(b.getString("role")), groups);
    return lifecycle.runOne(ch -> lifecycle.inviteOne(ch, c.organizationId(), u, c.userId(), null)).map(Lifecycle.Invited::user);
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  /** A user of the caller's organization, locked for the transaction, with the facts the rules need. */
  record Target(UUID id, String email, String firstName, String status, boolean rootAdmin, String role, int version,
      boolean locked) {
    String shown() {
      return locked ? "LOCKED_OUT" : status;
    }
  }

  private static Future<Target> target(io.vertx.sqlclient.SqlClient tx, Caller c, JsonObject cmd) {
    UUID id = UUID.fromString(cmd.getString("id"));
    return tx.preparedQuery(TARGET).execute(Tuple.of(id, c.organizationId())).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(ApiException.notFound());
      }
      Row r = rows.iterator().next();
      return Future.succeededFuture(new Target(r.getUUID("id"), r.getString("email"), r.getString("first_name"),
          r.getString("status"), r.getBoolean("root_admin"), r.getString("role"), r.getInteger("version"),
          r.getBoolean("locked")));
    });
  }

  private static Future<Void> refuse(ErrorCode code, String detail) {
    return Future.failedFuture(new ApiException(code, detail));
  }

  private static Future<Void> notRootAdminNorSelf(Caller c, Target t, String what) {
    if (t.rootAdmin()) {
      return refuse(ErrorCode.ROOT_ADMIN_PROTECTED, "The Root Admin cannot be " + what);
    }
    if (t.id().equals(c.userId())) {
      return refuse(ErrorCode.SELF_ACTION_FORBIDDEN, "You cannot " + what.replace("deleted", "delete").replace("deactivated", "deactivate") + " yourself");
    }
    return Future.succeededFuture();
  }

  private static Future<Void> transition(boolean allowed, Target t, String action) {
    return allowed ? Future.succeededFuture()
        : refuse(ErrorCode.INVALID_STATUS_TRANSITION, "Cannot " + action + " a user who is " + t.shown());
  }

  /** Runs an admin action on one user in one lifecycle change and answers the user as it is after. */
  private Future<JsonObject> act(JsonObject cmd, BiFunction<Change, Target, Future<?>> action) {
    Caller c = Caller.of(cmd);
    return lifecycle.run(ch -> target(ch.tx, c, cmd).compose(t -> {
      ch.evict(t.id());
      return action.apply(ch, t).compose(x -> find(ch.tx, t.id(), c.organizationId()));
    }));
  }

  private Future<JsonObject> deactivate(JsonObject cmd) {
    Caller c = Caller.of(cmd);
    return act(cmd, (ch, t) -> notRootAdminNorSelf(c, t, "deactivated")
        .compose(x -> transition(!"DEACTIVATED".equals(t.status()), t, "deactivate"))
        .compose(x -> lifecycle.deactivate(ch, c.organizationId(), List.of(t.id()), "ADMIN", c.userId(), null)));
  }

  private Future<JsonObject> activate(JsonObject cmd) {
    Caller c = Caller.of(cmd);
    return act(cmd, (ch, t) -> transition("DEACTIVATED".equals(t.status()), t, "activate")
        .compose(x -> lifecycle.activate(ch, c.organizationId(), t.id(), t.email(), t.firstName(), c.userId())));
  }

  private Future<JsonObject> unlock(JsonObject cmd) {
    Caller c = Caller.of(cmd);
    return act(cmd, (ch, t) -> transition(t.locked(), t, "unlock")
        .compose(x -> lifecycle.unlock(ch, c.organizationId(), t.id(), c.userId(), new JsonObject())));
  }

  private Future<JsonObject> resetPassword(JsonObject cmd) {
    Caller c = Caller.of(cmd);
    return act(cmd, (ch, t) -> transition("ACTIVE".equals(t.status()), t, "reset the password of")
        .compose(x -> ch.tx.preparedQuery(CLEAR_PASSWORD).execute(Tuple.of(t.id())))
        .compose(x -> lifecycle.revokeSessions(ch, t.id()))
        .compose(x -> lifecycle.sendPasswordReset(ch, t.id(), t.email(), t.firstName()))
        .compose(x -> Audit.record(ch.tx, c.organizationId(), c.userId(), Audit.PASSWORD_RESET_REQUESTED, t.id(),
            new JsonObject().put("by", "admin"))))
        .map(user -> new JsonObject());
  }

  private Future<JsonObject> reset2fa(JsonObject cmd) {
    Caller c = Caller.of(cmd);
    return act(cmd, (ch, t) -> ch.tx.preparedQuery(CLEAR_2FA).execute(Tuple.of(t.id()))
        .compose(x -> lifecycle.revokeSessions(ch, t.id()))
        .compose(x -> Audit.record(ch.tx, c.organizationId(), c.userId(), Audit.TWO_FACTOR_RESET, t.id(), new JsonObject())));
  }

  private Future<JsonObject> resendInvitation(JsonObject cmd) {
    Caller c = Caller.of(cmd);
    return act(cmd, (ch, t) -> transition("INVITED".equals(t.status()) && !t.locked(), t, "re-invite")
        .compose(x -> lifecycle.resendInvitation(ch, c.organizationId(), t.id(), t.email(), t.firstName(), c.userId())))
        .map(user -> new JsonObject());
  }

  private Future<JsonObject> delete(JsonObject cmd) {
    Caller c = Caller.of(cmd);
    return lifecycle.run(ch -> target(ch.tx, c, cmd).compose(t -> notRootAdminNorSelf(c, t, "deleted")
            .compose(x -> lifecycle.delete(ch, c.organizationId(), t.id(), c.userId(), new JsonObject().put("email", t.email())))))
        .map(x -> new JsonObject());
  }

  /**
   * Edits names, email, role, groups. If-Match is checked by the statement that writes; a new
   * email follows the lifecycle rule (an INVITED user is invited at the new address).
   */
  private Future<JsonObject> update(JsonObject cmd) {
    Caller c = Caller.of(cmd);
    JsonObject b = cmd.getJsonObject("body");
    Integer ifMatch = cmd.getInteger("ifMatch");
    return act(cmd, (ch, t) -> {
      String role = b.getString("role");
      if (t.rootAdmin() && role != null && !role.equals(t.role())) {
        return refuse(ErrorCode.ROOT_ADMIN_PROTECTED, "The Root Admin's role cannot be changed");
      }
      Boolean rootAdmin = b.getBoolean("rootAdmin");
      if (rootAdmin != null && rootAdmin != t.rootAdmin()) {
        return refuse(ErrorCode.ROOT_ADMIN_PROTECTED, "Only support can make someone the Root Admin");
      }
      String email = b.getString("email");
      boolean newEmail = email != null && !email.equals(t.email());
      JsonArray groups = b.getJsonArray("groups");
      // The address itself changes through the lifecycle rule (at once only for an INVITED user).
      Tuple params = Tuple.of(t.id(), b.getString("firstName"), b.getString("lastName"), null, role)
          .addArrayOfString(groups == null ? null : groups.stream().map(String::valueOf).toArray(String[]::new))
          .addInteger(ifMatch);
      return ch.tx.preparedQuery(UPDATE_USER).execute(params)
          .recover(err -> Future.failedFuture(Lifecycle.emailTaken(err)))
          .compose(rows -> rows.rowCount() == 0
              ? refuse(ErrorCode.VERSION_CONFLICT, "The user has changed since version " + ifMatch + "; it is now " + t.version())
              : Future.<Void>succeededFuture())
          .compose(x -> newEmail ? lifecycle.changeEmail(ch, c.organizationId(), t.id(), t.status(), t.email(), email, t.firstName(),
              c.userId()).mapEmpty() : Future.<Void>succeededFuture())
          .compose(x -> role != null && !role.equals(t.role()) ? Revocations.notifyUserChanged(ch.tx, t.id()) : Future.<Void>succeededFuture())
          .compose(x -> Audit.record(ch.tx, c.organizationId(), c.userId(), Audit.USER_UPDATED, t.id(),
              new JsonObject().put("fields", new JsonArray(b.fieldNames().stream().filter(f -> !f.equals("rootAdmin")).toList()))));
    });
  }

  // ---- sessions ------------------------------------------------------------------------------

  private Future<JsonObject> sessions(JsonObject cmd) {
    Caller c = Caller.of(cmd);
    UUID id = UUID.fromString(cmd.getString("id"));
    return find(pool, id, c.organizationId())
        .compose(user -> Paging.query(pool, SESSIONS, Tuple.of(id, c.organizationId()), cmd, r -> new JsonObject()
            .put("id", r.getUUID("id").toString())
            .put("createdAt", Times.format(r.getOffsetDateTime("created_at")))
            .put("lastRefreshedAt", Times.format(r.getOffsetDateTime("last_refreshed_at")))
            .put("expiresAt", Times.format(r.getOffsetDateTime("expires_at")))));
  }

  private Future<JsonObject> revokeSessions(JsonObject cmd) {
    Caller c = Caller.of(cmd);
    return act(cmd, (ch, t) -> lifecycle.revokeSessions(ch, t.id())
        .compose(n -> Audit.record(ch.tx, c.organizationId(), c.userId(), Audit.SESSIONS_REVOKED, t.id(),
            new JsonObject().put("count", n))))
        .map(user -> new JsonObject());
  }

  // ---- helpers -------------------------------------------------------------------------------

  static Future<JsonObject> find(SqlClient client, UUID id, UUID org) {
    return client.preparedQuery(BY_ID).execute(Tuple.of(id, org)).compose(UserCommandVerticle::one);
  }

  static Future<JsonObject> one(RowSet<Row> rows) {
    return rows.size() == 0 ? Future.failedFuture(ApiException.notFound()) : Future.succeededFuture(UserRows.toJson(rows.iterator().next()));
  }
}
