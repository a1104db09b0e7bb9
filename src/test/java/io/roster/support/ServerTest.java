package io.roster.support;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** A test class with one real Roster of its own (fresh database, GreenMail), started once for its tests. */
public abstract class ServerTest {
  protected static TestServer server;
  protected static Http http;
  protected static Journeys journeys;

  @BeforeAll
  static void startServer() {
    server = TestServer.start();
    http = server.http;
    journeys = new Journeys(server);
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }
}
