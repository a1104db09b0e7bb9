package io.roster.imports;

import io.roster.audit.Audit;
import io.roster.common.ApiException;
import io.roster.common.ErrorCode;
import io.roster.common.Caller;
import io.roster.common.CommandVerticle;
import io.roster.lifecycle.Lifecycle;
import io.roster.lifecycle.NewUser;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bulk import (API.md section 7). Runs as a worker verticle: parsing 100,000 rows is CPU work
 * that must not sit on an event loop. The body is read twice, streaming: once to check its
 * format and count its rows (so a bad or oversized body changes nothing), then in batches of
 * {@link #BATCH} rows, each batch one transaction of {@link Lifecycle#invite}: users, invitation
 * links, outbox mails and audit events are written together or not at all, with set-based statements.
 */
public final class ImportVerticle extends CommandVerticle {
  static final int BATCH = 1_000;
  private static final Logger LOG = LoggerFactory.getLogger(ImportVerticle.class);

  private static final String EXISTING = "SELECT email FROM users WHERE email = ANY($1::text[])";
  private final Pool pool;
  private final Lifecycle lifecycle;

  public ImportVerticle(Pool pool, Lifecycle lifecycle) {
    this.pool = pool;
    this.lifecycle = lifecycle;
  }

  @Override
  protected String address() {
    return ImportCommands.ADDRESS;
  }

  /** 100,000 rows take seconds to minutes; each batch is its own transaction. */
  @Override
  protected long deadlineMs(String action) {
    return 10 * 60_000;
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
    return nextBatch(run).recover(err -> Future.failedFuture(stopped(run, err)))
        .compose(x -> run.dryRun || run.created + run.duplicates + run.invalid == 0 ? Future.succeededFuture()
            : Audit.record(pool, run.caller.organizationId(), run.caller.userId(), "USERS_IMPORTED", null,
                new JsonObject().put("created", run.created).put("duplicates", run.duplicates).put("invalid", run.invalid)))
        .map(x -> new JsonObject().put("created", run.created).put("duplicates", run.duplicates)
              .put("invalid", run.invalid).put("rows", run.report))
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

  /** One transaction: the users that could be inserted, each invited as every other path invites. */
  private Future<Set<String>> create(Run run, List<ImportRow> rows) {
    List<NewUser> users = rows.stream()
        .map(r -> new NewUser(r.email(), r.firstName(), r.lastName(), r.role(), r.groups())).toList();
    return lifecycle.run(ch -> lifecycle.invite(ch, run.caller.organizationId(), users, run.caller.userId(), "import"))
        .map(invited -> {
          Set<String> done = new HashSet<>();
          invited.forEach(i -> done.add(i.user().getString("email")));
          return done;
        });
  }
}
