package io.roster.scim;

import io.roster.audit.Audit;
import io.roster.common.ApiException;
import io.roster.common.Caller;
import io.roster.common.CommandVerticle;
import io.roster.common.ErrorCode;
import io.roster.common.Paging;
import io.roster.common.Times;
import io.roster.domain.Role;
import io.roster.domain.Tokens;
import io.roster.domain.Validation;
import io.roster.lifecycle.Lifecycle;
import io.roster.lifecycle.NewUser;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * SCIM provisioning. A SCIM client authenticates with a token of one organization and sees all
 * of its users; users it creates are invited like any other, and deactivation or reactivation
 * goes through the same code as an admin's (sessions revoked, links voided, audited). Groups
 * are {@link ScimGroups}.
 */
public final class ScimVerticle extends CommandVerticle {
  private static final String TOKEN_ORG = "SELECT organization_id FROM scim_tokens WHERE token_hash = $1 AND revoked_at IS NULL";
  private static final String INSERT_TOKEN = """
      INSERT INTO scim_tokens (id, organization_id, name, token_hash) VALUES ($1, $2, $3, $4) RETURNING created_at""";
  private static final String LIST_TOKENS = """
      SELECT id, name, created_at, created_at::text AS sort_key FROM scim_tokens
      WHERE organization_id = $1 AND revoked_at IS NULL
        AND ($2::text IS NULL OR (created_at, id) > ($2::text::timestamptz, $3::uuid))
      ORDER BY created_at, id LIMIT $4""";
  private static final String REVOKE_TOKEN =
      "UPDATE scim_tokens SET revoked_at = now() WHERE id = $1 AND organization_id = $2 AND revoked_at IS NULL";
  /** The list's filters, each its condition on $2 (indexes: users_email_key, users_external_id, the primary key). */
  private static final Map<String, String> CONDITIONS = Map.of(
      "userName", " AND u.email = $2", "externalId", " AND u.external_id = $2", "id", " AND u.id = $2");
  private static final String ONE = "SELECT " + ScimUsers.COLUMNS + " FROM users u WHERE u.id = $1 AND u.organization_id = $2";
  private static final String LOCK = "SELECT " + ScimUsers.COLUMNS + ", u.status AS lasting_status, u.email_verified FROM users u"
      + " WHERE u.id = $1 AND u.organization_id = $2 FOR UPDATE";
  private static final String SET_IDENTITY = "UPDATE users SET external_id = $2, user_name = $3 WHERE id = $1";
  private static final String REPLACE = """
      UPDATE users SET first_name = $2, last_name = $3, external_id = $4, user_name = $5, updated_at = now(), version = version + 1
      WHERE id = $1""";

  private final Pool pool;
  private final Lifecycle lifecycle;
  private final String baseUrl;
  private final ScimGroups groups;

  public ScimVerticle(Pool pool, Lifecycle lifecycle, String baseUrl) {
    this.pool = pool;
    this.lifecycle = lifecycle;
    this.baseUrl = baseUrl;
    this.groups = new ScimGroups(pool, lifecycle, baseUrl);
  }

  @Override
  protected String address() {
    return ScimCommands.ADDRESS;
  }

  @Override
  protected Map<String, Function<JsonObject, Future<JsonObject>>> handlers() {
    return Map.ofEntries(
        Map.entry(ScimCommands.CREATE_TOKEN, this::createToken),
        Map.entry(ScimCommands.LIST_TOKENS, this::listTokens),
        Map.entry(ScimCommands.REVOKE_TOKEN, this::revokeToken),
        Map.entry(ScimCommands.LIST_USERS, this::listUsers),
        Map.entry(ScimCommands.GET_USER, this::getUser),
        Map.entry(ScimCommands.CREATE_USER, this::createUser),
        Map.entry(ScimCommands.REPLACE_USER, this::replaceUser),
        Map.entry(ScimCommands.PATCH_USER, this::patchUser),
        Map.entry(ScimCommands.DELETE_USER, this::deleteUser),
        Map.entry(ScimCommands.LIST_GROUPS, cmd -> organization(cmd).compose(org -> groups.list(org,
            filter(cmd), cmd.getInteger("startIndex"), cmd.getInteger("count"), cmd.getBoolean("members", true)))),
        Map.entry(ScimCommands.GET_GROUP, cmd -> organization(cmd).compose(org -> groups.get(pool, org, id(cmd)))),
        Map.entry(ScimCommands.CREATE_GROUP, cmd -> organization(cmd).compose(org ->
            groups.create(org, ScimGroups.Group.of(cmd.getJsonObject("group"))))),
        Map.entry(ScimCommands.REPLACE_GROUP, cmd -> organization(cmd).compose(org ->
            groups.replace(org, id(cmd), ScimGroups.Group.of(cmd.getJsonObject("group"))))),
        Map.entry(ScimCommands.PATCH_GROUP, cmd -> organization(cmd).compose(org ->
            groups.patch(org, id(cmd), cmd.getJsonArray("operations")))),
        Map.entry(ScimCommands.DELETE_GROUP, cmd -> organization(cmd).compose(org -> groups.delete(org, id(cmd)))));
  }

