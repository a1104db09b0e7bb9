package io.roster.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The tests' PostgreSQL: TEST_DATABASE_URL when set, else one embedded server for the whole run.
 * Every test class gets a fresh database of its own. Never skips: no database is a failure.
 */
public final class TestDatabase {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static String adminUrl;

  private TestDatabase() {}

  /** A postgresql:// URL of a new, empty database. */
  public static synchronized String fresh() {
    try {
      String admin = adminUrl();
      String name = "roster_test_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
      URI uri = URI.create(admin);
      String[] userInfo = uri.getUserInfo().split(":", 2);
      String jdbc = "jdbc:postgresql://" + uri.getHost() + ":" + uri.getPort() + uri.getPath();
      try (Connection c = DriverManager.getConnection(jdbc, userInfo[0], userInfo[1]);
           Statement s = c.createStatement()) {
        s.execute("DROP DATABASE IF EXISTS " + name);
        s.execute("CREATE DATABASE " + name);
      }
      return "postgresql://" + uri.getUserInfo() + "@" + uri.getHost() + ":" + uri.getPort() + "/" + name;
    } catch (Exception e) {
      throw new IllegalStateException("No PostgreSQL for the tests (embedded start failed and TEST_DATABASE_URL is unset)", e);
    }
  }

  private static String adminUrl() throws Exception {
    if (adminUrl != null) {
      return adminUrl;
    }
    String external = System.getenv("TEST_DATABASE_URL");
    if (external != null && !external.isBlank()) {
      adminUrl = external;
      return adminUrl;
    }
    EmbeddedPostgres pg = EmbeddedPostgres.builder()
        .setDataDirectory(Files.createTempDirectory("roster-test-pg"))
        .setCleanDataDirectory(true)
        .setServerConfig("max_connections", "300")
        .setServerConfig("fsync", "off")
        .setServerConfig("synchronous_commit", "off")
        .start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        pg.close();
      } catch (Exception ignored) {
        // the JVM is going away
      }
    }));
    adminUrl = "postgresql://postgres:postgres@127.0.0.1:" + pg.getPort() + "/postgres";
    return adminUrl;
  }
}
