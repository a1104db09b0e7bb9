package io.roster.lifecycle;

import io.roster.audit.Audit;
import io.roster.common.ApiException;
import io.roster.common.ErrorCode;
import io.roster.domain.Tokens;
import io.roster.mail.Mail;
import io.roster.mail.Outbox;
import io.roster.sessions.Revocations;
import io.roster.sessions.SessionCache;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The one home of the lifecycle rules: inviting, re-inviting, an invited user's new address,
 * deactivating, activating, reset links, ending sessions and deleting. Admin commands, support,
 * SSO mapping rules, SCIM and import all call these, inside a {@link Change} (one transaction),
 * and every statement is set-based so that one user and a batch of a thousand take the same path.
 */
public final class Lifecycle {
  // Inviting in one statement: the users, their invitation links, mails and audit events. The
  // mails are rendered in Java with the organization's name as this process last read it; the
  // statement inserts only while that is still the name, and answers the name it found, so a
  // caller with an outdated name renders again and repeats once.
  private static final String INVITE = """
      WITH org AS (SELECT name FROM organizations WHERE id = $1),
      input AS (
        SELECT t.* FROM jsonb_to_recordset($2::jsonb) AS t(id uuid, email text, first_name text, last_name text, role text,
               root_admin boolean, groups jsonb, link text, subject text, text_body text, html_body text)
        WHERE (SELECT name FROM org) = $3),
      ins AS (
        INSERT INTO users AS u (id, organization_id, email, first_name, last_name, role, root_admin, status, groups)
        SELECT t.id, $1, t.email, t.first_name, t.last_name, t.role, t.root_admin, 'INVITED',
               ARRAY(SELECT jsonb_array_elements_text(t.groups))
        FROM input t
        ON CONFLICT (email) DO NOTHING
        RETURNING\s""" + UserRows.COLUMNS + """
      ),
      links AS (
        INSERT INTO action_tokens (token_hash, user_id, kind, expires_at)
        SELECT decode(t.link, 'hex'), t.id, 'INVITATION', now() + make_interval(secs => $4)
        FROM input t JOIN ins ON ins.id = t.id),
      mails AS (
        INSERT INTO mail_outbox (recipient, subject, text_body, html_body)
        SELECT t.email, t.subject, t.text_body, t.html_body FROM input t JOIN ins ON ins.id = t.id),
      audit AS (
        INSERT INTO audit_events (id, organization_id, actor_id, action, target_user_id, details)
        SELECT gen_random_uuid(), $1, $5, a.action, ins.id,
               CASE WHEN a.n = 1 THEN jsonb_build_object('email', ins.email, 'role', ins.role)
                    ELSE jsonb_build_object('email', ins.email) END || $6::jsonb
        FROM ins CROSS JOIN (VALUES (1, 'USER_CREATED'), (2, 'INVITATION_SENT')) AS a(n, action)
        ORDER BY ins.id, a.n)
      SELECT (SELECT name FROM org) AS org_name, ins.* FROM (SELECT 1) AS one LEFT JOIN ins ON true""";
  private static final String VOID_INVITATIONS = """
      UPDATE action_tokens SET used_at = now() WHERE user_id = ANY($1::uuid[]) AND kind = $2 AND used_at IS NULL""";
  private static final String INSERT_LINKS = """
      INSERT INTO action_tokens (token_hash, user_id, kind, expires_at)
      SELECT t.hash, t.user_id, $3, now() + make_interval(secs => $4)
      FROM unnest($1::bytea[], $2::uuid[]) AS t(hash, user_id)""";
  private static final String INVITATION_AUDIT = """
      INSERT INTO audit_events (id, organization_id, actor_id, action, target_user_id, details)
      SELECT gen_random_uuid(), $1, $2, 'INVITATION_SENT', t.user_id, jsonb_build_object('email', t.email) || $5::jsonb
      FROM unnest($3::uuid[], $4::text[]) AS t(user_id, email)""";
  private static final String ORG_NAME = "SELECT name FROM organizations WHERE id = $1";
  // Everyone named who can be deactivated, in one statement: links void, sessions end, one event each.
  private static final String DEACTIVATE = """
      WITH gone AS (
        UPDATE users SET status = 'DEACTIVATED', deactivation_reason = $3, locked_until = NULL, failed_attempts = 0,
          updated_at = now(), version = version + 1
        WHERE organization_id = $1 AND id = ANY($2::uuid[]) AND NOT root_admin AND status <> 'DEACTIVATED'
        RETURNING id),
      links AS (UPDATE action_tokens SET used_at = now() WHERE user_id IN (SELECT id FROM gone) AND used_at IS NULL),
      ended AS (
        UPDATE sessions SET revoked_at = now() WHERE user_id IN (SELECT id FROM gone) AND revoked_at IS NULL
        RETURNING user_id),
      audit AS (
        INSERT INTO audit_events (id, organization_id, actor_id, action, target_user_id, details)
        SELECT gen_random_uuid(), $1, $4, 'USER_DEACTIVATED', g.id, $5::jsonb
               || jsonb_build_object('reason', $3::text, 'sessionsRevoked', (SELECT count(*) FROM ended e WHERE e.user_id = g.id))
        FROM gone g)
      SELECT id, pg_notify('roster_sessions', 'user:' || id::text) FROM gone""";
  // A reactivated user starts again from an invitation: no password, no second factor, no recovery codes.
  private static final String ACTIVATE = """
      WITH codes AS (DELETE FROM recovery_codes WHERE user_id = $1)
      UPDATE users SET status = 'ACTIVE', deactivation_reason = NULL, password_hash = NULL, totp_secret = NULL,
        totp_pending_secret = NULL, totp_last_step = NULL, locked_until = NULL, failed_attempts = 0,
        updated_at = now(), version = version + 1 WHERE id = $1""";
  private static final String DELETE = "DELETE FROM users WHERE id = $1";
  private static final String SET_EMAIL = "UPDATE users SET email = $2, pending_email = NULL WHERE id = $1";
  private static final String TAKEN = "SELECT 1 FROM users WHERE email = $1";
  private static final String SET_PENDING = "UPDATE users SET pending_email = $2, updated_at = now(), version = version + 1 WHERE id = $1";
  private static final String INSERT_EMAIL_LINK = """
      INSERT INTO action_tokens (token_hash, user_id, kind, expires_at, new_email)
      VALUES ($1, $2, 'EMAIL', now() + make_interval(secs => $3), $4)""";