  // ---- tokens (an organization's ADMIN) ------------------------------------------------------

  private Future<JsonObject> createToken(JsonObject cmd) {
    Caller c = Caller.of(cmd);
    UUID id = UUID.randomUUID();
    String token = Tokens.random();
    String name = cmd.getString("name");
    return pool.preparedQuery(INSERT_TOKEN).execute(Tuple.of(id, c.organizationId(), name, Tokens.hash(token)))
        .map(rows -> new JsonObject().put("id", id.toString()).put("name", name).put("token", token)
            .put("createdAt", Times.format(rows.iterator().next().getOffsetDateTime("created_at"))));
  }

  private Future<JsonObject> listTokens(JsonObject cmd) {
    Caller c = Caller.of(cmd);
    return Paging.query(pool, LIST_TOKENS, Tuple.of(c.organizationId()), cmd, r -> new JsonObject()
        .put("id", r.getUUID("id").toString()).put("name", r.getString("name"))
        .put("createdAt", Times.format(r.getOffsetDateTime("created_at"))));
  }

  private Future<JsonObject> revokeToken(JsonObject cmd) {
    Caller c = Caller.of(cmd);
    UUID id = UUID.fromString(cmd.getString("id"));
    return pool.preparedQuery(REVOKE_TOKEN).execute(Tuple.of(id, c.organizationId()))
        .compose(rs -> rs.rowCount() == 0 ? Future.failedFuture(ApiException.notFound()) : Future.succeededFuture(new JsonObject()));
  }

  // ---- the SCIM resource ---------------------------------------------------------------------

  /** The organization a SCIM bearer token belongs to; UNAUTHENTICATED for an unknown or revoked one. */
  private Future<UUID> organization(JsonObject cmd) {
    String token = cmd.getString("token");
    if (!Tokens.wellFormed(token)) {
      return Future.failedFuture(new ApiException(ErrorCode.UNAUTHENTICATED, "A valid SCIM bearer token is required"));
    }
    return pool.preparedQuery(TOKEN_ORG).execute(Tuple.of(Tokens.hash(token))).compose(rows -> rows.size() == 0
        ? Future.failedFuture(new ApiException(ErrorCode.UNAUTHENTICATED, "A valid SCIM bearer token is required"))
        : Future.succeededFuture(rows.iterator().next().getUUID(0)));
  }

  private static UUID id(JsonObject cmd) {
    return UUID.fromString(cmd.getString("id"));
  }

  /** The list's filter, {attribute, value} as the HTTP layer parsed it, or null. */
  private static ScimQuery.Filter filter(JsonObject cmd) {
    JsonObject f = cmd.getJsonObject("filter");
    return f == null ? null : new ScimQuery.Filter(f.getString("attribute"), f.getString("value"));
  }

  private Future<JsonObject> listUsers(JsonObject cmd) {
    ScimQuery.Filter f = filter(cmd);
    // userName matches as Roster stores it: normalised by the email rule (a value that is no address matches no one).
    ScimQuery.Filter asStored = f != null && f.attribute().equals("userName")
        ? new ScimQuery.Filter("userName", Validation.email(f.value()).orElse(f.value())) : f;
    return organization(cmd).compose(org -> ScimQuery.list(pool, ScimUsers.COLUMNS, "FROM users u WHERE u.organization_id = $1",
        org, CONDITIONS, asStored, "u.created_at, u.id", cmd.getInteger("startIndex"), cmd.getInteger("count"),
        r -> ScimUsers.toScim(r, baseUrl)));
  }

