package io.roster;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Starts Roster: configuration from conf/config.json, then environment variables (which win),
 * then {@link Roster#start}. SIGTERM runs the shutdown sequence and exits 0.
 */
public final class Main {
  static {
    // Before the first logger exists: LOG_FORMAT=json picks the JSON configuration.
    if ("json".equals(System.getenv("LOG_FORMAT")) && System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "logback-json.xml");
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    String logFormat = System.getenv("LOG_FORMAT");
    if (logFormat != null && !logFormat.equals("text") && !logFormat.equals("json")) {
      System.err.println("LOG_FORMAT must be text or json, not " + logFormat);
      System.exit(2);
    }
    if (args.length > 0 && args[0].equals("rotate-encryption-key")) {
      rotateEncryptionKey();
      return;
    }
    if (args.length > 0 && args[0].equals("train-cds")) {
      trainCds();
      return;
    }
    if (args.length > 0 && args[0].equals("measure-hashing")) {
      measureHashing(args.length > 1 ? Integer.parseInt(args[1]) : 10);
      return;
    }
    io.opentelemetry.sdk.OpenTelemetrySdk tracing = io.roster.common.Tracing.fromEnvironment(System.getenv());
    Vertx vertx = tracing == null ? Vertx.vertx(vertxOptions())
        : Vertx.builder().with(vertxOptions()).withTracer(new io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory(tracing)).build();
    Main.tracing = tracing;
    try {
      JsonObject conf = loadConfig(vertx).await();
      Roster roster = Roster.start(vertx, conf).await();
      LOG.info("Roster is ready on port {}", roster.port());
      Signal.handle(new Signal("TERM"), sig -> stop(roster));
      Signal.handle(new Signal("INT"), sig -> stop(roster));
    } catch (Throwable e) {
      LOG.error("Roster failed to start", e);
      vertx.close();
      System.exit(1);
    }
  }

  /** Prints this machine's hash bound (password checks per second on every core) as one JSON line. */
  private static void measureHashing(int seconds) {
    try {
      int threads = io.roster.auth.Passwords.threads();
      System.out.println(io.roster.auth.Passwords.measureBound(threads, java.time.Duration.ofSeconds(seconds)).encode());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The training run for an application class-data archive (AppCDS): starts Roster on a throw-away
   * embedded PostgreSQL with ephemeral ports, sends one request of each common kind (health, the
   * OpenAPI document, a page, a refused sign-in, which hashes, and an unauthenticated call), stops
   * and exits. Run as java -XX:ArchiveClassesAtExit=roster.jsa -jar roster.jar train-cds, it leaves
   * the archive that -XX:SharedArchiveFile=roster.jsa then starts from (README, Performance).
   */
  private static void trainCds() {
    Vertx vertx = Vertx.vertx(vertxOptions());
    java.nio.file.Path dir = null;
    try {
      dir = java.nio.file.Files.createTempDirectory("roster-cds-training");
      JsonObject conf = loadConfig(vertx).await().copy();
      conf.remove("DATABASE_URL");
      conf.remove("SMTP_HOST");
      conf.put("DATA_DIR", dir.toString()).put("HTTP_HOST", "127.0.0.1").put("HTTP_PORT", 0).put("MANAGEMENT_PORT", 0);
      Roster roster = Roster.start(vertx, conf).await();
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + roster.port();
      for (String path : new String[] {"/health/ready", "/openapi.yaml", "/login", "/api/v1/me"}) {
        http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + path)).build(),
            java.net.http.HttpResponse.BodyHandlers.discarding());
      }
      http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/api/v1/auth/login"))
          .header("Content-Type", "application/json")
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"email\":\"training@example.com\",\"password\":\"not-a-password\"}"))
          .build(), java.net.http.HttpResponse.BodyHandlers.discarding());
      roster.close().toCompletionStage().toCompletableFuture().get(1, TimeUnit.MINUTES);
      LOG.info("Training run done");
      deleteTree(dir);
      System.exit(0);
    } catch (Throwable e) {
      LOG.error("Training run failed", e);
      System.exit(1);
    }
  }

  private static void deleteTree(java.nio.file.Path dir) throws java.io.IOException {
    try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(dir)) {
      for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files.sorted(java.util.Comparator.reverseOrder())::iterator) {
        java.nio.file.Files.deleteIfExists(f);
      }
    }
  }

  /** The tracing SDK when OTEL_EXPORTER_OTLP_ENDPOINT is set: flushed at the end of the shutdown. */
  private static volatile io.opentelemetry.sdk.OpenTelemetrySdk tracing;

  private static final java.util.concurrent.atomic.AtomicBoolean STOPPING = new java.util.concurrent.atomic.AtomicBoolean();

  /** The first SIGTERM (or SIGINT) runs the shutdown sequence of {@link Roster#close}; a second one is ignored. */
  private static void stop(Roster roster) {
    if (!STOPPING.compareAndSet(false, true)) {
      LOG.info("Already stopping");
      return;
    }
    LOG.info("Stopping: readiness is 503, draining HTTP, then closing");
    try {
      roster.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
      if (tracing != null) {
        tracing.getSdkTracerProvider().shutdown().join(5, TimeUnit.SECONDS);
      }
      LOG.info("Stopped");
      System.exit(0);
    } catch (Exception e) {
      LOG.error("Stopping did not finish cleanly", e);
      System.exit(1);
    }
  }

  /** The re-encryption command: ENCRYPTION_KEY_OLD to ENCRYPTION_KEY, every replica stopped. */
  private static void rotateEncryptionKey() {
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject conf = loadConfig(vertx).await();
      int n = io.roster.crypto.RotateEncryptionKey.run(conf);
      LOG.info("Re-encrypted {} secret(s) with the new ENCRYPTION_KEY; start every replica with it", n);
      vertx.close();
      System.exit(0);
    } catch (Throwable e) {
      LOG.error("Re-encryption failed; nothing was changed", e);
      System.exit(1);
    }
  }

  /** Vert.x with Prometheus metrics (HTTP, pool, event bus) served at /metrics. */
  public static VertxOptions vertxOptions() {
    // Latency histograms for Vert.x's own pool and event-bus metrics. HTTP server metrics are
    // Roster's (roster_http_server_requests_seconds by route template, http.RequestLog; open
    // connections, http.Edge), not Vert.x's: in Vert.x 5.0.7 a connection accepted between the
    // bind and the server's metrics being set has no connection metric, and its every request then
    // fails in VertxHttpServerMetrics.requestBegin (NullPointerException) and is never answered.
    // A readiness probe polling a starting server hits that window.
    return new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true).setPublishQuantiles(true))
        .addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER)
        .setJvmMetricsEnabled(true)
        .setEnabled(true));
  }

  /** conf/config.json (on disk, else the copy in the jar), then the environment: later stores win. */
  public static io.vertx.core.Future<JsonObject> loadConfig(Vertx vertx) {
    ConfigRetrieverOptions options = new ConfigRetrieverOptions()
        .addStore(new ConfigStoreOptions().setType("file").setOptional(true)
            .setConfig(new JsonObject().put("path", "conf/config.json")))
        .addStore(new ConfigStoreOptions().setType("env").setConfig(new JsonObject().put("raw-data", true)));
    return ConfigRetriever.create(vertx, options).getConfig();
  }
}
