package io.roster.support;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A plain blocking HTTP client for the tests: real requests to the running server. */
public final class Http {
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final int port;
  /** The local address requests leave from (the whole 127/8 is loopback), or null for the JDK client's. */
  private final String from;

  public Http(int port) {
    this(port, null);
  }

  private Http(int port, String from) {
    this.base = "http://127.0.0.1:" + port;
    this.port = port;
    this.from = from;
  }

  /** The same server, called from another local address (127.0.0.2, ...): for per-address rules. */
  public Http from(String localAddress) {
    return new Http(port, localAddress);
  }

  public String base() {
    return base;
  }

  public record Response(int status, java.net.http.HttpHeaders headers, String body) {
    public JsonObject json() {
      return new JsonObject(body);
    }

    public JsonArray items() {
      return json().getJsonArray("items");
    }

    public String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    public String code() {
      return json().getString("code");
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  /** A request under construction: method, path, optional bearer, headers and body. */
  public final class Call {
    private final HttpRequest.Builder builder;
    private String method;
    private final String path;
    private HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.noBody();
    private final List<String[]> headers = new ArrayList<>();
    private byte[] bytes = new byte[0];

    private Call(String method, String path) {
      this.method = method;
      this.path = path;
      this.builder = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
    }

    public Call bearer(String token) {
      return header("Authorization", "Bearer " + token);
    }

    public Call header(String name, String value) {
      builder.header(name, value);
      headers.add(new String[] {name, value});
      return this;
    }

    public Call json(Object value) {
      return raw(value instanceof String s ? s : Json.encode(value), "application/json");
    }

    public Call raw(String text, String contentType) {
      return bytes(text.getBytes(java.nio.charset.StandardCharsets.UTF_8), contentType);
    }

    public Call bytes(byte[] data, String contentType) {
      header("Content-Type", contentType);
      body = HttpRequest.BodyPublishers.ofByteArray(data);
      bytes = data;
      return this;
    }

    public Response send() {
      try {
        return sendAsync().get();
      } catch (Exception e) {
        throw new IllegalStateException(method + " failed", e);
      }
    }

    public CompletableFuture<Response> sendAsync() {
      if (from != null) {
        return CompletableFuture.supplyAsync(this::sendFrom);
      }
      HttpRequest request = builder.method(method, body).build();
      return CLIENT.sendAsync(request, HttpResponse.BodyHandlers.ofString())
          .thenApply(r -> new Response(r.statusCode(), r.headers(), r.body()));
    }

    /** HTTP/1.1 over a socket bound to the from address, one request per connection. */
    private Response sendFrom() {
      try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getByName("127.0.0.1"), port,
          java.net.InetAddress.getByName(from), 0)) {
        socket.setSoTimeout(60_000);
        StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        for (String[] h : headers) {
          head.append(h[0]).append(": ").append(h[1]).append("\r\n");
        }
        head.append("Content-Length: ").append(bytes.length).append("\r\n\r\n");
        java.io.OutputStream out = socket.getOutputStream();
        out.write(head.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        out.write(bytes);
        out.flush();
        String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        int end = answer.indexOf("\r\n\r\n");
        String[] lines = answer.substring(0, end).split("\r\n");
        java.util.Map<String, List<String>> fields = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 1; i < lines.length; i++) {
          int colon = lines[i].indexOf(':');
          fields.computeIfAbsent(lines[i].substring(0, colon).trim(), k -> new ArrayList<>()).add(lines[i].substring(colon + 1).trim());
        }
        String content = answer.substring(end + 4);
        if (fields.getOrDefault("Transfer-Encoding", List.of()).contains("chunked")) {
          StringBuilder joined = new StringBuilder();
          int at = 0;
          while (true) {
            int eol = content.indexOf("\r\n", at);
            int size = Integer.parseInt(content.substring(at, eol).trim(), 16);
            if (size == 0) {
              break;
            }
            joined.append(content, eol + 2, eol + 2 + size);
            at = eol + 2 + size + 2;
          }
          content = joined.toString();
        }
        return new Response(Integer.parseInt(lines[0].substring(9, 12)), java.net.http.HttpHeaders.of(fields, (a, b) -> true), content);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  public Call get(String path) {
    return new Call("GET", path);
  }

  public Call post(String path) {
    return new Call("POST", path);
  }

  public Call put(String path) {
    return new Call("PUT", path);
  }

  public Call patch(String path) {
    return new Call("PATCH", path);
  }

  public Call delete(String path) {
    return new Call("DELETE", path);
  }

  /** Sends n copies of a request at once and waits for every answer. */
  public static List<Response> concurrently(int n, java.util.function.Supplier<Call> call) {
    List<CompletableFuture<Response>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(call.get().sendAsync());
    }
    return all.stream().map(CompletableFuture::join).toList();
  }
}