  private Future<JsonObject> one(io.vertx.sqlclient.SqlClient tx, UUID org, UUID id) {
    return (tx == null ? pool.preparedQuery(ONE) : tx.preparedQuery(ONE)).execute(Tuple.of(id, org))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(ApiException.notFound())
            : Future.succeededFuture(ScimUsers.toScim(rows.iterator().next(), baseUrl)));
  }

  private Future<JsonObject> getUser(JsonObject cmd) {
    return organization(cmd).compose(org -> one(null, org, UUID.fromString(cmd.getString("id"))));
  }

  /** {userName, givenName, familyName, externalId, active}, validated by the HTTP layer. */
  private Future<JsonObject> createUser(JsonObject cmd) {
    JsonObject u = cmd.getJsonObject("user");
    return organization(cmd).compose(org -> lifecycle.run(ch -> {
      NewUser user = new NewUser(u.getString("userName"), u.getString("givenName"), u.getString("familyName"), Role.USER, List.of());
      return lifecycle.inviteOne(ch, org, user, null, "scim").compose(invited -> {
        UUID id = UUID.fromString(invited.user().getString("id"));
        Future<?> setup = ch.tx.preparedQuery(SET_IDENTITY).execute(Tuple.of(id, u.getString("externalId"), u.getString("userNameAsSent")));
        if (Boolean.FALSE.equals(u.getBoolean("active"))) {
          setup = setup.compose(x -> lifecycle.deactivate(ch, org, List.of(id), "SCIM", null, null));
        }
        return setup.compose(x -> one(ch.tx, org, id));
      });
    }));
  }

  /** PUT: replaces what SCIM manages (validated by the HTTP layer). */
  private Future<JsonObject> replaceUser(JsonObject cmd) {
    return write(cmd, current -> cmd.getJsonObject("user"));
  }

  /** PATCH: the operations are applied to the resource as it is under the row lock, then written as PUT writes. */
  private Future<JsonObject> patchUser(JsonObject cmd) {
    JsonArray operations = cmd.getJsonArray("operations");
    return write(cmd, current -> ScimPatch.apply(current, operations));
  }

  /**
   * Locks the user, works out the new state from the current resource, and writes userName,
   * names, externalId and active in the same transaction. active false deactivates (reason
   * SCIM); true on a deactivated user is an admin's activate; a new userName follows the
   * lifecycle rule for a new address.
   */
  private Future<JsonObject> write(JsonObject cmd, Function<JsonObject, JsonObject> next) {
    UUID id = UUID.fromString(cmd.getString("id"));
    return organization(cmd).compose(org -> lifecycle.run(ch -> ch.tx.preparedQuery(LOCK).execute(Tuple.of(id, org))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(ApiException.notFound());
          }
          Row r = rows.iterator().next();
          JsonObject u = next.apply(ScimUsers.toScim(r, baseUrl));
          ch.evict(id);
          String status = r.getString("lasting_status");
          boolean deactivated = "DEACTIVATED".equals(status);
          Boolean active = u.getBoolean("active");
          if (Boolean.FALSE.equals(active) && r.getBoolean("root_admin")) {
            return Future.failedFuture(new ApiException(ErrorCode.ROOT_ADMIN_PROTECTED, "The Root Admin cannot be deactivated"));
          }
          String email = u.getString("userName");
          boolean newEmail = !email.equals(r.getString("email"));
          boolean admin = "ADMIN".equals(r.getString("role"));
          if (newEmail && admin) {
            // An identity provider must not be able to move an administrator's sign-in to another address.
            return Future.failedFuture(ScimPatch.error(400, "mutability", "The userName of an ADMIN cannot be changed over SCIM"));
          }
          if (Boolean.TRUE.equals(active) && deactivated && admin && !r.getBoolean("email_verified")) {
            return Future.failedFuture(ScimPatch.error(400, "mutability",
                "An ADMIN whose address was never verified cannot be activated over SCIM"));
          }
          Future<?> change = ch.tx.preparedQuery(REPLACE).execute(Tuple.of(id, u.getString("givenName"),
              u.getString("familyName"), u.getString("externalId"), u.getString("userNameAsSent")));
          if (newEmail) {
            change = change.compose(x -> lifecycle.changeEmail(ch, org, id, status, r.getString("email"), email,
                    u.getString("givenName"), null))
                .recover(err -> Future.failedFuture(err instanceof ApiException e && e.code() == ErrorCode.EMAIL_TAKEN
                    ? new ApiException(ErrorCode.EMAIL_TAKEN, "userName is already taken") : err));
          }
          if (Boolean.FALSE.equals(active) && !deactivated) {
            change = change.compose(x -> lifecycle.deactivate(ch, org, List.of(id), "SCIM", null, null));
          } else if (Boolean.TRUE.equals(active) && deactivated) {
            change = change.compose(x -> lifecycle.activate(ch, org, id, r.getString("email"), u.getString("givenName"), null));
          }
          return change.compose(x -> Audit.record(ch.tx, org, null, Audit.USER_UPDATED, id, new JsonObject().put("via", "scim")))
              .compose(x -> one(ch.tx, org, id));
        })));
  }

  private Future<JsonObject> deleteUser(JsonObject cmd) {
    UUID id = UUID.fromString(cmd.getString("id"));
    return organization(cmd).compose(org -> lifecycle.run(ch -> ch.tx.preparedQuery(LOCK).execute(Tuple.of(id, org))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(ApiException.notFound());
          }
          if (rows.iterator().next().getBoolean("root_admin")) {
            return Future.failedFuture(new ApiException(ErrorCode.ROOT_ADMIN_PROTECTED, "The Root Admin cannot be deleted"));
          }
          return lifecycle.delete(ch, org, id, null, new JsonObject().put("via", "scim")).map(new JsonObject());
        })));
  }
}