  // Ending a lock: the failure count restarts (the next maxFailedAttempts wrong guesses lock
  // again) and the unlock link mailed with the lock's notice is void.
  private static final String UNLOCK = """
      WITH links AS (UPDATE action_tokens SET used_at = now() WHERE user_id = $1 AND kind = 'UNLOCK' AND used_at IS NULL)
      UPDATE users SET locked_until = NULL, failed_attempts = 0, updated_at = now(), version = version + 1
      WHERE id = $1 AND locked_until IS NOT NULL""";
  // Locks that have had no notice yet, claimed by marking them noticed (rows another replica is
  // claiming right now are skipped, not waited for): each lock is claimed once, whoever sweeps.
  private static final String CLAIM_LOCK_NOTICES = """
      UPDATE users u SET lock_notified_until = u.locked_until FROM organizations o
      WHERE u.id IN (SELECT id FROM users WHERE locked_until > now() AND lock_notified_until IS DISTINCT FROM locked_until
                     ORDER BY locked_until LIMIT 100 FOR UPDATE SKIP LOCKED)
        AND o.id = u.organization_id
      RETURNING u.id, u.email, u.first_name, u.status, u.locked_until, o.notify_on_lockout""";
  private static final String INSERT_UNLOCK_LINK = """
      INSERT INTO action_tokens (token_hash, user_id, kind, expires_at) VALUES ($1, $2, 'UNLOCK', $3)""";

