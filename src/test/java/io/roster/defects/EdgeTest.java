package io.roster.defects;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Issue 7 items 12 and 16, over raw TCP: what the listener does below the router. */
class EdgeTest {
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start(Map.of("HTTP_MAX_CONNECTIONS", 40, "HTTP_HEADER_TIMEOUT", "PT3S", "HTTP_BODY_TIMEOUT", "PT2S"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static Socket connect() throws Exception {
    Socket s = new Socket("127.0.0.1", server.roster.port());
    s.setSoTimeout(5_000);
    return s;
  }

  /** Everything the server sends until it closes the connection (or the read times out). */
  private static String readAll(Socket s) throws Exception {
    InputStream in = s.getInputStream();
    StringBuilder out = new StringBuilder();
    byte[] buf = new byte[8192];
    try {
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
      }
    } catch (SocketTimeoutException e) {
      out.append("<timeout>");
    } catch (java.net.SocketException e) {
      out.append("<reset>");
    }
    return out.toString();
  }

  private static String exchange(byte[] request) throws Exception {
    try (Socket s = connect()) {
      OutputStream out = s.getOutputStream();
      out.write(request);
      out.flush();
      return readAll(s);
    }
  }

  private static void assertProblem(String answer, int status, String code) {
    assertThat(answer).as(answer).matches("(?s)HTTP/1\\.[01] " + status + " .*");
    assertThat(answer).containsIgnoringCase("content-type: application/problem+json");
    String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
    assertThat(new JsonObject(body).getString("code")).isEqualTo(code);
    assertThat(new JsonObject(body).getInteger("status")).isEqualTo(status);
  }

  @Test
  void item12_connectionsBeyondTheCapAreClosedAndIdleOnesTimeOut() throws Exception {
    List<Socket> idle = new ArrayList<>();
    try {
      for (int i = 0; i < 60; i++) {
        idle.add(connect());
      }
      TestServer.sleep(300);
      // Beyond the cap the server closes at once; the process keeps its file descriptors.
      List<Socket> open = new ArrayList<>();
      for (Socket s : idle) {
        s.setSoTimeout(15);
        if (!readAll(s).isEmpty()) {
          open.add(s);
        }
      }
      assertThat(open).hasSize(40);
      assertThat(server.management.get("/health/live").send().status()).isEqualTo(200);
      // The ones under the cap never sent a request: the header deadline (3 s here) closes them.
      long t0 = System.currentTimeMillis();
      for (Socket s : open) {
        s.setSoTimeout(5_000);
        assertThat(readAll(s)).isEmpty();
      }
      assertThat(System.currentTimeMillis() - t0).isLessThan(4_000);
      assertThat(server.http.get("/health/live").send().status()).isEqualTo(200);
    } finally {
      for (Socket s : idle) {
        s.close();
      }
    }
  }

  @Test
  void item12_slowlorisHeadersAreCutOffByTheHeaderDeadline() throws Exception {
    try (Socket s = connect()) {
      OutputStream out = s.getOutputStream();
      out.write("GET /health/live HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
      long t0 = System.currentTimeMillis();
      boolean cut = false;
      for (int i = 0; i < 60 && !cut; i++) {
        try {
          out.write(("X-Drip-" + i + ": y\r\n").getBytes(StandardCharsets.US_ASCII));
          out.flush();
        } catch (java.io.IOException e) {
          cut = true;
        }
        TestServer.sleep(150);
        s.setSoTimeout(1);
        try {
          cut = cut || s.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
          // still open
        } catch (java.io.IOException e) {
          cut = true;
        }
      }
      assertThat(cut).as("closed while headers still dribbled in").isTrue();
      assertThat(System.currentTimeMillis() - t0).isBetween(2_500L, 5_000L);
    }
  }

  @Test
  void item12_aBodyThatNeverArrivesIs408() throws Exception {
    try (Socket s = connect()) {
      OutputStream out = s.getOutputStream();
      out.write(("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
          + "{\"email\":").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      long t0 = System.currentTimeMillis();
      String answer = readAll(s);
      assertProblem(answer, 408, "REQUEST_TIMEOUT");
      assertThat(System.currentTimeMillis() - t0).isBetween(1_500L, 4_500L);
    }
  }

  @Test
  void item16_errorsBelowTheRouterAreProblemJson() throws Exception {
    assertProblem(exchange(("GET /" + "a".repeat(9_000) + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII)),
        414, "URI_TOO_LONG");
    assertProblem(exchange(("GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(9_000) + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII)), 431, "HEADERS_TOO_LARGE");
    assertProblem(exchange("GET /health/live HTTP/1.1\r\nHost: x\r\nX-Nul: a\u0000b\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)),
        400, "MALFORMED_REQUEST");
    assertProblem(exchange("THIS IS NOT HTTP\r\n\r\n".getBytes(StandardCharsets.US_ASCII)), 400, "MALFORMED_REQUEST");
    long t0 = System.currentTimeMillis();
    assertProblem(exchange(("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Transfer-Encoding: gzip\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII)), 501, "NOT_IMPLEMENTED");
    assertThat(System.currentTimeMillis() - t0).as("answered at once, never a hang").isLessThan(1_000);
  }
}
