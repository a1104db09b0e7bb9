package io.roster.auth;

import io.roster.audit.Audit;
import io.roster.audit.LockedRefusals;
import io.roster.common.ApiException;
import io.roster.common.Caller;
import io.roster.common.CommandVerticle;
import io.roster.common.ErrorCode;
import io.roster.common.Metrics;
import io.roster.common.Settings;
import io.roster.domain.PasswordPolicy;
import io.roster.domain.Tokens;
import io.roster.domain.Totp;
import io.roster.lifecycle.Lifecycle;
import io.roster.sessions.Revocations;
import io.roster.sessions.SessionCache;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Function;

/**
 * Sign-in and its tokens: login (password, then TOTP), enrolment, refresh, logout, invitation
 * acceptance and password reset. Password checks go through {@link LoginGuard} and run on the
 * bounded hashing pool.
 */
public final class AuthVerticle extends CommandVerticle {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AuthVerticle.class);
  static final LoginGuard.Policy DEFAULT_POLICY = new LoginGuard.Policy(
      PasswordPolicy.DEFAULT.maxFailedAttempts(), PasswordPolicy.DEFAULT.lockoutDuration().toSeconds(),
      PasswordPolicy.DEFAULT.revealLockout());

  private static final String POLICY_COLUMNS = """
      o.min_length, o.require_uppercase, o.require_lowercase, o.require_digit, o.require_symbol,
      o.max_failed_attempts, o.lockout_seconds, o.reveal_lockout, o.ip_allowlist_enabled, o.ip_allowlist,
      o.notify_on_lockout, o.password_history, o.reject_common_passwords""";
  // The first sign-in step in one round trip: the account (if any) with its policy, and the
  // reservation of one of its attempts (or of the unknown email's), which also answers a lock.
  private static final String BEGIN_LOGIN = """
      SELECT r.outcome, r.until_at, u.* FROM (SELECT 1) AS one
      LEFT JOIN (SELECT u.id, u.organization_id, u.email, u.status, u.password_hash, u.totp_secret IS NOT NULL AS enrolled,
      """ + POLICY_COLUMNS + """

                 FROM users u JOIN organizations o ON o.id = u.organization_id WHERE u.email = $1) AS u ON true
      CROSS JOIN LATERAL\s""" + LoginGuard.reserveCall("u.id", "CASE WHEN u.id IS NULL THEN $1 END",
      "COALESCE(u.max_failed_attempts, $2)", "$3", "$4") + " AS r";
  // Whether an email's account (or the unknown email's guard) is locked now: a read, no row lock.
  private static final String LOCK_OF_EMAIL = """
      SELECT u.id, u.organization_id, o.max_failed_attempts, o.lockout_seconds, o.reveal_lockout, u.locked_until
      FROM users u JOIN organizations o ON o.id = u.organization_id WHERE u.email = $1 AND u.locked_until > now()
      UNION ALL
      SELECT NULL, NULL, NULL, NULL, NULL, p.locked_until FROM phantom_logins p WHERE p.email = $1 AND p.locked_until > now()""";
  private static final String BY_ID = """
      SELECT u.id, u.organization_id, u.email, u.status, u.password_hash,
      """ + POLICY_COLUMNS + """

      FROM users u JOIN organizations o ON o.id = u.organization_id WHERE u.id = $1""";
  private static final String BY_MFA_TOKEN = """
      SELECT u.id, u.organization_id, u.email, u.first_name, u.role, u.status, u.totp_secret, u.totp_pending_secret, u.totp_last_step,
      """ + POLICY_COLUMNS + """

      FROM mfa_tokens m JOIN users u ON u.id = m.user_id JOIN organizations o ON o.id = u.organization_id
      WHERE m.token_hash = $1 AND m.used_at IS NULL AND m.expires_at > now()""";
  private static final String BY_LINK = """
      SELECT u.id, u.organization_id, u.email, u.first_name, u.status, t.new_email, u.pending_email, u.locked_until,
      """ + POLICY_COLUMNS + """

      FROM action_tokens t JOIN users u ON u.id = t.user_id JOIN organizations o ON o.id = u.organization_id
      WHERE t.token_hash = $1 AND t.kind = $2 AND t.used_at IS NULL AND t.expires_at > now()""";
  private static final String INSERT_MFA_TOKEN = """
      INSERT INTO mfa_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))""";
  private static final String SET_PENDING_SECRET = "UPDATE users SET totp_pending_secret = $2 WHERE id = $1";
  private static final String SPEND_MFA_TOKEN =
      "UPDATE mfa_tokens SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()";
  // A successful second step: the code's step is recorded (never accepted again; a recovery code,
  // $2 null, records none), a pending secret becomes the enrolled one, INVITED becomes ACTIVE, the
  // failure count restarts.
  private static final String SIGNED_IN = """
      WITH spent AS (DELETE FROM login_leases WHERE id = $4)
      UPDATE users SET totp_last_step = COALESCE($2, totp_last_step),
        totp_secret = CASE WHEN $3 THEN totp_pending_secret ELSE totp_secret END,
        totp_pending_secret = CASE WHEN $3 THEN NULL ELSE totp_pending_secret END,
        status = CASE WHEN status = 'INVITED' THEN 'ACTIVE' ELSE status END,
        email_verified = true, failed_attempts = 0, last_login_at = now(),
        updated_at = CASE WHEN $3 THEN now() ELSE updated_at END,
        version = CASE WHEN $3 THEN version + 1 ELSE version END
      WHERE id = $1 AND ($2::bigint IS NULL OR totp_last_step IS NULL OR totp_last_step < $2) AND status <> 'DEACTIVATED'
      RETURNING role""";
  private static final String SPEND_LINK =
      "UPDATE action_tokens SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()";
  // A new password: the replaced hash joins the history (PasswordHistory) in the same statement.
  private static final String SET_PASSWORD = PasswordHistory.KEEP_REPLACED + """
      UPDATE users SET password_hash = $2, email_verified = true, updated_at = now(), version = version + 1
      WHERE id = $1""";
  private static final String SET_PASSWORD_CLEAR_LOCK = PasswordHistory.KEEP_REPLACED + """
      UPDATE users SET password_hash = $2, email_verified = true, locked_until = NULL, failed_attempts = 0,
        updated_at = now(), version = version + 1
      WHERE id = $1""";
  private static final String SPEND_REFRESH = """
      UPDATE refresh_tokens r SET used_at = now() FROM sessions s, users u, organizations o
      WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > now()
        AND s.id = r.session_id AND s.revoked_at IS NULL AND s.expires_at > now()
        AND u.id = s.user_id AND u.status <> 'DEACTIVATED' AND o.id = u.organization_id
      RETURNING s.id AS session_id, u.id AS user_id, u.organization_id, u.role, o.ip_allowlist_enabled, o.ip_allowlist""";
  private static final String SPENT_REFRESH_SESSION =
      "SELECT session_id FROM refresh_tokens WHERE token_hash = $1 AND used_at IS NOT NULL";
  // The link applies the address it was sent to, and only while that is still the pending one.
  private static final String APPLY_EMAIL = """
      UPDATE users SET email = $2, pending_email = NULL, email_verified = true, updated_at = now(), version = version + 1
      WHERE id = $1 AND pending_email = $2""";
  private static final String REHASH = "UPDATE users SET password_hash = $2 WHERE id = $1 AND password_hash = $3";
  private static final String ACTIVE_BY_EMAIL =
      "SELECT id, organization_id, first_name, status FROM users WHERE email = $1";

  private final Pool pool;
  private final Passwords passwords;
  private final Lifecycle lifecycle;
  private Sessions sessions;
  private LoginGuard users;
  private LoginGuard unknown;
  private Duration mfaTtl;
  private final KeyRing keys;
  private final io.roster.crypto.Secrets secrets;

  private final SessionCache sessionCache;
  /** Refusals of locked accounts are audited in folds, written every REFUSAL_FLUSH_MS. */
  private static final long REFUSAL_FLUSH_MS = 250;
  private final LockedRefusals refusals = new LockedRefusals();
  private long refusalFlush;

  public AuthVerticle(Pool pool, Passwords passwords, Lifecycle lifecycle, KeyRing keys, io.roster.crypto.Secrets secrets,
      SessionCache sessionCache) {
    this.secrets = secrets;
    this.sessionCache = sessionCache;
    this.pool = pool;
    this.passwords = passwords;
    this.lifecycle = lifecycle;
    this.keys = keys;
  }

  @Override
  protected String address() {
    return AuthCommands.ADDRESS;
  }

  @Override
  public Future<?> start() throws Exception {
    JsonObject conf = config();
    sessions = new Sessions(keys, Settings.duration(conf, "ACCESS_TOKEN_TTL", Duration.ofMinutes(15)),
        Settings.duration(conf, "REFRESH_TOKEN_TTL", Duration.ofDays(14)), Settings.duration(conf, "SESSION_MAX_LIFETIME", Duration.ofDays(30)));
    mfaTtl = Settings.duration(conf, "MFA_TOKEN_TTL", Duration.ofMinutes(5));
    Duration lease = Settings.duration(conf, "LOGIN_ATTEMPT_LEASE", LoginGuard.DEFAULT_LEASE);
    users = LoginGuard.forUsers(vertx, pool, lease, passwords::startBy);
    unknown = LoginGuard.forUnknownEmails(vertx, pool, lease, passwords::startBy);
    refusalFlush = vertx.setPeriodic(REFUSAL_FLUSH_MS, t -> flushRefusals());
    return super.start();
  }

  /** Stops taking commands, then writes the refusals still counted. */
  @Override
  public Future<?> stop() {
    vertx.cancelTimer(refusalFlush);
    return super.stop().compose(x -> flushRefusals());
  }

  private Future<Void> flushRefusals() {
    return refusals.flush(pool).onFailure(x -> LOG.warn("Audit of refused sign-ins failed: {}", x.toString()));
  }

  /** Sign-in steps may wait for a free attempt slot of their account (LoginGuard, up to 20 s). */
  @Override
  protected long deadlineMs(String action) {
    return switch (action) {
      case AuthCommands.LOGIN, AuthCommands.MFA_VERIFY, AuthCommands.CHANGE_PASSWORD -> 25_000;
      default -> DEADLINE_MS;
    };
  }

  @Override
  protected Map<String, Function<JsonObject, Future<JsonObject>>> handlers() {
    return Map.ofEntries(
        Map.entry(AuthCommands.LOGIN, this::login),
        Map.entry(AuthCommands.MFA_ENROLL, this::enroll),
        Map.entry(AuthCommands.MFA_VERIFY, this::verify),
        Map.entry(AuthCommands.REFRESH, this::refresh),
        Map.entry(AuthCommands.LOGOUT, this::logout),
        Map.entry(AuthCommands.ACCEPT_INVITATION, this::acceptInvitation),
        Map.entry(AuthCommands.FORGOT_PASSWORD, this::forgotPassword),
        Map.entry(AuthCommands.RESET_PASSWORD, this::resetPassword),
        Map.entry(AuthCommands.CHANGE_PASSWORD, this::changePassword),
        Map.entry(AuthCommands.LINK_POLICY, this::linkPolicy),
        Map.entry(AuthCommands.VERIFY_EMAIL, this::verifyEmail),
        Map.entry(AuthCommands.UNLOCK, this::unlock),
        Map.entry(AuthCommands.RECOVERY_CODES, this::recoveryCodes),
        Map.<String, Function<JsonObject, Future<JsonObject>>>entry(AuthCommands.ROTATE_SIGNING_KEY, cmd -> keys.rotate()));
  }

  // ---- login, first step -------------------------------------------------------------------

  private Future<JsonObject> login(JsonObject cmd) {
    return attemptLogin(cmd).onComplete(ar -> Metrics.login(ar.succeeded()
        ? ar.result().getString("status", "answered").toLowerCase(java.util.Locale.ROOT).replace("mfa_enrollment_required", "enrollment_required")
        : ar.cause() instanceof ApiException e ? e.code().code().toLowerCase(java.util.Locale.ROOT)
        : io.roster.common.Unavailable.isDatabaseDown(ar.cause()) ? "unavailable" : "error"));
  }

  private Future<JsonObject> attemptLogin(JsonObject cmd) {
    String email = cmd.getString("email");
    String password = cmd.getString("password");
    if (passwords.full()) {
      return lockedOrOverloaded(email);
    }
    UUID leaseId = UUID.randomUUID();
    long asked = System.currentTimeMillis();
    return pool.preparedQuery(BEGIN_LOGIN)
        .execute(Tuple.of(email, DEFAULT_POLICY.maxFailedAttempts(), leaseId, users.leaseSeconds()))
        .compose(rows -> {
          Row r = rows.iterator().next();
          if (r.getUUID("id") == null) {
            return loginUnknown(email, password, unknown.reserved(r, leaseId, asked, email, DEFAULT_POLICY, true));
          }
          return loginKnown(r, password, client(cmd), users.reserved(r, leaseId, asked, r.getUUID("id"), policyOf(r), true));
        });
  }

  /**
   * While hashing is full: a locked account (or locked unknown email) still gets its lock's answer,
   * which needs no hash (API.md 12.1), from one read; anything else gets the overload answer.
   */
  private Future<JsonObject> lockedOrOverloaded(String email) {
    return pool.preparedQuery(LOCK_OF_EMAIL).execute(Tuple.of(email)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(passwords.refusal());
      }
      Row r = rows.iterator().next();
      OffsetDateTime until = r.getOffsetDateTime("locked_until");
      if (r.getUUID("id") == null) {
        return Future.failedFuture(LoginGuard.locked(until, DEFAULT_POLICY, true));
      }
      return auditFailure(r.getUUID("organization_id"), r.getUUID("id"), LoginGuard.locked(until, policyOf(r), true));
    });
  }

  /** An email with no account: the same guard, the same hash work, the same answers. */
  private Future<JsonObject> loginUnknown(String email, String password, Future<LoginGuard.Lease> reserved) {
    return reserved
        .compose(lease -> passwords.verify(password, null, lease.startBy())
            .recover(err -> unknown.release(email, lease).compose(r -> Future.failedFuture(err)))
            .compose(ok -> unknown.fail(email, DEFAULT_POLICY, lease)))
        .compose(f -> Future.failedFuture(LoginGuard.invalidCredentials()));
  }

  private Future<JsonObject> loginKnown(Row u, String password, Optional<InetAddress> client, Future<LoginGuard.Lease> reserved) {
    UUID id = u.getUUID("id");
    UUID org = u.getUUID("organization_id");
    LoginGuard.Policy policy = policyOf(u);
    return reserved
        .recover(err -> auditFailure(org, id, err))
        .compose(lease -> checkPassword(id, org, policy, lease, password, u.getString("password_hash"), LoginGuard.invalidCredentials()))
        .compose(lockedUntil -> afterCorrectPassword(u, password, client, policy, lockedUntil));
  }

  /**
   * Verifies a password on a reserved attempt: a wrong one spends it (and answers wrong), a right
   * one hands it back (answering a lock taken meanwhile), and a check that could not be made
   * (an overloaded hashing queue) hands it back too. No path keeps the reservation.
   */
  private Future<OffsetDateTime> checkPassword(UUID id, UUID org, LoginGuard.Policy policy, LoginGuard.Lease lease,
      String password, String hash, ApiException wrong) {
    return passwords.verify(password, hash, lease.startBy())
        .recover(err -> users.release(id, lease).compose(r -> Future.failedFuture(err)))
        .compose(ok -> ok ? users.release(id, lease) : recordFailure(id, org, policy, lease, wrong));
  }

  private Future<JsonObject> afterCorrectPassword(Row u, String password, Optional<InetAddress> client, LoginGuard.Policy policy,
      OffsetDateTime lockedUntil) {
    UUID id = u.getUUID("id");
    if (lockedUntil != null) {
      return auditFailure(u.getUUID("organization_id"), id, LoginGuard.locked(lockedUntil, policy, true));
    }
    if ("DEACTIVATED".equals(u.getString("status"))) {
      return auditFailure(u.getUUID("organization_id"), id,
          new ApiException(ErrorCode.ACCOUNT_DEACTIVATED, "This account is deactivated"));
    }
    if (!SessionGuard.allowlistOf(u).permits(client)) {
      return auditFailure(u.getUUID("organization_id"), id, SessionGuard.ipNotAllowed());
    }
    if (Passwords.needsRehash(u.getString("password_hash"))) {
      // Parameters were raised since this hash was made: replace it while we hold the password.
      passwords.hash(password).compose(h -> pool.preparedQuery(REHASH).execute(Tuple.of(id, h, u.getString("password_hash"))));
    }
    return mfaChallenge(pool, id, u.getBoolean("enrolled"));
  }

  /** Records a failed check: spends the attempt, locks at the maximum, audits both. */
  private <T> Future<T> recordFailure(UUID id, UUID org, LoginGuard.Policy policy, LoginGuard.Lease lease, ApiException answer) {
    return users.fail(id, policy, lease).compose(f -> {
      // The attempt is spent (and the lock taken) before the answer; its audit follows the answer.
      Future<Void> audit = Audit.record(pool, org, null, Audit.LOGIN_FAILED, id, new JsonObject().put("reason", answer.code().code()));
      if (f.lockedNow()) {
        Metrics.lockedOut();
        vertx.eventBus().publish(AuthCommands.LOCKED, new JsonObject().put("userId", id.toString())
            .put("lockedUntil", f.lockedUntil().toInstant().toEpochMilli()));
        audit = audit.compose(x -> Audit.record(pool, org, null, Audit.USER_LOCKED, id,
            new JsonObject().put("lockedUntil", io.roster.common.Times.format(f.lockedUntil()))));
      }
      audit.onFailure(x -> LOG.warn("Audit of a failed sign-in failed: {}", x.toString()));
      return Future.failedFuture(answer);
    });
  }

  /**
   * Audits a refused sign-in step after the answer (so a known account's refusal costs the request
   * no more than an unknown one's): refusals during a lock fold into that lock's one event. A
   * refusal that hides a lock (revealLockout false) answers only after as long as a password check
   * takes, though it computes none, so its timing does not tell it from a wrong password.
   */
  private <T> Future<T> auditFailure(UUID org, UUID id, Throwable err) {
    if (!(err instanceof ApiException e) || e.code() == ErrorCode.OVERLOADED || e.code() == ErrorCode.UNAVAILABLE) {
      return Future.failedFuture(err);
    }
    String lockedUntil = e.notes().getString(LoginGuard.LOCKED_UNTIL);
    if (lockedUntil != null) {
      refusals.add(org, id, e.code().code(), lockedUntil);
    } else {
      Audit.record(pool, org, null, Audit.LOGIN_FAILED, id, new JsonObject().put("reason", e.code().code()))
          .onFailure(x -> LOG.warn("Audit of a refused sign-in failed: {}", x.toString()));
    }
    if (e.notes().getBoolean(LoginGuard.HIDDEN, false)) {
      return vertx.timer(Math.max(1, passwords.typicalCheckMillis())).compose(t -> Future.failedFuture(err));
    }
    return Future.failedFuture(err);
  }

  private Future<JsonObject> mfaChallenge(SqlClient client, UUID userId, boolean enrolled) {
    String token = Tokens.random();
    return client.preparedQuery(INSERT_MFA_TOKEN).execute(Tuple.of(Tokens.hash(token), userId, (double) mfaTtl.toSeconds()))
        .map(x -> new JsonObject().put("status", enrolled ? "MFA_REQUIRED" : "MFA_ENROLLMENT_REQUIRED").put("mfaToken", token));
  }

  // ---- login, second step ------------------------------------------------------------------

  /** The user behind a live MFA token, who is not deactivated and calls from an allowed address. */
  private Future<Row> mfaUser(String token, Optional<InetAddress> client) {
    if (!Tokens.wellFormed(token)) {
      return Future.failedFuture(invalidMfaToken());
    }
    return pool.preparedQuery(BY_MFA_TOKEN).execute(Tuple.of(Tokens.hash(token))).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(invalidMfaToken());
      }
      Row u = rows.iterator().next();
      if ("DEACTIVATED".equals(u.getString("status"))) {
        return Future.failedFuture(new ApiException(ErrorCode.ACCOUNT_DEACTIVATED, "This account is deactivated"));
      }
      if (!SessionGuard.allowlistOf(u).permits(client)) {
        return auditFailure(u.getUUID("organization_id"), u.getUUID("id"), SessionGuard.ipNotAllowed());
      }
      return Future.succeededFuture(u);
    });
  }

  private Future<JsonObject> enroll(JsonObject cmd) {
    return mfaUser(cmd.getString("mfaToken"), client(cmd)).compose(u -> {
      if (u.getString("totp_secret") != null) {
        return Future.failedFuture(new ApiException(ErrorCode.INVALID_STATUS_TRANSITION,
            "Two-factor authentication is already enrolled; verify a code instead"));
      }
      String secret = Totp.newSecret();
      return pool.preparedQuery(SET_PENDING_SECRET).execute(Tuple.of(u.getUUID("id"), secrets.encrypt(secret, u.getUUID("id").toString())))
          .map(x -> new JsonObject().put("secret", secret).put("otpauthUri", Totp.uri("Roster", u.getString("email"), secret)));
    });
  }

  /** The second step: a TOTP code, or one of the user's recovery codes (API.md 12.6) in its place. */
  private Future<JsonObject> verify(JsonObject cmd) {
    String token = cmd.getString("mfaToken");
    String code = cmd.getString("code");
    String recoveryCode = cmd.getString("recoveryCode");
    return mfaUser(token, client(cmd)).compose(u -> {
      UUID id = u.getUUID("id");
      UUID org = u.getUUID("organization_id");
      LoginGuard.Policy policy = policyOf(u);
      boolean enrolling = u.getString("totp_secret") == null;
      String secret = secrets.decrypt(enrolling ? u.getString("totp_pending_secret") : u.getString("totp_secret"), id.toString());
      Long lastStep = u.getLong("totp_last_step");
      return users.reserve(id, policy, false)
          .recover(err -> auditFailure(org, id, err))
          .compose(lease -> {
            Long step;
            if (recoveryCode != null) {
              // Only an enrolled user has recovery codes; the code itself is checked as the sign-in commits.
              step = null;
              if (enrolling) {
                return recordFailure(id, org, policy, lease, invalidCode());
              }
            } else {
              OptionalLong totp = Totp.verify(secret, code, lastStep, Instant.now());
              if (totp.isEmpty()) {
                return recordFailure(id, org, policy, lease, invalidCode());
              }
              step = totp.getAsLong();
            }
            return signIn(token, u, step, recoveryCode, enrolling, lease)
                .onSuccess(x -> users.wake(id))
                .recover(err -> err instanceof ApiException e && e.code() == ErrorCode.INVALID_MFA_CODE
                    ? recordFailure(id, org, policy, lease, e)
                    : users.release(id, lease).compose(r -> Future.failedFuture(err)));
          });
    });
  }

  /**
   * Spends the MFA token and (for a recovery code) the code, records the step, audits, and starts
   * the session, in one transaction: a wrong recovery code rolls it all back, token included. A
   * used recovery code is audited RECOVERY_CODE_USED and mailed to the user.
   */
  private Future<JsonObject> signIn(String mfaToken, Row u, Long step, String recoveryCode, boolean enrolling, LoginGuard.Lease lease) {
    UUID id = u.getUUID("id");
    UUID org = u.getUUID("organization_id");
    return lifecycle.run(ch -> ch.tx.preparedQuery(SPEND_MFA_TOKEN).execute(Tuple.of(Tokens.hash(mfaToken)))
        .compose(spent -> spent.rowCount() == 0 ? Future.failedFuture(invalidMfaToken())
            : recoveryCode == null ? Future.succeededFuture()
            : ch.tx.preparedQuery(RecoveryCodes.SPEND).execute(Tuple.of(id, RecoveryCodes.hash(recoveryCode))).compose(rows -> {
              if (rows.size() == 0) {
                return Future.failedFuture(invalidCode());
              }
              int left = rows.iterator().next().getLong("left").intValue();
              return Audit.record(ch.tx, org, id, Audit.RECOVERY_CODE_USED, id, new JsonObject().put("codesLeft", left))
                  .compose(x -> lifecycle.queueMail(ch, io.roster.mail.Mail.recoveryCodeUsed(u.getString("email"), u.getString("first_name"), left)));
            }))
        .compose(x -> ch.tx.preparedQuery(SIGNED_IN).execute(Tuple.of(id, step, enrolling, lease.id())))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(invalidCode()) : Future.succeededFuture(rows.iterator().next().getString("role")))
        .compose(role -> (enrolling
                ? Audit.record(ch.tx, org, id, Audit.TWO_FACTOR_ENROLLED, id, new JsonObject())
                : Future.<Void>succeededFuture())
            .compose(x -> Audit.record(ch.tx, org, id, Audit.LOGIN_SUCCEEDED, id,
                recoveryCode == null ? new JsonObject() : new JsonObject().put("via", "recoveryCode")))
            .compose(x -> sessions.start(ch.tx, id, org, role))));
  }

  /**
   * New recovery codes for the signed-in user (API.md 12.6), replacing any earlier set, shown
   * this once. The password is checked like a sign-in attempt (a wrong one counts).
   */
  private Future<JsonObject> recoveryCodes(JsonObject cmd) {
    Caller caller = Caller.of(cmd);
    UUID id = caller.userId();
    return pool.preparedQuery(BY_ID).execute(Tuple.of(id)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(new ApiException(ErrorCode.UNAUTHENTICATED, "A valid access token is required"));
      }
      Row u = rows.iterator().next();
      LoginGuard.Policy policy = policyOf(u);
      List<String> codes = RecoveryCodes.generate();
      return users.reserve(id, policy, false)
          .compose(lease -> checkPassword(id, caller.organizationId(), policy, lease, cmd.getString("password"),
              u.getString("password_hash"), LoginGuard.invalidCredentials()))
          .compose(x -> pool.withTransaction(tx -> tx.preparedQuery(RecoveryCodes.REPLACE).execute(Tuple.of(id).addArrayOfBuffer(RecoveryCodes.hashes(codes)))
              .compose(y -> Audit.record(tx, caller.organizationId(), id, Audit.RECOVERY_CODES_GENERATED, id,
                  new JsonObject().put("count", codes.size())))))
          .map(x -> new JsonObject().put("codes", new JsonArray(codes)));
    });
  }

  private static ApiException invalidCode() {
    return new ApiException(ErrorCode.INVALID_MFA_CODE, "The code is not valid");
  }

  // ---- tokens --------------------------------------------------------------------------------

  private Future<JsonObject> refresh(JsonObject cmd) {
    String token = cmd.getString("refreshToken");
    if (!Tokens.wellFormed(token)) {
      return Future.failedFuture(invalidRefresh());
    }
    byte[] hash = Tokens.hash(token);
    return pool.withTransaction(tx -> tx.preparedQuery(SPEND_REFRESH).execute(Tuple.of(hash)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture((JsonObject) null);
      }
      Row r = rows.iterator().next();
      if (!SessionGuard.allowlistOf(r).permits(client(cmd))) {
        // Refused before the commit: the refresh token stays unspent.
        return Future.failedFuture(SessionGuard.ipNotAllowed());
      }
      return sessions.rotate(tx, r.getUUID("session_id"), r.getUUID("user_id"), r.getUUID("organization_id"), r.getString("role"));
    })).compose(pair -> pair != null ? Future.succeededFuture(pair) : revokeReplayed(hash));
  }

  /**
   * A spent refresh token presented again: the session is taken to be stolen and ends. Only that
   * session leaves the cache; an unknown token (a guess) changes nothing at all.
   */
  private Future<JsonObject> revokeReplayed(byte[] hash) {
    return pool.preparedQuery(SPENT_REFRESH_SESSION).execute(Tuple.of(hash)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(invalidRefresh());
      }
      UUID session = rows.iterator().next().getUUID("session_id");
      return pool.withTransaction(tx -> Revocations.revokeOne(tx, session)).compose(n -> {
        sessionCache.evictSession(session);
        return Future.failedFuture(invalidRefresh());
      });
    });
  }

  private Future<JsonObject> logout(JsonObject cmd) {
    Caller caller = Caller.of(cmd);
    return pool.withTransaction(tx -> Revocations.revokeOne(tx, caller.sessionId())).map(n -> {
      sessionCache.evictSession(caller.sessionId());
      return new JsonObject();
    });
  }

  // ---- links from mails ----------------------------------------------------------------------

  private Future<JsonObject> acceptInvitation(JsonObject cmd) {
    String token = cmd.getString("token");
    String password = cmd.getString("password");
    return linkUser(token, "INVITATION").compose(u -> {
      if (!"INVITED".equals(u.getString("status"))) {
        return Future.failedFuture(invalidLink());
      }
      return checkNewPassword(u, password)
          .compose(x -> passwords.hash(password))
          .compose(hash -> pool.withTransaction(tx -> tx.preparedQuery(SPEND_LINK).execute(Tuple.of(Tokens.hash(token)))
              .compose(spent -> spent.rowCount() == 0 ? Future.failedFuture(invalidLink())
                  : tx.preparedQuery(SET_PASSWORD).execute(Tuple.of(u.getUUID("id"), hash)))
              .compose(x -> Audit.record(tx, u.getUUID("organization_id"), u.getUUID("id"), Audit.INVITATION_ACCEPTED,
                  u.getUUID("id"), new JsonObject()))
              .compose(x -> mfaChallenge(tx, u.getUUID("id"), false))));
    });
  }

  /**
   * What the page behind an invitation or reset link shows before the password is sent: whether
   * the link is still good (else INVALID_TOKEN), the address it was sent to and the password rules
   * of its organization. Only the holder of a live link learns anything.
   */
  private Future<JsonObject> linkPolicy(JsonObject cmd) {
    String kind = "RESET".equals(cmd.getString("kind")) ? "RESET" : "INVITATION";
    return linkUser(cmd.getString("token"), kind).compose(u -> {
      String status = u.getString("status");
      if (kind.equals("INVITATION") ? !"INVITED".equals(status) : "DEACTIVATED".equals(status)) {
        return Future.failedFuture(invalidLink());
      }
      PasswordPolicy p = passwordPolicyOf(u);
      return Future.succeededFuture(new JsonObject().put("email", u.getString("email"))
          .put("minLength", p.minLength()).put("maxLength", io.roster.domain.Validation.PASSWORD_MAX)
          .put("requireUppercase", p.requireUppercase()).put("requireLowercase", p.requireLowercase())
          .put("requireDigit", p.requireDigit()).put("requireSymbol", p.requireSymbol()));
    });
  }

  /**
   * The link of a lock's notice (API.md 12.5): the lock ends now, audited USER_UNLOCKED by the
   * user. The link is good until the lock ends (its expiry) and once; an admin's unlock voids it.
   */
  private Future<JsonObject> unlock(JsonObject cmd) {
    String token = cmd.getString("token");
    return linkUser(token, "UNLOCK").compose(u -> {
      UUID id = u.getUUID("id");
      return lifecycle.run(ch -> ch.tx.preparedQuery(SPEND_LINK).execute(Tuple.of(Tokens.hash(token)))
              .compose(spent -> spent.rowCount() == 0 ? Future.failedFuture(invalidLink())
                  : lifecycle.unlock(ch, u.getUUID("organization_id"), id, id, new JsonObject().put("via", "link")))
              .compose(ended -> ended ? Future.succeededFuture(new JsonObject()) : Future.<JsonObject>failedFuture(invalidLink())))
          .onSuccess(x -> users.wake(id));
    });
  }

  /** The link mailed to a new address: the address applies, every session of the user ends. */
  private Future<JsonObject> verifyEmail(JsonObject cmd) {
    String token = cmd.getString("token");
    return linkUser(token, "EMAIL").compose(u -> {
      UUID id = u.getUUID("id");
      String next = u.getString("new_email");
      return lifecycle.run(ch -> ch.tx.preparedQuery(SPEND_LINK).execute(Tuple.of(Tokens.hash(token)))
          .compose(spent -> spent.rowCount() == 0 ? Future.failedFuture(invalidLink())
              : ch.tx.preparedQuery(APPLY_EMAIL).execute(Tuple.of(id, next))
                  .recover(err -> Future.failedFuture(Lifecycle.emailTaken(err))))
          .compose(applied -> applied.rowCount() == 0 ? Future.failedFuture(invalidLink()) : lifecycle.revokeSessions(ch, id))
          .compose(n -> Audit.record(ch.tx, u.getUUID("organization_id"), id, Audit.USER_UPDATED, id,
              new JsonObject().put("emailVerified", next).put("sessionsRevoked", n))))
          .map(new JsonObject());
    });
  }

  /**
   * Forgot-password answers no sooner than this after it started, known email or not: the known
   * account's link, mail and audit (started just before the answer) then finish while it waits, so
   * they show neither in its time nor in the next request's (TimingTest compares the medians).
   */
  private static final long FORGOT_FLOOR_MS = 25;

  private Future<JsonObject> forgotPassword(JsonObject cmd) {
    long started = System.currentTimeMillis();
    return requestReset(cmd.getString("email")).compose(answer -> {
      long wait = started + FORGOT_FLOOR_MS - System.currentTimeMillis();
      return wait <= 0 ? Future.succeededFuture(answer) : vertx.timer(wait).map(answer);
    });
  }

  private Future<JsonObject> requestReset(String email) {
    JsonObject accepted = new JsonObject().put("message", "If an account exists for this email, a reset link is on its way.");
    // One statement on the request path for every email, known or not; the link, the mail and the
    // audit event of a known account are written just after the answer.
    return pool.preparedQuery(ACTIVE_BY_EMAIL).execute(Tuple.of(email)).map(rows -> {
      if (rows.size() == 0 || !"ACTIVE".equals(rows.iterator().next().getString("status"))) {
        return accepted;
      }
      Row u = rows.iterator().next();
      // Started, not awaited: the answer below does not wait for it.
      lifecycle.run(ch -> lifecycle.requestPasswordReset(ch, u.getUUID("id"), email, u.getString("first_name"))
              .compose(sent -> Audit.record(ch.tx, u.getUUID("organization_id"), null, Audit.PASSWORD_RESET_REQUESTED,
                  u.getUUID("id"), sent ? new JsonObject() : new JsonObject().put("mailed", false).put("reason", "MAIL_BUDGET"))))
          .onFailure(err -> LOG.warn("A requested reset link could not be made: {}", err.toString()));
      return accepted;
    });
  }

  private Future<JsonObject> resetPassword(JsonObject cmd) {
    String token = cmd.getString("token");
    String password = cmd.getString("password");
    return linkUser(token, "RESET").compose(u -> {
      if ("DEACTIVATED".equals(u.getString("status"))) {
        return Future.failedFuture(invalidLink());
      }
      UUID id = u.getUUID("id");
      return checkNewPassword(u, password)
          .compose(x -> passwords.hash(password))
          .compose(hash -> lifecycle.run(ch -> ch.tx.preparedQuery(SPEND_LINK).execute(Tuple.of(Tokens.hash(token)))
              .compose(spent -> spent.rowCount() == 0 ? Future.failedFuture(invalidLink())
                  : ch.tx.preparedQuery(SET_PASSWORD_CLEAR_LOCK).execute(Tuple.of(id, hash)))
              .compose(x -> lifecycle.revokeSessions(ch, id))
              .compose(x -> Audit.record(ch.tx, u.getUUID("organization_id"), id, Audit.PASSWORD_CHANGED, id,
                  new JsonObject().put("via", "reset")))))
          .map(x -> new JsonObject());
    });
  }

  /** The signed-in user changes their password: the current one is checked like a login attempt. */
  private Future<JsonObject> changePassword(JsonObject cmd) {
    Caller caller = Caller.of(cmd);
    UUID id = caller.userId();
    String current = cmd.getString("currentPassword");
    String next = cmd.getString("newPassword");
    return pool.preparedQuery(BY_ID).execute(Tuple.of(id)).compose(rows -> {
      if (rows.size() == 0) {
        // Deleted while the request was on its way: the caller is nobody now.
        return Future.failedFuture(new ApiException(ErrorCode.UNAUTHENTICATED, "A valid access token is required"));
      }
      Row u = rows.iterator().next();
      LoginGuard.Policy policy = policyOf(u);
      return users.reserve(id, policy, false)
          .compose(lease -> checkPassword(id, caller.organizationId(), policy, lease, current, u.getString("password_hash"),
              ApiException.invalid("currentPassword", "is not correct")))
          .compose(x -> checkNewPassword(u, next))
          .compose(x -> passwords.hash(next))
          .compose(hash -> lifecycle.run(ch -> ch.tx.preparedQuery(SET_PASSWORD).execute(Tuple.of(id, hash))
              .compose(x -> {
                ch.evict(id);
                return Revocations.revokeOthers(ch.tx, id, caller.sessionId());
              })
              .compose(n -> Audit.record(ch.tx, caller.organizationId(), id, Audit.PASSWORD_CHANGED, id,
                  new JsonObject().put("via", "self").put("sessionsRevoked", n)))))
          .map(x -> new JsonObject());
    });
  }

  private Future<Row> linkUser(String token, String kind) {
    if (!Tokens.wellFormed(token)) {
      return Future.failedFuture(invalidLink());
    }
    return pool.preparedQuery(BY_LINK).execute(Tuple.of(Tokens.hash(token), kind))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(invalidLink()) : Future.succeededFuture(rows.iterator().next()));
  }

  /**
   * A password about to be set for the user of row u (its id and its organization's policy): the
   * policy's rules, the common-password list, then (only if those pass, since it costs a hash
   * per password remembered) the user's history.
   */
  private Future<Void> checkNewPassword(Row u, String password) {
    return checkPolicy(u, password)
        .compose(x -> PasswordHistory.check(pool, passwords, u.getUUID("id"), u.getInteger("password_history"), password));
  }

  /** PASSWORD_POLICY with one error per broken rule, in the organization's policy. */
  public static Future<Void> checkPolicy(Row policyRow, String password) {
    PasswordPolicy policy = passwordPolicyOf(policyRow);
    List<String> broken = policy.violations(password, policyRow.getString("email"));
    if (broken.isEmpty()) {
      return Future.succeededFuture();
    }
    JsonArray errors = new JsonArray();
    broken.forEach(rule -> errors.add(ApiException.fieldError("password", rule)));
    return Future.failedFuture(new ApiException(ErrorCode.PASSWORD_POLICY,
        "The password breaks these rules: " + String.join(", ", broken),
        new JsonObject().put("errors", errors).put("rules", new JsonArray(broken))));
  }

  static PasswordPolicy passwordPolicyOf(Row r) {
    return new PasswordPolicy(r.getInteger("min_length"), r.getBoolean("require_uppercase"),
        r.getBoolean("require_lowercase"), r.getBoolean("require_digit"), r.getBoolean("require_symbol"),
        r.getInteger("max_failed_attempts"), Duration.ofSeconds(r.getLong("lockout_seconds")), r.getBoolean("reveal_lockout"),
        r.getBoolean("notify_on_lockout"), r.getInteger("password_history"), r.getBoolean("reject_common_passwords"));
  }

  static LoginGuard.Policy policyOf(Row r) {
    return new LoginGuard.Policy(r.getInteger("max_failed_attempts"), r.getLong("lockout_seconds"), r.getBoolean("reveal_lockout"));
  }

  /** The client address the HTTP layer put in a sign-in command (API.md 12.4). */
  private static Optional<InetAddress> client(JsonObject cmd) {
    return io.roster.domain.Cidr.literal(cmd.getString("clientIp"));
  }

  private static ApiException invalidMfaToken() {
    return new ApiException(ErrorCode.INVALID_TOKEN_AUTH, "The MFA token is unknown, used or expired; sign in again");
  }

  private static ApiException invalidRefresh() {
    return new ApiException(ErrorCode.INVALID_TOKEN_AUTH, "The refresh token is unknown, spent or expired");
  }

  private static ApiException invalidLink() {
    return new ApiException(ErrorCode.INVALID_TOKEN, "The link is unknown, used or expired");
  }
}
