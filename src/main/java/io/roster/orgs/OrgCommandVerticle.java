package io.roster.orgs;

import io.roster.audit.Audit;
import io.roster.common.ApiException;
import io.roster.common.CommandVerticle;
import io.roster.common.ErrorCode;
import io.roster.common.Paging;
import io.roster.common.Times;
import io.roster.domain.Role;
import io.roster.mail.Outbox;
import io.roster.users.Invitations;
import io.roster.users.UserRows;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/** Support commands (API.md section 4): organizations and their Root Admin. */
public final class OrgCommandVerticle extends CommandVerticle {
  private static final String INSERT_ORG = "INSERT INTO organizations (id, name) VALUES ($1, $2)";
  private static final String LIST = """
      SELECT o.id, o.name, o.created_at, o.created_at::text AS sort_key,
             (SELECT u.id FROM users u WHERE u.organization_id = o.id AND u.root_admin) AS root_admin_id
      FROM organizations o
      WHERE ($1::text IS NULL OR (o.created_at, o.id) > ($1::text::timestamptz, $2::uuid))
      ORDER BY o.created_at, o.id LIMIT $3""";
  private static final String LOCK_ORG = "SELECT id FROM organizations WHERE id = $1 FOR UPDATE";
  private static final String CANDIDATE = """
      SELECT u.id, u.role, u.root_admin, u.status, u.locked_until > now() AS locked
      FROM users u WHERE u.id = $1 AND u.organization_id = $2 FOR UPDATE""";
  private static final String DEMOTE = """
      UPDATE users SET root_admin = false, updated_at = now(), version = version + 1
      WHERE organization_id = $1 AND root_admin RETURNING id""";
  private static final String PROMOTE = """
      UPDATE users u SET root_admin = true, updated_at = now(), version = version + 1
      WHERE id = $1 RETURNING\s""" + UserRows.COLUMNS;

  private final Pool pool;
  private final Invitations invitations;

  public OrgCommandVerticle(Pool pool, Invitations invitations) {
    this.pool = pool;
    this.invitations = invitations;
  }

  @Override
  protected String address() {
    return OrgCommands.ADDRESS;
  }

  @Override
  protected Map<String, Function<JsonObject, Future<JsonObject>>> handlers() {
    return Map.of(
        OrgCommands.CREATE, this::create,
        OrgCommands.LIST, this::list,
        OrgCommands.PROMOTE_ROOT_ADMIN, this::promote);
  }

  /** {name, rootAdmin:{email, firstName, lastName}}, already validated by the HTTP layer. */
  private Future<JsonObject> create(JsonObject cmd) {
    UUID org = UUID.randomUUID();
    JsonObject admin = cmd.getJsonObject("rootAdmin");
    Invitations.NewUser root = new Invitations.NewUser(admin.getString("email"), admin.getString("firstName"),
        admin.getString("lastName"), Role.ADMIN, List.of());
    return pool.withTransaction(tx -> tx.preparedQuery(INSERT_ORG).execute(Tuple.of(org, cmd.getString("name")))
            .compose(x -> invitations.create(tx, org, root, true, null)))
        .map(invited -> {
          Outbox.wakeUp(vertx);
          JsonObject reply = new JsonObject().put("id", org.toString()).put("name", cmd.getString("name"))
              .put("rootAdminId", invited.user().getString("id"));
          if (cmd.getBoolean("bootstrap", false)) {
            reply.put("invitationToken", invited.token());
          }
          return reply;
        });
  }

  private Future<JsonObject> list(JsonObject cmd) {
    int limit = cmd.getInteger("limit");
    Paging.Cursor cursor = Paging.decode(cmd.getString("cursor"));
    Tuple params = Tuple.of(cursor == null ? null : cursor.key(), cursor == null ? null : cursor.id(), limit + 1);
    return pool.preparedQuery(LIST).execute(params).map(rows -> Paging.page(rows, limit, OrgCommandVerticle::toJson));
  }

  private static JsonObject toJson(Row r) {
    UUID root = r.getUUID("root_admin_id");
    return new JsonObject().put("id", r.getUUID("id").toString()).put("name", r.getString("name"))
        .put("rootAdminId", root == null ? null : root.toString())
        .put("createdAt", Times.format(r.getOffsetDateTime("created_at")));
  }

  /** Moves the Root Admin flag to an ACTIVE ADMIN of the organization; the former one stays an ADMIN. */
  private Future<JsonObject> promote(JsonObject cmd) {
    UUID org = UUID.fromString(cmd.getString("organizationId"));
    UUID user = UUID.fromString(cmd.getString("userId"));
    return pool.withTransaction(tx -> tx.preparedQuery(LOCK_ORG).execute(Tuple.of(org))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(ApiException.notFound())
            : tx.preparedQuery(CANDIDATE).execute(Tuple.of(user, org)))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(ApiException.notFound());
          }
          Row r = rows.iterator().next();
          if (r.getBoolean("root_admin")) {
            return Future.failedFuture(new ApiException(ErrorCode.INVALID_STATUS_TRANSITION, "This user is already the Root Admin"));
          }
          if (!"ADMIN".equals(r.getString("role"))) {
            return Future.failedFuture(ApiException.invalid("userId", "must be an ADMIN"));
          }
          if (!"ACTIVE".equals(r.getString("status")) || Boolean.TRUE.equals(r.getBoolean("locked"))) {
            return Future.failedFuture(new ApiException(ErrorCode.INVALID_STATUS_TRANSITION, "Only an ACTIVE ADMIN can become Root Admin"));
          }
          return tx.preparedQuery(DEMOTE).execute(Tuple.of(org))
              .compose(x -> tx.preparedQuery(PROMOTE).execute(Tuple.of(user)))
              .compose(rs -> Audit.record(tx, org, null, Audit.ROOT_ADMIN_PROMOTED, user, new JsonObject())
                  .map(UserRows.toJson(rs.iterator().next())));
        }));
  }
}
