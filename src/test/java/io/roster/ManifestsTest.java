package io.roster;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.auth.Passwords;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: k8s/ applies as it is. Every manifest (the base and the CloudNativePG overlay, rendered
 * as kubectl apply -k does) is checked offline against Kubernetes' OpenAPI schemas and for unknown
 * fields (src/test/k8s/validate.mjs); the configuration keys it sets are keys Roster reads; the
 * JVM and the hashing pool fit the container's limits.
 */
class ManifestsTest {
  static final Path VALIDATOR = Path.of("src/test/k8s/validate.mjs");

  record Result(int exit, JsonObject report) {}

  /** k8s/ and its CloudNativePG overlay, validated once for the tests that read them. */
  static Result shipped;

  @org.junit.jupiter.api.BeforeAll
  static void validateShipped() throws Exception {
    shipped = validate(Path.of("k8s"), Path.of("k8s/cloudnative-pg"));
  }

  static Result validate(Path... dirs) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of("node", VALIDATOR.toString()));
    for (Path d : dirs) {
      cmd.add(d.toString());
    }
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = p.waitFor();
    return new Result(exit, new JsonObject(out));
  }

  @Test
  void theManifestsValidateAgainstKubernetesSchemas() throws Exception {
    Result r = shipped;
    assertThat(r.report().getJsonArray("errors")).as(r.report().getJsonArray("errors").encodePrettily()).isEmpty();
    assertThat(r.exit()).isZero();
    Set<String> kinds = objects(r).map(o -> o.getString("kind")).collect(Collectors.toSet());
    assertThat(kinds).contains("Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler", "NetworkPolicy",
        "ConfigMap", "Secret", "ServiceMonitor", "Cluster");
    // Only the CloudNativePG Cluster has no schema in a registry package; everything else is checked.
    assertThat(objects(r).filter(o -> o.getString("checked").equals("none")).map(o -> o.getString("kind")))
        .containsOnly("Cluster");
    // The overlay points DATABASE_URL at the operator's read-write service.
    JsonObject overlayDeployment = objects(r).filter(o -> o.getString("kind").equals("Deployment")).reduce((a, b) -> b)
        .orElseThrow().getJsonObject("object");
    assertThat(container(overlayDeployment).getJsonArray("env").encode()).contains("\"DATABASE_URL\"", "roster-db-app");
  }

  @Test
  void aBrokenManifestFails(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("kustomization.yaml"), "resources: [typo.yaml, types.yaml]\n");
    String deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: x}
        spec:
          %s
          selector: {matchLabels: {a: b}}
          template:
            metadata: {labels: {a: b}}
            spec:
              containers: [{name: c, image: i, ports: [{containerPort: %s}]}]
        """;
    Files.writeString(dir.resolve("typo.yaml"), deployment.formatted("replica: 3", "80"));
    Files.writeString(dir.resolve("types.yaml"), deployment.formatted("replicas: 3", "\"http\""));
    Files.writeString(dir.resolve("forgotten.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: y}\n");
    Result r = validate(dir);
    assertThat(r.exit()).isEqualTo(1);
    String errors = r.report().getJsonArray("errors").encode();
    assertThat(errors).contains("'\\\"replica\\\"' does not exist", "containerPort must be integer", "forgotten.yaml: not listed");
  }

  @Test
  void theKeysTheManifestsSetAreKeysRosterReads() throws Exception {
    Result r = shipped;
    Set<String> documented = new HashSet<>();
    Matcher m = Pattern.compile("`([A-Z][A-Z0-9_]+)`").matcher("");
    for (String line : Files.readAllLines(Path.of("README.md"))) {
      if (line.startsWith("| `")) {
        m.reset(line.split("\\|")[1]);
        while (m.find()) {
          documented.add(m.group(1));
        }
      }
    }
    String source;
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      source = files.filter(f -> f.toString().endsWith(".java")).map(ManifestsTest::read).collect(Collectors.joining("\n"));
    }
    List<String> keys = r.report().getJsonArray("configKeys").stream().map(String::valueOf).toList();
    assertThat(keys).contains("DATABASE_URL", "ENCRYPTION_KEY", "PUBLIC_BASE_URL", "MANAGEMENT_PORT");
    for (String key : keys) {
      assertThat(documented).as("%s is in the README's configuration table", key).contains(key);
      assertThat(source).as("%s is read by Roster's code", key).contains("\"" + key + "\"");
    }
  }

  @Test
  void theJvmAndTheHashingPoolFitTheContainer() throws Exception {
    Result r = shipped;
    // The base's Deployment comes first (the overlay's, rendered second, only adds DATABASE_URL).
    JsonObject deployment = objects(r).filter(o -> o.getString("kind").equals("Deployment")).findFirst().orElseThrow()
        .getJsonObject("object");
    JsonObject spec = deployment.getJsonObject("spec").getJsonObject("template").getJsonObject("spec");
    JsonObject c = container(deployment);
    JsonObject limits = c.getJsonObject("resources").getJsonObject("limits");
    long memory = mebibytes(limits.getString("memory"));
    int cores = (int) Math.ceil(Double.parseDouble(limits.getString("cpu")));
    String command = c.getJsonArray("command").encode();
    Matcher pct = Pattern.compile("-XX:MaxRAMPercentage=(\\d+)").matcher(command);
    assertThat(pct.find()).as(command).isTrue();
    assertThat(command).contains("@/app/conf/jvm.options", "-XX:MaxRAM=$(JVM_MEMORY_LIMIT)", "-XX:ActiveProcessorCount=$(JVM_CPU_LIMIT)");
    assertThat(c.getJsonArray("env").encode()).contains("\"limits.memory\"", "\"limits.cpu\"");
    long heap = memory * Long.parseLong(pct.group(1)) / 100;
    long perThread = Passwords.MEMORY_KIB / 1024;
    long threads = Math.max(1, Math.min(cores, Math.round(heap / 4.0 / perThread)));
    assertThat(threads).as("every core of the CPU limit hashes (heap %d MiB)", heap).isEqualTo(cores);
    // conf/jvm.options bounds what lives outside the heap; with the heap it must fit the limit.
    String options = Files.readString(Path.of("conf/jvm.options"));
    long offHeap = flag(options, "MaxMetaspaceSize") + flag(options, "ReservedCodeCacheSize") + flag(options, "MaxDirectMemorySize");
    assertThat(heap + offHeap + 64).as("heap + metaspace + code cache + direct memory + 64 MiB of threads and GC").isLessThanOrEqualTo(memory);
    // As on bare metal: what the hashing threads keep leaves a 100,000-row import its 120 MiB.
    assertThat(heap - threads * perThread).isGreaterThanOrEqualTo(120);
    // The rest the issue names: probes on the management port, non-root, read-only, no token.
    for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
      assertThat(c.getJsonObject(probe).getJsonObject("httpGet").getString("port")).isEqualTo("management");
    }
    assertThat(c.getJsonObject("lifecycle").getJsonObject("preStop")).isNotNull();
    assertThat(spec.getBoolean("automountServiceAccountToken")).isFalse();
    assertThat(spec.getJsonObject("securityContext").getBoolean("runAsNonRoot")).isTrue();
    assertThat(c.getJsonObject("securityContext").getBoolean("readOnlyRootFilesystem")).isTrue();
    assertThat(spec.getJsonArray("topologySpreadConstraints")).isNotEmpty();
    assertThat(deployment.getJsonObject("spec").getInteger("replicas")).isEqualTo(3);
  }

  /** The rendered objects: kind, name, source, what was checked, and the object itself ("object"). */
  private static Stream<JsonObject> objects(Result r) {
    return r.report().getJsonArray("objects").stream().map(JsonObject.class::cast);
  }

  private static JsonObject container(JsonObject deployment) {
    JsonArray containers = deployment.getJsonObject("spec").getJsonObject("template").getJsonObject("spec").getJsonArray("containers");
    return containers.getJsonObject(0);
  }

  private static long mebibytes(String quantity) {
    if (quantity.endsWith("Gi")) {
      return Long.parseLong(quantity.substring(0, quantity.length() - 2)) * 1024;
    }
    assertThat(quantity).endsWith("Mi");
    return Long.parseLong(quantity.substring(0, quantity.length() - 2));
  }

  /** A -XX:Name=NNNm flag of conf/jvm.options, in MiB. */
  private static long flag(String options, String name) {
    Matcher m = Pattern.compile("-XX:" + name + "=(\\d+)m").matcher(options);
    assertThat(m.find()).as(name + " in conf/jvm.options").isTrue();
    return Long.parseLong(m.group(1));
  }

  private static String read(Path f) {
    try {
      return Files.readString(f);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
