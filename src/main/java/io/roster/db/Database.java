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

  private final Servers servers;
  private final EmbeddedPostgres embedded;

  private Database(Servers servers, EmbeddedPostgres embedded) {
    this.servers = servers;
    this.embedded = embedded;
  }

  /** Connects to the URL, or starts the embedded server under dataDir when the URL is null or blank. */
  public static Database open(String url, Path dataDir) throws IOException {
    if (url != null && !url.isBlank()) {
      return new Database(Servers.parse(url), null);
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
    return new Database(Servers.of(opts), pg);
  }

  /** The server or servers (a primary and its standbys) to connect to; see {@link Servers}. */
  public Servers servers() {
    return servers;
  }

  /** The first server's options: user, password and database, the same for every server. */
  public PgConnectOptions connectOptions() {
    return servers.first();
  }

  /** Applies the Flyway migrations; Flyway's own lock makes replicas that start together migrate once. */
  public void migrate() {
    Flyway.configure()
        .dataSource(jdbcUrl(), connectOptions().getUser(), connectOptions().getPassword())
        .locations("classpath:db/migration")
        .load()
        .migrate();
  }

  /** A JDBC URL naming every server (pgjdbc then connects to the primary), for Flyway and tools. */
  public String jdbcUrl() {
    return servers.jdbcUrl();
  }

  @Override
  public void close() throws IOException {
    if (embedded != null) {
      embedded.close();
    }
  }
}