  /** Who the mapping rules put out: in none of the mapped groups; of everyone, or ($3) of the candidates by primary key. */
  private static final String UNMAPPED = """
      SELECT id FROM users WHERE organization_id = $1 AND NOT root_admin AND status <> 'DEACTIVATED'
        AND NOT (groups && $2::text[]) ORDER BY id FOR UPDATE""";
  private static final String UNMAPPED_OF = """
      SELECT id FROM users WHERE id = ANY($3::uuid[]) AND organization_id = $1 AND NOT root_admin AND status <> 'DEACTIVATED'
        AND NOT (groups && $2::text[]) ORDER BY id FOR UPDATE""";
  private static final String RULED_INTEGRATIONS = """
      SELECT id, mapped_groups FROM sso_integrations WHERE organization_id = $1 AND enable_mapping_rules ORDER BY id""";

  private final Vertx vertx;
  private final Pool pool;
  private final SessionCache sessions;
  private final String baseUrl;
  private final Duration invitationTtl;
  private final Duration resetTtl;

  public Lifecycle(Vertx vertx, Pool pool, SessionCache sessions, String baseUrl, Duration invitationTtl, Duration resetTtl) {
    this.vertx = vertx;
    this.pool = pool;
    this.sessions = sessions;
    this.baseUrl = baseUrl;
    this.invitationTtl = invitationTtl;
    this.resetTtl = resetTtl;
  }

  /** A user just invited, and the link token its mail carries (only the bootstrap ever shows it). */
  public record Invited(JsonObject user, String token) {}

  /**
   * Runs work in one transaction; once it commits, this process drops the cached sessions of
   * every user the work evicted and wakes the mail verticle if it queued mail.
   */
  public <T> Future<T> run(Function<Change, Future<T>> work) {
    return run(work, 3);
  }

  /**
   * A transaction PostgreSQL chose as a deadlock victim (40P01) or could not serialise (40001)
   * rolled back whole, so running the work again is safe; it is, a few times.
   */
  private <T> Future<T> run(Function<Change, Future<T>> work, int attempts) {
    Change[] change = new Change[1];
    // Only the attempt that committed evicts and wakes the mail verticle, once.
    return pool.withTransaction(tx -> work.apply(change[0] = new Change(tx)))
        .onSuccess(x -> committed(change[0]))
        .recover(err -> attempts > 1 && err instanceof PgException pg
            && ("40P01".equals(pg.getSqlState()) || "40001".equals(pg.getSqlState()))
            ? run(work, attempts - 1) : Future.failedFuture(err));
  }

  /**
   * As {@link #run} for work that is one statement (a statement is atomic by itself), without a
   * transaction around it: one round trip instead of three. Inviting one user is such work.
   */
  public <T> Future<T> runOne(Function<Change, Future<T>> work) {
    Change c = new Change(pool);
    return work.apply(c).onSuccess(x -> committed(c));
  }

  private void committed(Change c) {
    c.evicted.forEach(sessions::evictUser);
    if (c.mailed) {
      Outbox.wakeUp(vertx);
    }
  }

  // ---- invitations ---------------------------------------------------------------------------

