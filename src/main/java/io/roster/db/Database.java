package io.roster.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.vertx.pgclient.PgConnectOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the data lives: the PostgreSQL named by DATABASE_URL, or an embedded one kept under
 * ./data. Blocking (process start, JDBC migration): call it from main or a worker, never an event loop.
 */
public final class Database implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  private final PgConnectOptions options;
  private final EmbeddedPostgres embedded;

  private Database(PgConnectOptions options, EmbeddedPostgres embedded) {
    this.options = options;
    this.embedded = embedded;
  }

  /** Connects to the URL, or starts the embedded server under dataDir when the URL is null or blank. */
  public static Database open(String url, Path dataDir) throws IOException {
    if (url != null && !url.isBlank()) {
      return new Database(PgConnectOptions.fromUri(url), null);
    }
    Path dir = dataDir.resolve("pg");
    Files.createDirectories(dir);
    LOG.info("DATABASE_URL is unset: starting an embedded PostgreSQL in {}", dir.toAbsolutePath());
    EmbeddedPostgres pg = EmbeddedPostgres.builder()
        .setDataDirectory(dir)
        .setCleanDataDirectory(false)
        .start();
    PgConnectOptions opts = new PgConnectOptions()
        .setHost("127.0.0.1").setPort(pg.getPort())
        .setDatabase("postgres").setUser("postgres").setPassword("postgres");
    return new Database(opts, pg);
  }

  public PgConnectOptions connectOptions() {
    return new PgConnectOptions(options);
  }

  /** Applies the Flyway migrations; Flyway's own lock makes replicas that start together migrate once. */
  public void migrate() {
    Flyway.configure()
        .dataSource(jdbcUrl(options), options.getUser(), options.getPassword())
        .locations("classpath:db/migration")
        .load()
        .migrate();
  }

  public static String jdbcUrl(PgConnectOptions o) {
    return "jdbc:postgresql://" + o.getHost() + ":" + o.getPort() + "/" + o.getDatabase();
  }

  @Override
  public void close() throws IOException {
    if (embedded != null) {
      embedded.close();
    }
  }
}
