package io.roster.sso;

import io.roster.audit.Audit;
import io.roster.common.ApiException;
import io.roster.common.Caller;
import io.roster.common.CommandVerticle;
import io.roster.common.Paging;
import io.roster.lifecycle.Lifecycle;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * SSO integrations and their mapping rules. Applying memberships sets users' groups and, when the
 * integration's rules are on, deactivates everyone (the Root Admin excepted) who is in none of
 * the mapped groups: one transaction, sessions revoked, one audit event each.
 */
public final class SsoCommandVerticle extends CommandVerticle {
  private static final String COLUMNS = "id, name, module, enable_mapping_rules, mapped_groups";
  private static final String LIST = "SELECT " + COLUMNS + ", created_at::text AS sort_key FROM sso_integrations"
      + " WHERE organization_id = $1 AND ($2::text IS NULL OR (created_at, id) > ($2::text::timestamptz, $3::uuid))"
      + " ORDER BY created_at, id LIMIT $4";
  private static final String GET = "SELECT " + COLUMNS + " FROM sso_integrations WHERE id = $1 AND organization_id = $2";
  private static final String INSERT = "INSERT INTO sso_integrations (id, organization_id, name, module, enable_mapping_rules,"
      + " mapped_groups) VALUES ($1, $2, $3, $4, $5, $6) RETURNING " + COLUMNS;
  private static final String UPDATE = "UPDATE sso_integrations SET name = $3, module = $4, enable_mapping_rules = $5,"
      + " mapped_groups = $6 WHERE id = $1 AND organization_id = $2 RETURNING " + COLUMNS;
  private static final String DELETE = "DELETE FROM sso_integrations WHERE id = $1 AND organization_id = $2";
  // Groups travel as one JSON document, so no character inside a group name can split it.
  private static final String SET_GROUPS = """
      UPDATE users u SET groups = ARRAY(SELECT jsonb_array_elements_text(m.groups)), updated_at = now(), version = version + 1
      FROM jsonb_to_recordset($2::jsonb) AS m(email text, groups jsonb)
      WHERE u.organization_id = $1 AND u.email = m.email AND u.groups IS DISTINCT FROM ARRAY(SELECT jsonb_array_elements_text(m.groups))
      RETURNING u.id""";
  private static final String MATCHED = """
      SELECT count(*) FROM users WHERE organization_id = $1 AND email = ANY($2::text[])""";

  private final Pool pool;
  private final Lifecycle lifecycle;

  public SsoCommandVerticle(Pool pool, Lifecycle lifecycle) {
    this.pool = pool;
    this.lifecycle = lifecycle;
  }

  @Override
  protected String address() {
    return SsoCommands.ADDRESS;
  }

  @Override
  protected Map<String, Function<JsonObject, Future<JsonObject>>> handlers() {
    return Map.of(
        SsoCommands.LIST, this::list,
        SsoCommands.CREATE, this::create,
        SsoCommands.GET, this::get,
        SsoCommands.UPDATE, this::update,
        SsoCommands.DELETE, this::delete,
        SsoCommands.MEMBERSHIPS, this::memberships);
  }

  static JsonObject toJson(Row r) {
    return new JsonObject().put("id", r.getUUID("id").toString()).put("name", r.getString("name"))
        .put("module", r.getString("module")).put("enableMappingRules", r.getBoolean("enable_mapping_rules"))
        .put("mappedGroups", new JsonArray(List.of(r.getArrayOfStrings("mapped_groups"))));
  }

  private static Future<JsonObject> one(RowSet<Row> rows) {
    return rows.size() == 0 ? Future.failedFuture(ApiException.notFound()) : Future.succeededFuture(toJson(rows.iterator().next()));
  }

  private static Tuple fields(UUID id, UUID org, JsonObject b) {
    return Tuple.of(id, org, b.getString("name"), b.getString("module"), b.getBoolean("enableMappingRules"))
        .addArrayOfString(b.getJsonArray("mappedGroups").stream().map(String::valueOf).toArray(String[]::new));
  }

