package roster.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Writes bench/results/&lt;stamp&gt;.md from one run's files (bench/run.sh): per scenario the rate,
 * p50/p99/max, answers by status, server CPU per request and RSS, each rate as a ratio to its
 * baseline measured in the same run (the hash bound for hashing paths, /health/live for the
 * others), and whether the target is met.
 *
 * java roster.bench.Report runDir report.md jvmOptions
 */
public final class Report {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double TICK_MS = 10; // USER_HZ 100

  private enum Baseline { HASH, HEALTH }

  /** request: the simulation's request name whose numbers count; good: the status that is the wanted answer. */
  private record Scenario(String name, String label, Baseline baseline, String request, String good, String target) {}

  private static final List<Scenario> SCENARIOS = List.of(
      new Scenario("health", "`GET /health/live`, 16 connections (baseline)", Baseline.HEALTH, "live", "200", "baseline"),
      new Scenario("password-16", "password step, 16 connections", Baseline.HASH, "login", "200", ">= 90 % of the bound; p99 <= 4 x hash + queue timeout"),
      new Scenario("password-64", "password step, 64 connections", Baseline.HASH, "login", "200", ">= 90 % of the bound; p99 <= 4 x hash + queue timeout"),
      new Scenario("password-open", "password step, open model at the bound", Baseline.HASH, "login", "200", "(reference)"),
      new Scenario("password-4x", "password step, open model at 4 x the bound", Baseline.HASH, "login", "200", "goodput >= 85 % of the bound; excess 503 fast; `/me` p99 < 50 ms"),
      new Scenario("shared-16", "one shared account, 16 connections", Baseline.HASH, "login", "200", "0 refused; >= 85 % of the bound"),
      new Scenario("shared-64", "one shared account, 64 connections", Baseline.HASH, "login", "200", "0 refused; >= 85 % of the bound"),
      new Scenario("unknown", "unknown emails, open model at the bound", Baseline.HASH, "unknown", "401", "(same cost as a real account)"),
      new Scenario("locked", "wrong password on a locked account, 16 connections", Baseline.HEALTH, "locked", "423", ">= 3,000/s, p99 < 20 ms"),
      new Scenario("me", "`GET /api/v1/me`, 16 connections", Baseline.HEALTH, "me", "200", ">= 25 % of `/health/live`"),
      new Scenario("list", "list 50 of the users, 16 connections", Baseline.HEALTH, "list", "200", ">= 3,000/s"),
      new Scenario("list-q", "list 50 with `q=miller`, 16 connections", Baseline.HEALTH, "list", "200", "p99 < 50 ms"),
      new Scenario("list-status", "list 50 with `sort=status`, 16 connections", Baseline.HEALTH, "list", "200", "(index-backed)"),
      new Scenario("create", "create user (queues an invitation), 16 connections", Baseline.HEALTH, "create", "201", ">= 2,500/s"));

  private Report() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    Path out = Path.of(args[1]);
    String jvmOptions = args.length > 2 ? args[2] : "";
    JsonNode hash = read(dir.resolve("hash.json"));
    double bound = hash.path("checksPerSecond").asDouble(Double.NaN);
    double single = hash.path("singleCheckMillis").asDouble(Double.NaN);
    double duration = Double.parseDouble(System.getProperty("duration", System.getenv().getOrDefault("DURATION", "20")));
    Map<String, String[]> server = new HashMap<>();
    if (Files.exists(dir.resolve("server.txt"))) {
      for (String line : Files.readAllLines(dir.resolve("server.txt"))) {
        String[] f = line.trim().split("\\s+");
        server.put(f[0], f);
      }
    }
    Map<String, String> rss = new HashMap<>();
    if (Files.exists(dir.resolve("rss.txt"))) {
      for (String line : Files.readAllLines(dir.resolve("rss.txt"))) {
        String[] f = line.trim().split("\\s+");
        rss.put(f[0], f[1]);
      }
    }
    double health = Files.exists(dir.resolve("health.status.json"))
        ? count(read(dir.resolve("health.status.json")).path("statuses"), "live 200") / duration : Double.NaN;

