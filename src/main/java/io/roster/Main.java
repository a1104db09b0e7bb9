package io.roster;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
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
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("rotate-encryption-key")) {
      rotateEncryptionKey();
      return;
    }
    if (args.length > 0 && args[0].equals("measure-hashing")) {
      measureHashing(args.length > 1 ? Integer.parseInt(args[1]) : 10);
      return;
    }
    Vertx vertx = Vertx.vertx(vertxOptions());
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
    return new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
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
