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

  public Http(int port) {
    this.base = "http://127.0.0.1:" + port;
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
    private HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.noBody();

    private Call(String method, String path) {
      this.method = method;
      this.builder = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
    }

    public Call bearer(String token) {
      builder.header("Authorization", "Bearer " + token);
      return this;
    }

    public Call header(String name, String value) {
      builder.header(name, value);
      return this;
    }

    public Call json(Object value) {
      return raw(value instanceof String s ? s : Json.encode(value), "application/json");
    }

    public Call raw(String text, String contentType) {
      builder.header("Content-Type", contentType);
      body = HttpRequest.BodyPublishers.ofString(text);
      return this;
    }

    public Call bytes(byte[] data, String contentType) {
      builder.header("Content-Type", contentType);
      body = HttpRequest.BodyPublishers.ofByteArray(data);
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
      HttpRequest request = builder.method(method, body).build();
      return CLIENT.sendAsync(request, HttpResponse.BodyHandlers.ofString())
          .thenApply(r -> new Response(r.statusCode(), r.headers(), r.body()));
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