  /**
   * Inserts INVITED users, each with an invitation link and mail, audited USER_CREATED and
   * INVITATION_SENT. An email that already has an account is skipped: only the created users
   * are answered, so a caller of one user reads an empty answer as EMAIL_TAKEN.
   */
  public Future<List<Invited>> invite(Change c, UUID org, List<NewUser> users, UUID actor, String via) {
    if (users.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    JsonObject how = via == null ? new JsonObject() : new JsonObject().put("via", via);
    return invite(c, org, users, actor, how, orgNames.get(org), true);
  }

  private Future<List<Invited>> invite(Change c, UUID org, List<NewUser> users, UUID actor, JsonObject how, String orgName,
      boolean mayRepeat) {
    JsonArray records = new JsonArray();
    Map<UUID, String> tokens = new HashMap<>();
    for (NewUser u : users) {
      UUID id = UUID.randomUUID();
      String token = Tokens.random();
      tokens.put(id, token);
      JsonObject record = u.toRecord(id).put("link", Tokens.hashHex(token));
      if (orgName != null) {
        Mail mail = Mail.invitation(baseUrl, u.email(), u.firstName(), orgName, token);
        record.put("subject", mail.subject()).put("text_body", mail.text()).put("html_body", mail.html());
      }
      records.add(record);
    }
    Tuple params = Tuple.of(org, records, orgName, (double) invitationTtl.toSeconds(), actor, how);
    return c.tx.preparedQuery(INVITE).execute(params).compose(rows -> {
      String current = rows.iterator().next().getString("org_name");
      if (current == null) {
        return Future.failedFuture(ApiException.notFound());
      }
      if (!current.equals(orgName)) {
        rememberOrgName(org, current);
        return mayRepeat ? invite(c, org, users, actor, how, current, false)
            : Future.failedFuture(new IllegalStateException("The organization's name keeps changing"));
      }
      List<Invited> out = new ArrayList<>();
      for (Row r : rows) {
        if (r.getUUID("id") != null) {
          out.add(new Invited(UserRows.toJson(r), tokens.get(r.getUUID("id"))));
        }
      }
      if (!out.isEmpty()) {
        c.mailed();
      }
      return Future.succeededFuture(out);
    });
  }

  /** The names of organizations as this process last read them, for rendering invitations (a bounded memo). */
  private final Map<UUID, String> orgNames = new ConcurrentHashMap<>();

  private void rememberOrgName(UUID org, String name) {
    if (orgNames.size() > 10_000) {
      orgNames.clear();
    }
    orgNames.put(org, name);
  }

  /** One user: as {@link #invite}, with EMAIL_TAKEN when the address already has an account. */
  public Future<Invited> inviteOne(Change c, UUID org, NewUser user, UUID actor, String via) {
    return invite(c, org, List.of(user), actor, via).compose(list -> list.isEmpty()
        ? Future.failedFuture(emailTaken()) : Future.succeededFuture(list.get(0)));
  }

  /** Voids the user's earlier invitation links, makes a new one and queues its mail; answers the new token. */
  public Future<String> reinvite(Change c, UUID org, UUID userId, String email, String firstName, UUID actor) {
    return sendInvitations(c, org, new UUID[] {userId}, new String[] {email}, new String[] {firstName}, actor, new JsonObject())
        .map(tokens -> tokens[0]);
  }

  /**
   * A re-sent invitation as a caller asks for it again and again: within the address's mail
   * budget it is {@link #reinvite}; past it nothing happens (the earlier link keeps working).
   * Answers whether a mail was queued; callers answer the same either way.
   */
  public Future<Boolean> resendInvitation(Change c, UUID org, UUID userId, String email, String firstName, UUID actor) {
    return Outbox.withinBudget(c.tx, email).compose(ok -> ok
        ? sendInvitations(c, org, new UUID[] {userId}, new String[] {email}, new String[] {firstName}, actor,
            new JsonObject().put("resent", true), true).map(true)
        : Future.succeededFuture(false));
  }

  /**
   * The rule for a new address, on every path that can change one (admin, SCIM). An INVITED user
   * takes it at once: the old invitation link dies and the new address is invited. Anyone else
   * keeps the current address: the new one waits as pendingEmail, a verification link goes to it
   * (within its mail budget) and a notice to the current one; {@code POST /api/v1/auth/email/verify}
   * applies it. Answers whether the address changed now.
   */
  public Future<Boolean> changeEmail(Change c, UUID org, UUID userId, String status, String oldEmail, String newEmail,
      String firstName, UUID actor) {
    if ("INVITED".equals(status)) {
      return c.tx.preparedQuery(SET_EMAIL).execute(Tuple.of(userId, newEmail))
          .recover(err -> Future.failedFuture(emailTaken(err)))
          .compose(x -> reinvite(c, org, userId, newEmail, firstName, actor)).map(true);
    }
    String token = Tokens.random();
    return c.tx.preparedQuery(TAKEN).execute(Tuple.of(newEmail)).compose(rows -> rows.size() > 0
            ? Future.failedFuture(emailTaken()) : c.tx.preparedQuery(SET_PENDING).execute(Tuple.of(userId, newEmail)))
        .compose(x -> Outbox.withinBudget(c.tx, newEmail))
        .compose(ok -> {
          if (!ok) {
            return Future.succeededFuture();
          }
          c.mailed();
          return c.tx.preparedQuery(VOID_INVITATIONS).execute(Tuple.of(new UUID[] {userId}, "EMAIL"))
              .compose(x -> c.tx.preparedQuery(INSERT_EMAIL_LINK).execute(Tuple.of(Buffer.buffer(Tokens.hash(token)), userId,
                  (double) invitationTtl.toSeconds(), newEmail)))
              .compose(x -> Outbox.enqueue(c.tx, Mail.emailVerification(baseUrl, newEmail, firstName, token), true))
              .compose(x -> Outbox.enqueue(c.tx, Mail.emailChangeNotice(oldEmail, firstName, newEmail)));
        })
        .compose(x -> Audit.record(c.tx, org, actor, Audit.USER_UPDATED, userId,
            new JsonObject().put("pendingEmail", newEmail)))
        .map(false);
  }

  private Future<String[]> sendInvitations(Change c, UUID org, UUID[] ids, String[] emails, String[] firstNames, UUID actor,
      JsonObject how) {
    return sendInvitations(c, org, ids, emails, firstNames, actor, how, false);
  }

  private Future<String[]> sendInvitations(Change c, UUID org, UUID[] ids, String[] emails, String[] firstNames, UUID actor,
      JsonObject how, boolean limited) {
    int n = ids.length;
    String[] tokens = new String[n];
    Buffer[] hashes = new Buffer[n];
    for (int i = 0; i < n; i++) {
      tokens[i] = Tokens.random();
      hashes[i] = Buffer.buffer(Tokens.hash(tokens[i]));
    }
    return c.tx.preparedQuery(VOID_INVITATIONS).execute(Tuple.of(ids, "INVITATION"))
        .compose(x -> c.tx.preparedQuery(INSERT_LINKS).execute(Tuple.of(hashes, ids, "INVITATION", (double) invitationTtl.toSeconds())))
        .compose(x -> c.tx.preparedQuery(ORG_NAME).execute(Tuple.of(org)))
        .compose(rows -> {
          String orgName = rows.iterator().next().getString("name");
          List<Mail> mails = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            mails.add(Mail.invitation(baseUrl, emails[i], firstNames[i], orgName, tokens[i]));
          }
          c.mailed();
          return limited ? Outbox.enqueue(c.tx, mails.get(0), true) : Outbox.enqueueAll(c.tx, mails);
        })
        .compose(x -> c.tx.preparedQuery(INVITATION_AUDIT).execute(Tuple.of(org, actor, ids, emails, how)))
        .map(tokens);
  }

