package roster.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SMTP server the outbox drains into during a bench run: it accepts every mail, keeps only
 * the last link token sent to each address (so the seeding can accept invitations) and counts.
 * A discarding sink, so that the drain measures Roster, not a mail store. Its HTTP side answers
 * GET /count and GET /token?to=address.
 *
 * java roster.bench.Sink smtpPort httpPort
 */
public final class Sink {
  private static final Pattern TOKEN = Pattern.compile("token=([A-Za-z0-9_-]{32,128})");
  private static final AtomicLong RECEIVED = new AtomicLong();
  private static final Map<String, String> LAST_TOKEN = new ConcurrentHashMap<>();

  private Sink() {}

  public static void main(String[] args) throws IOException {
    int smtpPort = Integer.parseInt(args[0]);
    int httpPort = Integer.parseInt(args[1]);
    HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", httpPort), 0);
    http.createContext("/count", ex -> answer(ex, String.valueOf(RECEIVED.get())));
    http.createContext("/token", ex -> {
      String query = ex.getRequestURI().getRawQuery();
      String to = query == null ? "" : URLDecoder.decode(query.replaceFirst("^to=", ""), StandardCharsets.UTF_8);
      String token = LAST_TOKEN.get(to.toLowerCase());
      if (token == null) {
        ex.sendResponseHeaders(404, -1);
        ex.close();
      } else {
        answer(ex, token);
      }
    });
    http.start();
    try (ServerSocket smtp = new ServerSocket()) {
      smtp.bind(new InetSocketAddress("127.0.0.1", smtpPort), 256);
      System.out.println("SMTP sink on 127.0.0.1:" + smtpPort + ", counts on http://127.0.0.1:" + httpPort + "/count");
      while (true) {
        Socket s = smtp.accept();
        Thread t = new Thread(() -> session(s));
        t.setDaemon(true);
        t.start();
      }
    }
  }

  private static void answer(com.sun.net.httpserver.HttpExchange ex, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** One SMTP connection: any number of mails, as the client's pool keeps it open. */
  private static void session(Socket socket) {
    try (socket;
         BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
         Writer out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8)) {
      reply(out, "220 sink ESMTP");
      String recipient = null;
      String line;
      while ((line = in.readLine()) != null) {
        String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line.toUpperCase();
        switch (verb) {
          case "EHLO" -> reply(out, "250-sink\r\n250-8BITMIME\r\n250 SIZE 10485760");
          case "HELO" -> reply(out, "250 sink");
          case "MAIL" -> {
            recipient = null;
            reply(out, "250 OK");
          }
          case "RCPT" -> {
            recipient = line.replaceAll("(?i)^RCPT TO:\\s*<?([^>]*)>?.*$", "$1").toLowerCase();
            reply(out, "250 OK");
          }
          case "DATA" -> {
            reply(out, "354 go on");
            // The text part is quoted-printable: soft line breaks end in '=', and '=' itself is =3D.
            StringBuilder text = new StringBuilder();
            String body;
            while ((body = in.readLine()) != null && !body.equals(".")) {
              if (body.endsWith("=")) {
                text.append(body, 0, body.length() - 1);
              } else {
                text.append(body).append('\n');
              }
            }
            Matcher m = TOKEN.matcher(text.toString().replace("=3D", "="));
            if (recipient != null && m.find()) {
              LAST_TOKEN.put(recipient, m.group(1));
            }
            RECEIVED.incrementAndGet();
            reply(out, "250 OK queued");
          }
          case "QUIT" -> {
            reply(out, "221 bye");
            return;
          }
          default -> reply(out, "250 OK");
        }
      }
    } catch (IOException e) {
      // the client went away
    }
  }

  private static void reply(Writer out, String line) throws IOException {
    out.write(line);
    out.write("\r\n");
    out.flush();
  }
}
