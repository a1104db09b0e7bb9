package io.roster.orgs;

import io.roster.audit.Audit;
import io.roster.common.Caller;
import io.roster.common.ApiException;
import io.roster.common.CommandVerticle;
import io.roster.common.ErrorCode;
import io.roster.common.Paging;
import io.roster.common.Times;
import io.roster.auth.SessionGuard;
import io.roster.domain.Allowlist;
import io.roster.domain.Cidr;
import io.roster.domain.Role;
import io.roster.sessions.SessionCache;
import io.roster.lifecycle.Lifecycle;
import io.roster.lifecycle.NewUser;
import io.roster.sessions.Revocations;
import io.roster.lifecycle.UserRows;
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

  private static final String POLICY = """
      SELECT min_length, require_uppercase, require_lowercase, require_digit, require_symbol,
             max_failed_attempts, lockout_seconds, reveal_lockout, notify_on_lockout, password_history, reject_common_passwords
      FROM organizations WHERE id = $1""";
  private static final String LOCK_POLICY = POLICY + " FOR UPDATE";
  private static final String PUT_POLICY = """
      UPDATE organizations SET min_length = $2, require_uppercase = $3, require_lowercase = $4, require_digit = $5,
        require_symbol = $6, max_failed_attempts = $7, lockout_seconds = $8, reveal_lockout = $9,
        notify_on_lockout = $10, password_history = $11, reject_common_passwords = $12
      WHERE id = $1""";
  private static final String AUDIT_PAGE = """
      SELECT id, at, actor_id, action, target_user_id, details, seq::text AS sort_key
      FROM audit_events
      WHERE organization_id = $1 AND ($2::uuid IS NULL OR target_user_id = $2)
        AND ($3::text IS NULL OR (seq, id) < ($3::text::bigint, $4::uuid))
      ORDER BY seq DESC, id DESC LIMIT $5""";

  private static final String ALLOWLIST = "SELECT ip_allowlist_enabled, ip_allowlist FROM organizations WHERE id = $1";
  private static final String PUT_ALLOWLIST = """
      UPDATE organizations SET ip_allowlist_enabled = $2, ip_allowlist = $3 WHERE id = $1 RETURNING id""";

  private final Pool pool;
  private final Lifecycle lifecycle;
  private final SessionCache sessions;

  public OrgCommandVerticle(Pool pool, Lifecycle lifecycle, SessionCache sessions) {
    this.pool = pool;
    this.lifecycle = lifecycle;
    this.sessions = sessions;
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
        OrgCommands.PROMOTE_ROOT_ADMIN, this::promote,
        OrgCommands.GET_POLICY, this::getPolicy,
        OrgCommands.PUT_POLICY, this::putPolicy,
        OrgCommands.AUDIT, this::audit,
        OrgCommands.GET_ALLOWLIST, this::getAllowlist,
        OrgCommands.PUT_ALLOWLIST, this::putAllowlist,
        OrgCommands.CLEAR_ALLOWLIST, this::clearAllowlist);
  }

  /** {name, rootAdmin:{email, firstName, lastName}}, already validated by the HTTP layer. */
  private Future<JsonObject> create(JsonObject cmd) {
    UUID org = UUID.randomUUID();
    JsonObject admin = cmd.getJsonObject("rootAdmin");
    NewUser root = new NewUser(admin.getString("email"), admin.getString("firstName"), admin.getString("lastName"),
        Role.ADMIN, List.of(), true);
    return lifecycle.run(ch -> ch.tx.preparedQuery(INSERT_ORG).execute(Tuple.of(org, cmd.getString("name")))
            .compose(x -> lifecycle.inviteOne(ch, org, root, null, null)))
        .map(invited -> {
          JsonObject reply = new JsonObject().put("id", org.toString()).put("name", cmd.getString("name"))
              .put("rootAdminId", invited.user().getString("id"));
          if (cmd.getBoolean("bootstrap", false)) {
            reply.put("invitationToken", invited.token());
          }
          return reply;
        });
  }

  private Future<JsonObject> list(JsonObject cmd) {
    return Paging.query(pool, LIST, Tuple.tuple(), cmd, OrgCommandVerticle::toJson);
  }

  private static JsonObject toJson(Row r) {
    UUID root = r.getUUID("root_admin_id");
    return new JsonObject().put("id", r.getUUID("id").toString()).put("name", r.getString("name"))
        .put("rootAdminId", root == null ? null : root.toString())
        .put("createdAt", Times.format(r.getOffsetDateTime("created_at")));
  }

  // ---- an organization's own settings (ADMIN) -----------------------------------------------

  private Future<JsonObject> getPolicy(JsonObject cmd) {
    UUID org = Caller.of(cmd).organizationId();
    return pool.preparedQuery(POLICY).execute(Tuple.of(org)).map(rows -> policyJson(rows.iterator().next()));
  }

  /**
   * Changes the fields given (the HTTP layer has checked each one's range); the others keep
   * their value. Read, merge and write happen under the organization's row lock, so two
   * concurrent changes of different fields both stay.
   */
  private Future<JsonObject> putPolicy(JsonObject cmd) {
    Caller c = Caller.of(cmd);
    JsonObject changes = cmd.getJsonObject("changes");
    return pool.withTransaction(tx -> tx.preparedQuery(LOCK_POLICY).execute(Tuple.of(c.organizationId()))
            .compose(rows -> {
              JsonObject p = policyJson(rows.iterator().next()).mergeIn(changes);
              Tuple params = Tuple.of(c.organizationId(), p.getInteger("minLength"), p.getBoolean("requireUppercase"),
                  p.getBoolean("requireLowercase"), p.getBoolean("requireDigit"), p.getBoolean("requireSymbol"),
                  p.getInteger("maxFailedAttempts"), java.time.Duration.parse(p.getString("lockoutDuration")).toSeconds())
                  .addBoolean(p.getBoolean("revealLockout")).addBoolean(p.getBoolean("notifyOnLockout"))
                  .addInteger(p.getInteger("passwordHistory")).addBoolean(p.getBoolean("rejectCommonPasswords"));
              return tx.preparedQuery(PUT_POLICY).execute(params)
                  .compose(x -> Audit.record(tx, c.organizationId(), c.userId(), Audit.PASSWORD_POLICY_UPDATED, null, p))
                  .map(p);
            }));
  }

  static JsonObject policyJson(Row r) {
    return new JsonObject()
        .put("minLength", r.getInteger("min_length"))
        .put("requireUppercase", r.getBoolean("require_uppercase"))
        .put("requireLowercase", r.getBoolean("require_lowercase"))
        .put("requireDigit", r.getBoolean("require_digit"))
        .put("requireSymbol", r.getBoolean("require_symbol"))
        .put("maxFailedAttempts", r.getInteger("max_failed_attempts"))
        .put("lockoutDuration", java.time.Duration.ofSeconds(r.getLong("lockout_seconds")).toString())
        .put("revealLockout", r.getBoolean("reveal_lockout"))
        .put("notifyOnLockout", r.getBoolean("notify_on_lockout"))
        .put("passwordHistory", r.getInteger("password_history"))
        .put("rejectCommonPasswords", r.getBoolean("reject_common_passwords"));
  }

  // ---- the IP allowlist (API.md 12.4) ------------------------------------------------------

  private Future<JsonObject> getAllowlist(JsonObject cmd) {
    return pool.preparedQuery(ALLOWLIST).execute(Tuple.of(Caller.of(cmd).organizationId()))
        .map(rows -> allowlistJson(SessionGuard.allowlistOf(rows.iterator().next())));
  }

  /**
   * Replaces the allowlist. Enabling one that leaves out the caller's own address (as the HTTP
   * layer saw it) is SELF_LOCKOUT unless confirmed. Every replica drops its cached copy within a
   * second (the NOTIFY commits with the change), this one at once.
   */
  private Future<JsonObject> putAllowlist(JsonObject cmd) {
    Caller c = Caller.of(cmd);
    List<String> cidrs = cmd.getJsonArray("cidrs").stream().map(String.class::cast).toList();
    Allowlist next = Allowlist.of(cmd.getBoolean("enabled"), cidrs.toArray(String[]::new));
    if (!next.permits(Cidr.literal(cmd.getString("clientIp"))) && !cmd.getBoolean("confirmSelfLockout", false)) {
      return Future.failedFuture(new ApiException(ErrorCode.SELF_LOCKOUT,
          "This allowlist does not hold your own address (" + cmd.getString("clientIp") + "); send confirmSelfLockout to save it anyway",
          new JsonObject().put("clientIp", cmd.getString("clientIp"))));
    }
    return saveAllowlist(c.organizationId(), c.userId(), next).map(x -> allowlistJson(next));
  }

  private Future<JsonObject> clearAllowlist(JsonObject cmd) {
    UUID org = UUID.fromString(cmd.getString("organizationId"));
    return saveAllowlist(org, null, Allowlist.OFF).map(new JsonObject());
  }

  private Future<Void> saveAllowlist(UUID org, UUID actor, Allowlist a) {
    JsonObject details = allowlistJson(a);
    return pool.withTransaction(tx -> tx.preparedQuery(PUT_ALLOWLIST).execute(Tuple.of(org, a.enabled(), a.entries().toArray(String[]::new)))
            .compose(rows -> rows.size() == 0 ? Future.failedFuture(ApiException.notFound())
                : Audit.record(tx, org, actor, Audit.IP_ALLOWLIST_UPDATED, null, details))
            .compose(x -> Revocations.notifyOrganizationChanged(tx, org)))
        .onSuccess(x -> sessions.evictOrganization(org));
  }

  private static JsonObject allowlistJson(Allowlist a) {
    return new JsonObject().put("enabled", a.enabled()).put("cidrs", new io.vertx.core.json.JsonArray(a.entries()));
  }

  private Future<JsonObject> audit(JsonObject cmd) {
    Caller c = Caller.of(cmd);
    String user = cmd.getString("userId");
    Tuple filter = Tuple.of(c.organizationId(), user == null ? null : UUID.fromString(user));
    return Paging.query(pool, AUDIT_PAGE, filter, cmd, r -> new JsonObject()
        .put("id", r.getUUID("id").toString())
        .put("at", Times.format(r.getOffsetDateTime("at")))
        .put("actorId", r.getUUID("actor_id") == null ? null : r.getUUID("actor_id").toString())
        .put("action", r.getString("action"))
        .put("targetUserId", r.getUUID("target_user_id") == null ? null : r.getUUID("target_user_id").toString())
        .put("details", r.getJsonObject("details")));
  }

  // ---- support -------------------------------------------------------------------------------

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
                  .compose(x -> Revocations.notifyUserChanged(tx, user))
                  .map(UserRows.toJson(rs.iterator().next())));
        }));
  }
}
