package io.roster.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.roster.support.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The pages in a real browser: Debian's Chromium driven by Playwright (console/tests), against a
 * real Roster serving the built console, with mails read from the in-process SMTP server through
 * a small mailbox endpoint. Screenshots land in target/screenshots.
 */
class BrowserTest {

  @Test
  void thePagesWorkInABrowser() throws Exception {
    String chromium = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
    assertThat(new File(chromium)).as("Chromium (apt-get install -y chromium; .ci/run does it)").exists();
    assertThat(new File("target/classes/webroot/index.html")).as("the console was built (mvn runs npm)").exists();
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String base = "http://127.0.0.1:" + port;
    try (TestServer server = TestServer.start(Map.of("HTTP_PORT", port, "PUBLIC_BASE_URL", base))) {
      HttpServer mailbox = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      mailbox.createContext("/mails", exchange -> {
        String query = exchange.getRequestURI().getRawQuery();
        String to = URLDecoder.decode(query == null ? "" : query.replaceFirst("^to=", ""), StandardCharsets.UTF_8);
        JsonArray out = new JsonArray();
        for (TestServer.Mail m : server.mails(to)) {
          out.add(new JsonObject().put("to", m.to()).put("subject", m.subject()).put("text", m.text()));
        }
        byte[] body = out.encode().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
      });
      mailbox.start();
      try {
        Path shots = Files.createDirectories(Path.of("target", "screenshots")).toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder("npx", "--no-install", "playwright", "test")
            .directory(new File("console")).redirectErrorStream(true)
            .redirectOutput(Path.of("target", "browser-tests.log").toFile());
        pb.environment().put("ROSTER_URL", base);
        pb.environment().put("MAILBOX_URL", "http://127.0.0.1:" + mailbox.getAddress().getPort());
        pb.environment().put("SUPPORT_KEY", TestServer.SUPPORT_KEY);
        pb.environment().put("SCREENSHOTS", shots.toString());
        pb.environment().put("CHROMIUM", chromium);
        pb.environment().put("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Process p = pb.start();
        boolean done = p.waitFor(8, TimeUnit.MINUTES);
        if (!done) {
          p.destroyForcibly();
        }
        String log = Files.readString(Path.of("target", "browser-tests.log"));
        System.out.println(log);
        assertThat(done).as("browser tests finished in time").isTrue();
        assertThat(p.exitValue()).as("browser tests (target/browser-tests.log):\n" + log).isZero();
        assertThat(log).contains("passed");
      } finally {
        mailbox.stop(0);
      }
    }
  }
}