    StringBuilder md = new StringBuilder();
    md.append("# Roster bench run ").append(dir.getFileName().toString().replace("run-", "")).append("\n\n");
    md.append("Machine: ").append(machine()).append(". Server and load generator on the same machine; ")
        .append("each simulation ran ").append((int) duration).append(" s. JVM options: `").append(jvmOptions).append("`.\n\n");
    md.append("Baselines measured in this run: **hash bound** ").append(fmt(bound, 1))
        .append(" password checks/s (argon2id, Roster's parameters, ").append(hash.path("threads").asInt())
        .append(" threads; one check ").append(fmt(single, 1)).append(" ms) and **`/health/live`** ")
        .append(fmt(health, 0)).append(" requests/s at 16 connections.\n\n");
    md.append("| scenario | rate /s | ratio to baseline | p50 ms | p99 ms | max ms | answers | server CPU ms/req | RSS MiB | target |\n");
    md.append("| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- |\n");
    for (Scenario s : SCENARIOS) {
      Path stats = dir.resolve(s.name() + ".stats.js");
      if (!Files.exists(stats)) {
        continue;
      }
      JsonNode all = gatlingStats(stats);
      JsonNode main = request(all, s.request());
      JsonNode statuses = read(dir.resolve(s.name() + ".status.json")).path("statuses");
      long requests = all.path("stats").path("numberOfRequests").path("total").asLong();
      double good = count(statuses, s.request() + " " + s.good()) / duration;
      double base = s.baseline() == Baseline.HASH ? bound : health;
      String[] srv = server.get(s.name());
      String cpu = srv == null || requests == 0 ? "n/a" : fmt(Long.parseLong(srv[1]) * TICK_MS / requests, 2);
      String mem = srv == null ? "n/a" : fmt(Long.parseLong(srv[2]) / 1024.0, 0);
      String target = s.target();
      if (s.name().equals("password-4x")) {
        target += " (`/me` p99 here: " + fmt(pct(request(all, "me"), 4), 0) + " ms)";
      }
      md.append("| ").append(s.label())
          .append(" | ").append(fmt(good, 0))
          .append(" | ").append(s.name().equals("health") ? "1.00" : fmt(good / base, 2))
          .append(" | ").append(fmt(pct(main, 1), 0)).append(" | ").append(fmt(pct(main, 4), 0))
          .append(" | ").append(fmt(main.path("stats").path("maxResponseTime").path("total").asDouble(), 0))
          .append(" | ").append(answers(statuses)).append(" | ").append(cpu).append(" | ").append(mem)
          .append(" | ").append(target).append(" |\n");
    }
    JsonNode imp = read(dir.resolve("import.json"));
    if (imp.has("rows")) {
      md.append("\nBulk: a ").append(imp.path("rows").asLong()).append("-row CSV import took ")
          .append(fmt(imp.path("importSeconds").asDouble(), 1)).append(" s (target < 15 s); its ")
          .append(imp.path("mails").asLong()).append(" invitation mails had all reached the SMTP sink ")
          .append(fmt(imp.path("mailSeconds").asDouble(), 1))
          .append(" s after the import started (target < 60 s; batches commit, and mail, as the import goes).\n");
    }
    JsonNode start = read(dir.resolve("start.json"));
    md.append("\nMemory and start-up: RSS idle ").append(kib(rss.get("idle"))).append(" MiB (target <= 160), after the runs ")
        .append(kib(rss.get("after"))).append(" MiB (target <= 320); start to ready ")
        .append(start.has("startToReadyMs") ? start.get("startToReadyMs").asText() + " ms" : "n/a")
        .append(" on the embedded PostgreSQL (which it starts first).\n");
    md.append("\nRates count the wanted answers only (200; 401 for unknown emails, 423 for the locked account, 201 for creations) ")
        .append("over the simulation's length. Server CPU is the JVM's plus its PostgreSQL processes' user+system time ")
        .append("over the simulation (including Gatling's warm-up), per request.\n");
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, md.toString());
    System.out.print(md);
  }

  private static JsonNode read(Path p) throws IOException {
    return Files.exists(p) ? JSON.readTree(p.toFile()) : JSON.createObjectNode();
  }

  /** Gatling's report keeps its numbers in js/stats.js: a JavaScript object literal, "var stats = {…}". */
  private static JsonNode gatlingStats(Path p) throws IOException {
    String js = Files.readString(p);
    int from = js.indexOf('{');
    int to = js.indexOf("function fillStats");
    String literal = js.substring(from, to < 0 ? js.length() : to).trim();
    return JSON.copy().configure(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES.mappedFeature(), true)
        .readTree(literal);
  }

  private static JsonNode request(JsonNode all, String name) {
    Iterator<JsonNode> it = all.path("contents").elements();
    while (it.hasNext()) {
      JsonNode n = it.next();
      if (name.equals(n.path("name").asText())) {
        return n;
      }
    }
    return JSON.createObjectNode();
  }

  private static double pct(JsonNode stats, int which) {
    return stats.path("stats").path("percentiles" + which).path("total").asDouble(Double.NaN);
  }

  private static long count(JsonNode statuses, String status) {
    return statuses.path(status).asLong();
  }

  private static String answers(JsonNode statuses) {
    StringBuilder b = new StringBuilder();
    statuses.fields().forEachRemaining(e -> b.append(b.length() == 0 ? "" : ", ").append(e.getKey()).append(": ").append(e.getValue().asLong()));
    return b.length() == 0 ? "-" : b.toString();
  }

  private static String kib(String v) {
    return v == null ? "n/a" : fmt(Long.parseLong(v) / 1024.0, 0);
  }

  private static String fmt(double v, int decimals) {
    return Double.isNaN(v) ? "n/a" : String.format("%,." + decimals + "f", v);
  }

  private static String machine() {
    String cpu = "unknown CPU";
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          cpu = line.substring(line.indexOf(':') + 1).trim();
          break;
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    return Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), Java "
        + System.getProperty("java.version") + ", " + Instant.now().toString().substring(0, 10);
  }
}
