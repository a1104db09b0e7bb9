package io.roster.users;

import io.roster.audit.Audit;
import io.roster.common.ApiException;
import io.roster.common.Caller;
import io.roster.common.CommandVerticle;
import io.roster.common.Paging;
import io.roster.domain.Role;
import io.roster.mail.Outbox;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * User commands: the caller's own account and an admin's user management. Inputs arrive
 * validated by the HTTP layer; every rule about state (statuses, Root Admin, self) lives here.
 */
public final class UserCommandVerticle extends CommandVerticle {
  static final String BY_ID = "SELECT " + UserRows.COLUMNS + " FROM users u WHERE u.id = $1 AND u.organization_id = $2";
  private static final String UPDATE_NAMES = """
      UPDATE users u SET first_name = COALESCE($3, first_name), last_name = COALESCE($4, last_name),
        updated_at = now(), version = version + 1
      WHERE u.id = $1 AND u.organization_id = $2 RETURNING\s""" + UserRows.COLUMNS;

  private final Pool pool;
  private final Invitations invitations;

  public UserCommandVerticle(Pool pool, Invitations invitations) {
    this.pool = pool;
    this.invitations = invitations;
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
    return h;
  }

  // ---- own account ---------------------------------------------------------------------------

  private Future<JsonObject> me(JsonObject cmd) {
    Caller c = Caller.of(cmd);
    return find(pool, c.userId(), c.organizationId()).map(UserCommandVerticle::withPermissions);
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
        .recover(err -> Future.failedFuture(badCursor(err) ? ApiException.invalid("cursor", "is not a cursor this server issued") : err))
        .map(rows -> Paging.page(rows, limit, UserRows::toJson));
  }

  private static boolean badCursor(Throwable err) {
    return err instanceof PgException pg && pg.getSqlState() != null && pg.getSqlState().startsWith("22");
  }

  private Future<JsonObject> get(JsonObject cmd) {
    Caller c = Caller.of(cmd);
    return find(pool, UUID.fromString(cmd.getString("id")), c.organizationId());
  }

  private Future<JsonObject> create(JsonObject cmd) {
    Caller c = Caller.of(cmd);
    JsonObject b = cmd.getJsonObject("body");
    List<String> groups = b.getJsonArray("groups", new JsonArray()).stream().map(String::valueOf).toList();
    Invitations.NewUser u = new Invitations.NewUser(b.getString("email"), b.getString("firstName"),
        b.getString("lastName"), Role.valueOf(b.getString("role")), groups);
    return pool.withTransaction(tx -> invitations.create(tx, c.organizationId(), u, false, c.userId()))
        .map(Invitations.Invited::user)
        .onSuccess(x -> Outbox.wakeUp(vertx));
  }

  // ---- helpers -------------------------------------------------------------------------------

  static Future<JsonObject> find(SqlClient client, UUID id, UUID org) {
    return client.preparedQuery(BY_ID).execute(Tuple.of(id, org)).compose(UserCommandVerticle::one);
  }

  static Future<JsonObject> one(RowSet<Row> rows) {
    return rows.size() == 0 ? Future.failedFuture(ApiException.notFound()) : Future.succeededFuture(UserRows.toJson(rows.iterator().next()));
  }
}
