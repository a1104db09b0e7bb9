package io.roster.defects;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.roster.support.Http;
import io.roster.support.Journeys;
import io.roster.support.Journeys.Person;
import io.roster.support.RosterProcess;
import io.roster.support.TestServer;
import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 item 5: LOG_FORMAT=json and OpenTelemetry traces to an OTLP endpoint (Roster in its own
 * JVM, so both are its own; the endpoint is an HTTP server in this test). A full journey
 * (invitation, TOTP enrolment, sign-in, refresh, a wrong password, forgot and reset password, a
 * page with a token in its link, user management, sign-out) logs one JSON object a line with
 * logstash's field names, request lines carry request_id, organization_id and user_id, and no
 * line holds any password, token, link token, TOTP secret or key the journey used; the traces hold
 * HTTP, event-bus and SQL spans and none of those secrets either. The metrics
 * name routes by template.
 */
class TelemetryTest {

  @Test
  void logsAndTracesOfAFullJourneyHoldNoSecret() throws Exception {
    // The OTLP endpoint: an HTTP server that keeps what it is sent (OTLP protobuf: the strings are in it as they are).
    ByteArrayOutputStream traces = new ByteArrayOutputStream();
    HttpServer otlp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    otlp.createContext("/v1/traces", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      synchronized (traces) {
        traces.write(body);
      }
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    otlp.start();
    GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
    smtp.start();
    List<String> secrets = new ArrayList<>(List.of(Journeys.PASSWORD, TestServer.SUPPORT_KEY, TestServer.ENCRYPTION_KEY));
    RosterProcess roster = RosterProcess.start(smtp, new JsonObject().put("LOG_FORMAT", "json")
        .put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + otlp.getAddress().getPort()), "telemetry-test.log");
    Path log = roster.log;
    try {
      TestServer server = roster.server;
      Journeys journeys = new Journeys(server);
      Person admin = journeys.newOrgWithRootAdmin("Logs Ltd");
      secrets.addAll(List.of(admin.secret(), admin.accessToken(), admin.refreshToken()));
      secrets.add(server.awaitMail(admin.email(), "invitation").token());
      assertThat(server.http.get("/api/v1/me").bearer(admin.accessToken()).send().status()).isEqualTo(200);
      String userId = journeys.create(admin, Journeys.uniqueEmail("logged"), "USER").getString("id");
      assertThat(server.http.get("/api/v1/users/" + userId).bearer(admin.accessToken()).send().status()).isEqualTo(200);
      Http.Response refreshed = server.http.post("/api/v1/auth/refresh")
          .json(new JsonObject().put("refreshToken", admin.refreshToken())).send();
      assertThat(refreshed.status()).isEqualTo(200);
      secrets.add(refreshed.json().getString("accessToken"));
      secrets.add(refreshed.json().getString("refreshToken"));
      String wrong = "Not-The-Password-7?";
      secrets.add(wrong);
      assertThat(journeys.passwordStep(admin.email(), wrong).status()).isEqualTo(401);
      Http.Response first = journeys.passwordStep(admin.email(), Journeys.PASSWORD);
      secrets.add(first.json().getString("mfaToken"));
      assertThat(server.http.post("/api/v1/auth/password/forgot").json(new JsonObject().put("email", admin.email())).send().status())
          .isEqualTo(202);
      String reset = server.awaitMail(admin.email(), "reset").token();
      secrets.add(reset);
      String next = "Another-Horse-43!";
      secrets.add(next);
      assertThat(server.http.post("/api/v1/auth/password/reset").json(new JsonObject().put("token", reset).put("password", next))
          .send().status()).isEqualTo(204);
      assertThat(server.http.get("/reset-password?token=" + reset).send().status()).isEqualTo(200);
      Person again = journeys.login(admin.email(), next, admin.secret());
      secrets.addAll(List.of(again.accessToken(), again.refreshToken()));
      assertThat(server.http.post("/api/v1/auth/logout").bearer(again.accessToken()).send().status()).isEqualTo(204);

      String metrics = server.management.get("/metrics").send().body();
      assertThat(metrics).contains("roster_http_server_requests_seconds_bucket{").contains("route=\"/api/v1/users/:id\"")
          .contains("route=\"/api/v1/auth/login\",status=\"401\"")
          .contains("roster_logins_total{outcome=\"mfa_required\"").contains("roster_logins_total{outcome=\"invalid_credentials\"");

      TestServer.sleep(500);
      List<String> lines = Files.readAllLines(log).stream().filter(l -> !l.isBlank()).toList();
      assertThat(lines).hasSizeGreaterThan(20);
      boolean sawMe = false;
      for (String line : lines) {
        JsonObject entry;
        try {
          entry = new JsonObject(line);
        } catch (RuntimeException e) {
          throw new AssertionError("not a JSON line: " + line, e);
        }
        assertThat(entry.fieldNames()).as(line).contains("@timestamp", "level", "logger_name", "message");
        for (String secret : secrets) {
          assertThat(line).as("a log line holds a secret the journey used").doesNotContain(secret);
        }
        if ("roster.requests".equals(entry.getString("logger_name")) && "/api/v1/me".equals(entry.getString("route"))) {
          sawMe = true;
          assertThat(entry.getString("request_id")).isNotBlank();
          assertThat(entry.getString("organization_id")).isEqualTo(admin.orgId());
          assertThat(entry.getString("user_id")).isEqualTo(admin.id());
          assertThat(entry.getString("status")).isEqualTo("200");
        }
      }
      assertThat(sawMe).as("a request line for GET /api/v1/me").isTrue();

      String exported = "";
      long until = System.currentTimeMillis() + 15_000;
      while (System.currentTimeMillis() < until && !exported.contains("/api/v1/auth/logout")) {
        TestServer.sleep(200);
        synchronized (traces) {
          exported = traces.toString(StandardCharsets.ISO_8859_1);
        }
      }
      assertThat(exported).as("HTTP server spans").contains("/api/v1/me").contains("/reset-password")
          .as("the service").contains("roster")
          .as("event-bus spans").contains("users.commands")
          .as("SQL spans").contains("SELECT");
      for (String secret : secrets) {
        assertThat(exported).as("the traces hold a secret the journey used").doesNotContain(secret);
      }
    } finally {
      roster.process.destroy();
      roster.process.waitFor(30, TimeUnit.SECONDS);
      roster.process.destroyForcibly();
      smtp.stop();
      otlp.stop(0);
    }
  }
}
