package roster.bench;

import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What every simulation shares: the target and the seeded accounts (-Dseed=seed.json, written by
 * {@link Seed}; -Dbase overrides its base URL), the run's length (-Dduration seconds), and a
 * count of answers by status, written to target/bench-status/&lt;simulation&gt;.json when it ends.
 */
public abstract class Bench extends Simulation {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, LongAdder> STATUSES = new ConcurrentHashMap<>();

  protected final JsonNode seed = readSeed();
  protected final String base = System.getProperty("base", seed.path("base").asText("http://127.0.0.1:8080"));
  protected final Duration duration = Duration.ofSeconds(Long.getLong("duration", 20));
  /**
   * -Dwarmup seconds (5) run before the measured -Dduration: requests then are named
   * "&lt;name&gt; (warm-up)" and not counted, so Gatling's and the server's JIT warm-up and the
   * simulation's start do not dilute rates or percentiles (the report reads the measured names).
   */
  protected static final Duration WARMUP = Duration.ofSeconds(Long.getLong("warmup", 5));
  /** How long a simulation injects or loops: the warm-up, then the measured duration. */
  protected final Duration length = duration.plus(WARMUP);
  private static volatile long measuringFrom = Long.MAX_VALUE;

  @Override
  public void before() {
    measuringFrom = System.nanoTime() + WARMUP.toNanos();
  }

  private static boolean measuring() {
    return System.nanoTime() >= measuringFrom;
  }

  /** A request's name: the given one once the warm-up is over. */
  protected static java.util.function.Function<io.gatling.javaapi.core.Session, String> named(String name) {
    return session -> measuring() ? name : name + " (warm-up)";
  }

  private static JsonNode readSeed() {
    try {
      return JSON.readTree(Path.of(System.getProperty("seed", "target/seed.json")).toFile());
    } catch (IOException e) {
      throw new IllegalStateException("Run Seed accounts first (or pass -Dseed=…): " + e.getMessage(), e);
    }
  }

  /** Keep-alive connections, one per virtual user unless shared. */
  protected HttpProtocolBuilder protocol() {
    return http.baseUrl(base).acceptHeader("application/json").contentTypeHeader("application/json")
        .warmUp(base + "/health/live");
  }

  protected static int users() {
    return Integer.getInteger("users", 16);
  }

  protected static double rate() {
    return Double.parseDouble(System.getProperty("rate", "10"));
  }

  /** The request, expecting one of these statuses, its answers counted by status under its name. */
  protected static ChainBuilder counted(String name, HttpRequestActionBuilder request, Integer... expected) {
    return exec(request.check(status().in(expected).saveAs("status"))).exec(session -> {
      String s = session.contains("status") ? String.valueOf(session.getInt("status")) : "other";
      if (measuring()) {
        STATUSES.computeIfAbsent(name + " " + s, k -> new LongAdder()).increment();
      }
      return session.remove("status");
    });
  }

  protected List<Map<String, Object>> accounts(String field) {
    List<Map<String, Object>> out = new ArrayList<>();
    JsonNode node = seed.get(field);
    if (node.isArray()) {
      node.forEach(n -> out.add(Map.of("email", n.asText())));
    } else {
      out.add(Map.of("email", node.asText()));
    }
    return out;
  }

  protected String loginBody(String password) {
    return "{\"email\":\"#{email}\",\"password\":\"" + password + "\"}";
  }

  @Override
  public void after() {
    Map<String, Long> counts = new TreeMap<>();
    STATUSES.forEach((k, v) -> counts.put(k, v.sum()));
    try {
      Path dir = Path.of("target", "bench-status");
      Files.createDirectories(dir);
      Map<String, Object> out = new HashMap<>();
      out.put("statuses", counts);
      Files.writeString(dir.resolve(getClass().getSimpleName() + ".json"), JSON.writeValueAsString(out));
    } catch (IOException e) {
      System.err.println("Could not write the status counts: " + e);
    }
  }
}