  private Future<JsonObject> list(JsonObject cmd) {
    Caller c = Caller.of(cmd);
    return Paging.query(pool, LIST, Tuple.of(c.organizationId()), cmd, SsoCommandVerticle::toJson);
  }

  private Future<JsonObject> get(JsonObject cmd) {
    Caller c = Caller.of(cmd);
    return pool.preparedQuery(GET).execute(Tuple.of(UUID.fromString(cmd.getString("id")), c.organizationId()))
        .compose(SsoCommandVerticle::one);
  }

  private Future<JsonObject> create(JsonObject cmd) {
    Caller c = Caller.of(cmd);
    return pool.withTransaction(tx -> tx.preparedQuery(INSERT).execute(fields(UUID.randomUUID(), c.organizationId(), cmd.getJsonObject("body")))
        .compose(SsoCommandVerticle::one)
        .compose(i -> Audit.record(tx, c.organizationId(), c.userId(), "SSO_INTEGRATION_CHANGED", null,
            new JsonObject().put("integrationId", i.getString("id")).put("change", "created")).map(i)));
  }

  private Future<JsonObject> update(JsonObject cmd) {
    Caller c = Caller.of(cmd);
    UUID id = UUID.fromString(cmd.getString("id"));
    return pool.withTransaction(tx -> tx.preparedQuery(UPDATE).execute(fields(id, c.organizationId(), cmd.getJsonObject("body")))
        .compose(SsoCommandVerticle::one)
        .compose(i -> Audit.record(tx, c.organizationId(), c.userId(), "SSO_INTEGRATION_CHANGED", null,
            new JsonObject().put("integrationId", i.getString("id")).put("change", "updated")).map(i)));
  }

  private Future<JsonObject> delete(JsonObject cmd) {
    Caller c = Caller.of(cmd);
    UUID id = UUID.fromString(cmd.getString("id"));
    return pool.withTransaction(tx -> tx.preparedQuery(DELETE).execute(Tuple.of(id, c.organizationId()))
        .compose(rs -> rs.rowCount() == 0 ? Future.failedFuture(ApiException.notFound())
            : Audit.record(tx, c.organizationId(), c.userId(), "SSO_INTEGRATION_CHANGED", null,
                new JsonObject().put("integrationId", id.toString()).put("change", "deleted")))
        .map(new JsonObject()));
  }

  /** {memberships:[{email, groups}]}, validated by the HTTP layer (emails normalized, groups cleaned). */
  private Future<JsonObject> memberships(JsonObject cmd) {
    Caller c = Caller.of(cmd);
    UUID id = UUID.fromString(cmd.getString("id"));
    JsonArray memberships = cmd.getJsonArray("memberships");
    String[] emails = memberships.stream().map(m -> ((JsonObject) m).getString("email")).toArray(String[]::new);
    return lifecycle.run(ch -> ch.tx.preparedQuery(GET).execute(Tuple.of(id, c.organizationId()))
        .compose(SsoCommandVerticle::one)
        .compose(integration -> ch.tx.preparedQuery(SET_GROUPS).execute(Tuple.of(c.organizationId(), memberships))
            .compose(x -> ch.tx.preparedQuery(MATCHED).execute(Tuple.of(c.organizationId()).addArrayOfString(emails)))
            .compose(matched -> {
              long updated = matched.iterator().next().getLong(0);
              Future<List<UUID>> rules = Future.succeededFuture(List.of());
              if (integration.getBoolean("enableMappingRules")) {
                String[] mapped = integration.getJsonArray("mappedGroups").stream().map(String::valueOf).toArray(String[]::new);
                // Everyone the rules put out, not only the users named: the rules describe the whole organization.
                rules = lifecycle.applyMappingRule(ch, c.organizationId(), id, mapped, null);
              }
              return rules.compose(gone -> Audit.record(ch.tx, c.organizationId(), c.userId(), "SSO_MEMBERSHIPS_APPLIED", null,
                      new JsonObject().put("integrationId", id.toString()).put("updated", updated).put("deactivated", gone.size()))
                  .map(x -> new JsonObject().put("updated", updated)
                      .put("deactivated", new JsonArray(gone.stream().map(UUID::toString).toList()))));
            })));
  }
}
