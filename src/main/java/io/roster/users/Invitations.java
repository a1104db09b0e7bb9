package io.roster.users;

import io.roster.audit.Audit;
import io.roster.common.ApiException;
import io.roster.common.ErrorCode;
import io.roster.domain.Role;
import io.roster.domain.Tokens;
import io.roster.mail.Mail;
import io.roster.mail.Outbox;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * Creating an invited user and (re)sending invitation links: shared by support, admins, import
 * and SCIM. Every method runs on the caller's transaction.
 */
public final class Invitations {
  private static final String INSERT_USER = """
      INSERT INTO users AS u (id, organization_id, email, first_name, last_name, role, root_admin, status, groups)
      VALUES ($1, $2, $3, $4, $5, $6, $7, 'INVITED', $8)
      RETURNING\s""" + UserRows.COLUMNS;
  private static final String VOID_LINKS =
      "UPDATE action_tokens SET used_at = now() WHERE user_id = $1 AND kind = $2 AND used_at IS NULL";
  private static final String INSERT_TOKEN = """
      INSERT INTO action_tokens (token_hash, user_id, kind, expires_at)
      VALUES ($1, $2, $3, now() + make_interval(secs => $4))""";
  private static final String ORG_NAME = "SELECT name FROM organizations WHERE id = $1";

  private final String baseUrl;
  private final Duration invitationTtl;
  private final Duration resetTtl;

  public Invitations(String baseUrl, Duration invitationTtl, Duration resetTtl) {
    this.baseUrl = baseUrl;
    this.invitationTtl = invitationTtl;
    this.resetTtl = resetTtl;
  }

  public record NewUser(String email, String firstName, String lastName, Role role, List<String> groups) {}

  /** A user just invited, and the link token its mail carries (only the bootstrap ever shows it). */
  public record Invited(JsonObject user, String token) {}

  /** Inserts an INVITED user, queues the invitation mail and records USER_CREATED and INVITATION_SENT. */
  public Future<Invited> create(SqlConnection tx, UUID org, NewUser u, boolean rootAdmin, UUID actor) {
    UUID id = UUID.randomUUID();
    Tuple params = Tuple.of(id, org, u.email(), u.firstName(), u.lastName(), u.role().name(), rootAdmin)
        .addArrayOfString(u.groups().toArray(new String[0]));
    return tx.preparedQuery(INSERT_USER).execute(params)
        .recover(err -> Future.failedFuture(uniqueViolation(err)
            ? new ApiException(ErrorCode.EMAIL_TAKEN, "An account with this email already exists") : err))
        .map(rows -> UserRows.toJson(rows.iterator().next()))
        .compose(user -> Audit.record(tx, org, actor, Audit.USER_CREATED, id,
                new JsonObject().put("email", u.email()).put("role", u.role().name()))
            .compose(x -> sendInvitation(tx, org, id, u.email(), u.firstName(), actor))
            .map(token -> new Invited(user, token)));
  }

  /** Voids earlier invitation links, makes a new one and queues its mail; answers the new token. */
  public Future<String> sendInvitation(SqlConnection tx, UUID org, UUID userId, String email, String firstName, UUID actor) {
    String token = Tokens.random();
    return tx.preparedQuery(VOID_LINKS).execute(Tuple.of(userId, "INVITATION"))
        .compose(x -> tx.preparedQuery(INSERT_TOKEN).execute(
            Tuple.of(Tokens.hash(token), userId, "INVITATION", (double) invitationTtl.toSeconds())))
        .compose(x -> tx.preparedQuery(ORG_NAME).execute(Tuple.of(org)))
        .compose(rows -> {
          Row row = rows.iterator().next();
          return Outbox.enqueue(tx, Mail.invitation(baseUrl, email, firstName, row.getString("name"), token));
        })
        .compose(x -> Audit.record(tx, org, actor, Audit.INVITATION_SENT, userId, new JsonObject().put("email", email)))
        .map(token);
  }

  /** Voids earlier reset links, makes a new one and queues its mail. */
  public Future<Void> sendPasswordReset(SqlConnection tx, UUID userId, String email, String firstName) {
    String token = Tokens.random();
    return tx.preparedQuery(VOID_LINKS).execute(Tuple.of(userId, "RESET"))
        .compose(x -> tx.preparedQuery(INSERT_TOKEN).execute(
            Tuple.of(Tokens.hash(token), userId, "RESET", (double) resetTtl.toSeconds())))
        .compose(x -> Outbox.enqueue(tx, Mail.passwordReset(baseUrl, email, firstName, token)));
  }

  public static boolean uniqueViolation(Throwable err) {
    return err instanceof PgException pg && "23505".equals(pg.getSqlState()) && "users_email_key".equals(pg.getConstraint());
  }
}
