package io.roster.defects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.roster.support.Http;
import io.roster.support.Journeys;
import io.roster.support.Journeys.Person;
import io.roster.support.RosterProcess;
import io.roster.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 7 item 1: SIGTERM to a real Roster process (the classes Main runs, its own JVM) while a
 * login's body is half sent and an import is running. Both complete normally, readiness is 503
 * meanwhile, the process exits 0 and the port is closed; a second SIGTERM changes nothing.
 */
class ShutdownTest {

  @Test
  void sigtermFinishesWhatWasReceivedThenExitsZero() throws Exception {
    GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
    smtp.start();
    RosterProcess started = RosterProcess.start(smtp, new JsonObject(), "shutdown-test.log");
    Process roster = started.process;
    TestServer server = started.server;
    int port = started.port;
    Path log = started.log;
    try {
      Journeys journeys = new Journeys(server);
      Person admin = journeys.newOrgWithRootAdmin("Shutdown Ltd");

      // An import big enough to be running at the moment of SIGTERM.
      StringBuilder csv = new StringBuilder("email,firstName,lastName,role\n");
      for (int i = 0; i < 20_000; i++) {
        csv.append("drain").append(i).append("@example.test,D,R,USER\n");
      }
      CompletableFuture<Http.Response> running = server.http.post("/api/v1/users/import").bearer(admin.accessToken())
          .raw(csv.toString(), "text/csv").sendAsync();
      long deadline = System.currentTimeMillis() + 20_000;
      while (server.count("SELECT count(*) FROM users WHERE email LIKE 'drain%'") == 0 && System.currentTimeMillis() < deadline) {
        TestServer.sleep(20);
      }

      // A login whose headers are in and whose body is half sent.
      String body = new JsonObject().put("email", admin.email()).put("password", "Wrong-Password-1!").encode();
      try (Socket half = new Socket("127.0.0.1", port)) {
        half.setSoTimeout(30_000);
        OutputStream out = half.getOutputStream();
        out.write(("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
            + body.length() + "\r\n\r\n" + body.substring(0, 10)).getBytes(StandardCharsets.UTF_8));
        out.flush();
        TestServer.sleep(200);

        roster.destroy(); // SIGTERM
        TestServer.sleep(300);
        Http.Response ready = server.management.get("/health/ready").send();
        assertThat(ready.status()).as("readiness while draining: " + ready).isEqualTo(503);
        roster.destroy(); // a second SIGTERM is harmless

        out.write(body.substring(10).getBytes(StandardCharsets.UTF_8));
        out.flush();
        String answer = read(half.getInputStream());
        assertThat(answer).as(answer).startsWith("HTTP/1.1 401 ").contains("INVALID_CREDENTIALS");
      }

      Http.Response imported = running.get(60, TimeUnit.SECONDS);
      assertThat(imported.status()).as(imported.body().substring(0, Math.min(300, imported.body().length()))).isEqualTo(200);
      assertThat(imported.json().getInteger("created")).isEqualTo(20_000);
      assertThat(roster.waitFor(60, TimeUnit.SECONDS)).as("exited").isTrue();
      assertThat(roster.exitValue()).isZero();
      assertThat(server.count("SELECT count(*) FROM users WHERE email LIKE 'drain%'")).isEqualTo(20_000);
      assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(java.net.ConnectException.class);
      String output = Files.readString(log);
      assertThat(output.split("Stopping: ", -1)).as("stopping is logged once").hasSize(2);
      assertThat(output).contains("Stopped").doesNotContain("ClosedConnectionException");
    } finally {
      roster.destroyForcibly();
      smtp.stop();
    }
  }

  private static String read(InputStream in) throws Exception {
    StringBuilder out = new StringBuilder();
    byte[] buf = new byte[4096];
    int n;
    while ((n = in.read(buf)) >= 0) {
      out.append(new String(buf, 0, n, StandardCharsets.UTF_8));
      if (out.indexOf("\r\n\r\n") > 0 && out.toString().contains("\"code\"")) {
        break;
      }
    }
    return out.toString();
  }
}