  /** Voids earlier reset links, makes a new one and queues its mail (admin reset, activation). */
  public Future<Void> sendPasswordReset(Change c, UUID userId, String email, String firstName) {
    return sendPasswordReset(c, userId, email, firstName, false);
  }

  /**
   * The reset link someone asked for by email (forgot password): within the address's mail budget
   * as {@link #sendPasswordReset}, past it nothing happens. Answers whether a mail was queued.
   */
  public Future<Boolean> requestPasswordReset(Change c, UUID userId, String email, String firstName) {
    return Outbox.withinBudget(c.tx, email).compose(ok -> ok
        ? sendPasswordReset(c, userId, email, firstName, true).map(true) : Future.succeededFuture(false));
  }

  private Future<Void> sendPasswordReset(Change c, UUID userId, String email, String firstName, boolean limited) {
    String token = Tokens.random();
    Buffer[] hash = {Buffer.buffer(Tokens.hash(token))};
    UUID[] ids = {userId};
    c.mailed();
    return c.tx.preparedQuery(VOID_INVITATIONS).execute(Tuple.of(ids, "RESET"))
        .compose(x -> c.tx.preparedQuery(INSERT_LINKS).execute(Tuple.of(hash, ids, "RESET", (double) resetTtl.toSeconds())))
        .compose(x -> Outbox.enqueue(c.tx, Mail.passwordReset(baseUrl, email, firstName, token), limited));
  }

