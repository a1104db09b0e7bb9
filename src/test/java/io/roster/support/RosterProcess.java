package io.roster.support;

import com.icegreen.greenmail.util.GreenMail;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Roster's Main in a JVM of its own (for what is per process: signals, the log format, tracing),
 * configured through its environment, its output in a file under target/, on free ports.
 */
public final class RosterProcess {
  public final Process process;
  public final TestServer server;
  public final Path log;
  /** The API port. */
  public final int port;

  private RosterProcess(Process process, TestServer server, Path log, int port) {
    this.process = process;
    this.server = server;
    this.log = log;
    this.port = port;
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Starts Main with the test configuration plus extra, on a fresh database; waits until it is ready. */
  public static RosterProcess start(GreenMail smtp, JsonObject extra, String logName) throws IOException {
    return start(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), "io.roster.Main"), smtp, extra, logName);
  }

  /** Starts command (which runs Roster: this JVM's classes, or an image) configured as start(smtp, extra, logName) does. */
  public static RosterProcess start(List<String> command, GreenMail smtp, JsonObject extra, String logName) throws IOException {
    String db = TestDatabase.fresh();
    int port = freePort();
    int management = freePort();
    JsonObject conf = TestServer.config(db, smtp.getSmtp().getPort()).put("HTTP_PORT", port).put("MANAGEMENT_PORT", management)
        .mergeIn(extra);
    Path log = Files.createDirectories(Path.of("target")).resolve(logName);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).directory(new File("."));
    Map<String, String> env = pb.environment();
    conf.forEach(e -> env.put(e.getKey(), String.valueOf(e.getValue())));
    RosterProcess p = new RosterProcess(pb.start(), TestServer.external(smtp, db, port, management), log, port);
    p.awaitReady();
    return p;
  }

  private void awaitReady() {
    long deadline = System.currentTimeMillis() + 60_000;
    while (!server.awaitReady(true, 1_000)) {
      if (!process.isAlive()) {
        throw new AssertionError("Roster exited with " + process.exitValue() + " before it was ready; see " + log);
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("Roster did not become ready; see " + log);
      }
    }
  }
}
