package io.roster.imports;

import io.roster.audit.Audit;
import io.roster.common.ApiException;
import io.roster.common.ErrorCode;
import io.roster.common.Caller;
import io.roster.common.CommandVerticle;
import io.roster.domain.Tokens;
import io.roster.mail.Mail;
import io.roster.mail.Outbox;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bulk import (API.md section 7). Runs as a worker verticle: parsing 100,000 rows is CPU work
 * that must not sit on an event loop. The body is read twice, streaming: once to check its
 * format and count its rows (so a bad or oversized body changes nothing), then in batches of
 * {@link #BATCH} rows, each batch one transaction: users, invitation links, outbox mails and
 * audit events are written together or not at all, with set-based statements.
 */
public final class ImportVerticle extends CommandVerticle {
  static final int BATCH = 1_000;
  private static final Logger LOG = LoggerFactory.getLogger(ImportVerticle.class);
  private static final char GROUP_SEPARATOR = '\u001f';

  private static final String EXISTING = "SELECT email FROM users WHERE email = ANY($1::text[])";
  private static final String ORG_NAME = "SELECT name FROM organizations WHERE id = $1";
  // ON CONFLICT keeps a concurrent create from failing the whole batch: that row is a duplicate.
  private static final String INSERT_USERS = """
      INSERT INTO users (id, organization_id, email, first_name, last_name, role, status, groups)
      SELECT t.id, $1, t.email, t.first_name, t.last_name, t.role, 'INVITED',
             CASE WHEN t.groups = '' THEN '{}'::text[] ELSE string_to_array(t.groups, chr(31)) END
      FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
           AS t(id, email, first_name, last_name, role, groups)
      ON CONFLICT (email) DO NOTHING
      RETURNING id, email""";
  private static final String INSERT_LINKS = """
      INSERT INTO action_tokens (token_hash, user_id, kind, expires_at)
      SELECT t.hash, t.user_id, 'INVITATION', now() + make_interval(secs => $3)
      FROM unnest($1::bytea[], $2::uuid[]) AS t(hash, user_id)""";
  private static final String INSERT_MAILS = """
      INSERT INTO mail_outbox (recipient, subject, text_body, html_body)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])""";
  private static final String INSERT_AUDIT = """
      INSERT INTO audit_events (id, organization_id, actor_id, action, target_user_id, details)
      SELECT gen_random_uuid(), $1, $2, a.action, t.user_id, jsonb_build_object('email', t.email, 'via', 'import')
      FROM unnest($3::uuid[], $4::text[]) AS t(user_id, email)
      CROSS JOIN (VALUES (1, 'USER_CREATED'), (2, 'INVITATION_SENT')) AS a(n, action)
      ORDER BY t.user_id, a.n""";

  private final Pool pool;
  private final String baseUrl;
  private final Duration invitationTtl;

  public ImportVerticle(Pool pool, String baseUrl, Duration invitationTtl) {
    this.pool = pool;
    this.baseUrl = baseUrl;
    this.invitationTtl = invitationTtl;
  }

  @Override
  protected String address() {
    return ImportCommands.ADDRESS;
  }

  @Override
  protected Map<String, Function<JsonObject, Future<JsonObject>>> handlers() {
    return Map.of(ImportCommands.IMPORT, this::importUsers);
  }

  /** Everything one import carries from batch to batch. */
  private static final class Run {
    final Caller caller;
    final boolean dryRun;
    final ImportSource source;
    final Set<String> seen = new HashSet<>();
    final JsonArray report = new JsonArray();
    String orgName;
    int created;
    int duplicates;
    int invalid;

    Run(Caller caller, boolean dryRun, ImportSource source) {
      this.caller = caller;
      this.dryRun = dryRun;
      this.source = source;
    }
  }

  private Future<JsonObject> importUsers(JsonObject cmd) {
    String format = cmd.getString("format");
    String body = cmd.getString("body");
    ImportSource.count(format, body);
    Run run = new Run(Caller.of(cmd), cmd.getBoolean("dryRun", false), ImportSource.open(format, body));
    return pool.preparedQuery(ORG_NAME).execute(Tuple.of(run.caller.organizationId()))
        .compose(rows -> {
          run.orgName = rows.iterator().next().getString("name");
          return nextBatch(run).recover(err -> Future.failedFuture(stopped(run, err)));
        })
        .compose(x -> run.dryRun || run.created + run.duplicates + run.invalid == 0 ? Future.succeededFuture()
            : Audit.record(pool, run.caller.organizationId(), run.caller.userId(), "USERS_IMPORTED", null,
                new JsonObject().put("created", run.created).put("duplicates", run.duplicates).put("invalid", run.invalid)))
        .map(x -> {
          if (run.created > 0) {
            Outbox.wakeUp(vertx);
          }
          return new JsonObject().put("created", run.created).put("duplicates", run.duplicates)
              .put("invalid", run.invalid).put("rows", run.report);
        })
        .onComplete(ar -> {
          try {
            run.source.close();
          } catch (IOException ignored) {
            // a string reader
          }
        });
  }

  /**
   * A batch that could not be written (the database went away, say) ends the import. Earlier
   * batches are committed and listed; this one and the rest are not written at all, so running
   * the same import again is safe: what was created comes back as DUPLICATE.
   */
  private static Throwable stopped(Run run, Throwable err) {
    if (err instanceof ApiException) {
      return err;
    }
    LOG.error("Import stopped after {} committed rows", run.report.size(), err);
    return new ApiException(ErrorCode.OVERLOADED, "The import stopped after " + run.report.size()
        + " rows; those listed in the report are committed, the rest were not written. Sending the same import again is safe.",
        new JsonObject().put("retryAfter", 5).put("created", run.created).put("duplicates", run.duplicates)
            .put("invalid", run.invalid).put("rows", run.report));
  }

  private Future<Void> nextBatch(Run run) {
    List<ImportRow> batch = new ArrayList<>(BATCH);
    try {
      ImportRow row;
      while (batch.size() < BATCH && (row = run.source.next()) != null) {
        batch.add(row);
      }
    } catch (IOException e) {
      return Future.failedFuture(ImportSource.notOfFormat("csv", e));
    }
    if (batch.isEmpty()) {
      return Future.succeededFuture();
    }
    return process(run, batch).compose(x -> nextBatch(run));
  }

  /** Sorts a batch into invalid rows, duplicates within the file, and candidates for the database. */
  private Future<Void> process(Run run, List<ImportRow> batch) {
    Map<ImportRow, String> result = new HashMap<>();
    List<ImportRow> candidates = new ArrayList<>();
    for (ImportRow r : batch) {
      if (!r.valid()) {
        result.put(r, "INVALID");
      } else if (!run.seen.add(r.email())) {
        result.put(r, "DUPLICATE");
      } else {
        candidates.add(r);
      }
    }
    Future<Set<String>> createdEmails = candidates.isEmpty() ? Future.succeededFuture(Set.of())
        : run.dryRun ? wouldCreate(candidates) : create(run, candidates);
    return createdEmails.map(emails -> {
      for (ImportRow r : candidates) {
        result.put(r, emails.contains(r.email()) ? "CREATED" : "DUPLICATE");
      }
      for (ImportRow r : batch) {
        String outcome = result.get(r);
        switch (outcome) {
          case "CREATED" -> run.created++;
          case "DUPLICATE" -> run.duplicates++;
          default -> run.invalid++;
        }
        run.report.add(r.report(outcome));
      }
      return null;
    });
  }

  /** Dry run: the rows whose email no account has yet (in any organization). */
  private Future<Set<String>> wouldCreate(List<ImportRow> rows) {
    String[] emails = rows.stream().map(ImportRow::email).toArray(String[]::new);
    return pool.preparedQuery(EXISTING).execute(Tuple.of(emails)).map(existing -> {
      Set<String> taken = new HashSet<>();
      existing.forEach(r -> taken.add(r.getString("email")));
      Set<String> fresh = new HashSet<>();
      for (String e : emails) {
        if (!taken.contains(e)) {
          fresh.add(e);
        }
      }
      return fresh;
    });
  }

  /** One transaction: the users that could be inserted, and for each its link, mail and audit events. */
  private Future<Set<String>> create(Run run, List<ImportRow> rows) {
    int n = rows.size();
    UUID[] ids = new UUID[n];
    String[] emails = new String[n];
    String[] firsts = new String[n];
    String[] lasts = new String[n];
    String[] roles = new String[n];
    String[] groups = new String[n];
    Map<String, ImportRow> byEmail = new HashMap<>();
    for (int i = 0; i < n; i++) {
      ImportRow r = rows.get(i);
      ids[i] = UUID.randomUUID();
      emails[i] = r.email();
      firsts[i] = r.firstName();
      lasts[i] = r.lastName();
      roles[i] = r.role().name();
      groups[i] = String.join(String.valueOf(GROUP_SEPARATOR), r.groups());
      byEmail.put(r.email(), r);
    }
    UUID org = run.caller.organizationId();
    return pool.withTransaction(tx -> tx.preparedQuery(INSERT_USERS)
        .execute(Tuple.of(org, ids, emails, firsts, lasts, roles).addArrayOfString(groups))
        .compose(inserted -> {
          List<Row> made = new ArrayList<>();
          inserted.forEach(made::add);
          return invite(tx, run, made, byEmail).map(x -> {
            Set<String> done = new HashSet<>();
            made.forEach(r -> done.add(r.getString("email")));
            return done;
          });
        }));
  }

  private Future<Void> invite(SqlConnection tx, Run run, List<Row> made, Map<String, ImportRow> byEmail) {
    if (made.isEmpty()) {
      return Future.succeededFuture();
    }
    int n = made.size();
    byte[][] hashes = new byte[n][];
    UUID[] userIds = new UUID[n];
    String[] to = new String[n];
    String[] subjects = new String[n];
    String[] texts = new String[n];
    String[] htmls = new String[n];
    for (int i = 0; i < n; i++) {
      Row r = made.get(i);
      String token = Tokens.random();
      hashes[i] = Tokens.hash(token);
      userIds[i] = r.getUUID("id");
      to[i] = r.getString("email");
      Mail mail = Mail.invitation(baseUrl, to[i], byEmail.get(to[i]).firstName(), run.orgName, token);
      subjects[i] = mail.subject();
      texts[i] = mail.text();
      htmls[i] = mail.html();
    }
    io.vertx.core.buffer.Buffer[] buffers = new io.vertx.core.buffer.Buffer[n];
    for (int i = 0; i < n; i++) {
      buffers[i] = io.vertx.core.buffer.Buffer.buffer(hashes[i]);
    }
    return tx.preparedQuery(INSERT_LINKS).execute(Tuple.of(buffers, userIds, (double) invitationTtl.toSeconds()))
        .compose(x -> tx.preparedQuery(INSERT_MAILS).execute(Tuple.of(to, subjects, texts, htmls)))
        .compose(x -> tx.preparedQuery(INSERT_AUDIT).execute(Tuple.of(run.caller.organizationId(), run.caller.userId(), userIds, to)))
        .mapEmpty();
  }
}