  /** Queues a mail in the change's transaction; the mail verticle is woken once it commits. */
  public Future<Void> queueMail(Change c, Mail mail) {
    c.mailed();
    return Outbox.enqueue(c.tx, mail);
  }

  // ---- SSO mapping rules -----------------------------------------------------------------------

  /**
   * The SSO mapping rule (API.md section 8) of one integration: of the candidates (everyone when
   * null), those in none of its mapped groups are deactivated, reason SSO_MAPPING; never the Root
   * Admin, never twice (the deactivation is conditional), so replicas applying the same change
   * together write one USER_DEACTIVATED each. Answers who was deactivated.
   */
  public Future<List<UUID>> applyMappingRule(Change c, UUID org, UUID integrationId, String[] mappedGroups, UUID[] candidates) {
    Tuple params = Tuple.of(org).addArrayOfString(mappedGroups);
    Future<RowSet<Row>> unmapped = candidates == null ? c.tx.preparedQuery(UNMAPPED).execute(params)
        : c.tx.preparedQuery(UNMAPPED_OF).execute(params.addArrayOfUUID(candidates));
    return unmapped.compose(rows -> {
      List<UUID> out = new ArrayList<>();
      rows.forEach(r -> out.add(r.getUUID("id")));
      return deactivate(c, org, out, "SSO_MAPPING", null, new JsonObject().put("integrationId", integrationId.toString()));
    });
  }

  /** Every integration of the organization whose mapping rules are on, applied to the candidates (users whose groups changed). */
  public Future<List<UUID>> applyMappingRules(Change c, UUID org, UUID[] candidates) {
    if (candidates.length == 0) {
      return Future.succeededFuture(List.of());
    }
    return c.tx.preparedQuery(RULED_INTEGRATIONS).execute(Tuple.of(org)).compose(rows -> {
      Future<List<UUID>> all = Future.succeededFuture(new ArrayList<>());
      for (Row r : rows) {
        all = all.compose(gone -> applyMappingRule(c, org, r.getUUID("id"), r.getArrayOfStrings("mapped_groups"), candidates)
            .map(more -> {
              gone.addAll(more);
              return gone;
            }));
      }
      return all;
    });
  }

  // ---- locks ---------------------------------------------------------------------------------

  /**
   * Ends a user's lock now (an admin's unlock, or the user's own with the link of the lock's
   * notice), audited USER_UNLOCKED by actor. Answers whether there was a lock to end.
   */
  public Future<Boolean> unlock(Change c, UUID org, UUID user, UUID actor, JsonObject details) {
    return c.tx.preparedQuery(UNLOCK).execute(Tuple.of(user)).compose(rs -> rs.rowCount() == 0 ? Future.succeededFuture(false)
        : Audit.record(c.tx, org, actor, Audit.USER_UNLOCKED, user, details).map(true));
  }

  /**
   * Sends the notice of every lock taken since the last sweep (API.md 12.5): one mail per lock,
   * whatever the number of replicas, with a link that ends the lock and is good until the lock
   * ends; nothing when the organization's notifyOnLockout is off or the account is deactivated.
   * Notices count against the address's mail budget, so very short lockouts cannot mail-bomb.
   * Claiming and queueing commit together, so a crash between them sends the notice later.
   * Answers how many notices were queued.
   */
  public Future<Integer> noticeLocks() {
    return run(c -> c.tx.preparedQuery(CLAIM_LOCK_NOTICES).execute().compose(rows -> {
      Future<Integer> queued = Future.succeededFuture(0);
      for (Row r : rows) {
        if (!r.getBoolean("notify_on_lockout") || "DEACTIVATED".equals(r.getString("status"))) {
          continue;
        }
        queued = queued.compose(n -> Outbox.withinBudget(c.tx, r.getString("email")).compose(ok -> {
          if (!ok) {
            return Future.succeededFuture(n);
          }
          String token = Tokens.random();
          c.mailed();
          return c.tx.preparedQuery(INSERT_UNLOCK_LINK)
              .execute(Tuple.of(Buffer.buffer(Tokens.hash(token)), r.getUUID("id"), r.getOffsetDateTime("locked_until")))
              .compose(x -> Outbox.enqueue(c.tx, Mail.lockoutNotice(baseUrl, r.getString("email"), r.getString("first_name"),
                  r.getOffsetDateTime("locked_until").toInstant(), token), true))
              .map(n + 1);
        }));
      }
      return queued;
    }));
  }

  // ---- standing ------------------------------------------------------------------------------

  /**
   * Deactivates the named users of the organization who can be (never the Root Admin, never twice):
   * pending links void, sessions revoked on every replica, one USER_DEACTIVATED each. Answers who was.
   */
  public Future<List<UUID>> deactivate(Change c, UUID org, List<UUID> ids, String reason, UUID actor, JsonObject details) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    Tuple params = Tuple.of(org, ids.toArray(UUID[]::new), reason, actor, details == null ? new JsonObject() : details);
    return c.tx.preparedQuery(DEACTIVATE).execute(params).map(rows -> {
      List<UUID> gone = new ArrayList<>();
      for (Row r : rows) {
        gone.add(r.getUUID("id"));
        c.evict(r.getUUID("id"));
      }
      return gone;
    });
  }

  /** Back from DEACTIVATED: password and 2FA cleared, a reset link mailed (admin, SCIM). */
  public Future<Void> activate(Change c, UUID org, UUID userId, String email, String firstName, UUID actor) {
    return c.tx.preparedQuery(ACTIVATE).execute(Tuple.of(userId))
        .compose(x -> sendPasswordReset(c, userId, email, firstName))
        .compose(x -> Audit.record(c.tx, org, actor, Audit.USER_ACTIVATED, userId, new JsonObject()));
  }

  /** Ends every session of the user on every replica; answers how many were live. */
  public Future<Integer> revokeSessions(Change c, UUID userId) {
    c.evict(userId);
    return Revocations.revokeAll(c.tx, userId);
  }

  /** Ends the sessions of the user and deletes the account (the database refuses the Root Admin). */
  public Future<Void> delete(Change c, UUID org, UUID userId, UUID actor, JsonObject details) {
    return revokeSessions(c, userId)
        .compose(x -> c.tx.preparedQuery(DELETE).execute(Tuple.of(userId)))
        .compose(x -> Audit.record(c.tx, org, actor, Audit.USER_DELETED, userId, details));
  }

  // ---- helpers -------------------------------------------------------------------------------

  public static ApiException emailTaken() {
    return new ApiException(ErrorCode.EMAIL_TAKEN, "An account with this email already exists");
  }

  /** A write that hit the unique email: EMAIL_TAKEN; anything else as it was. */
  public static Throwable emailTaken(Throwable err) {
    return err instanceof PgException pg && "23505".equals(pg.getSqlState()) && "users_email_key".equals(pg.getConstraint())
        ? emailTaken() : err;
  }
}
