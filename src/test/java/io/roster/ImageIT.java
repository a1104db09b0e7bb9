package io.roster;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.roster.support.Journeys;
import io.roster.support.Journeys.Person;
import io.roster.support.RosterProcess;
import io.roster.support.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 item 2: the container image Jib builds (mvn verify -Pimage: target/roster-image.tar, on
 * the base image k8s/image/base-image.sh makes from this machine's JDK) is the one the Deployment
 * names, runs as the Deployment runs it, and ships code changes in a small layer. With no container
 * runtime here, the test unpacks the image's layers into a root filesystem and runs the
 * Deployment's command in it with chroot, as the Deployment's user, on a read-only root with a
 * tmpfs /tmp (the Deployment's emptyDir), configured by the ConfigMap (its database and SMTP server
 * replaced by the test's), then signs in through it and stops it with SIGTERM. Needs root (chroot,
 * a private mount namespace), as CI has.
 */
class ImageIT {
  static final Path IMAGE = Path.of("target/roster-image.tar");
  static Path unpacked;
  static JsonObject manifest;
  static JsonObject config;
  static JsonObject deployment;
  static JsonObject configMap;

  @BeforeAll
  static void unpack() throws Exception {
    assertThat(IMAGE).as("built by mvn verify -Pimage").exists();
    unpacked = Files.createDirectories(Path.of("target/image-it"));
    run(List.of("rm", "-rf", unpacked.resolve("image").toString(), unpacked.resolve("rootfs").toString()));
    Path image = Files.createDirectories(unpacked.resolve("image"));
    run(List.of("tar", "-xf", IMAGE.toString(), "-C", image.toString()));
    manifest = new JsonArray(Files.readString(image.resolve("manifest.json"))).getJsonObject(0);
    config = new JsonObject(Files.readString(image.resolve(manifest.getString("Config"))));
    Path rootfs = Files.createDirectories(unpacked.resolve("rootfs"));
    for (Object layer : manifest.getJsonArray("Layers")) {
      run(List.of("tar", "--same-owner", "-xzf", image.resolve((String) layer).toString(), "-C", rootfs.toString()));
    }
    ManifestsTest.Result k8s = ManifestsTest.validate(Path.of("k8s"));
    deployment = object(k8s, "Deployment");
    configMap = object(k8s, "ConfigMap");
  }

  @Test
  void theImageIsTheOneTheDeploymentNamesAndRunsAsItsUser() {
    JsonObject pod = deployment.getJsonObject("spec").getJsonObject("template").getJsonObject("spec");
    JsonObject container = pod.getJsonArray("containers").getJsonObject(0);
    assertThat(manifest.getJsonArray("RepoTags")).containsExactly(container.getString("image"));
    JsonObject security = pod.getJsonObject("securityContext");
    JsonObject image = config.getJsonObject("config");
    assertThat(image.getString("User")).isEqualTo(security.getInteger("runAsUser") + ":" + security.getInteger("runAsGroup"));
    assertThat(image.getString("User")).doesNotStartWith("0:");
    assertThat(image.getJsonObject("ExposedPorts").fieldNames()).containsExactlyInAnyOrder("8080/tcp", "9090/tcp");
    // The Deployment's command is the image's entrypoint plus the container sizing flags.
    List<String> entrypoint = strings(image.getJsonArray("Entrypoint"));
    List<String> command = strings(container.getJsonArray("command"));
    assertThat(command.get(0)).isEqualTo(entrypoint.get(0));
    assertThat(command.subList(command.size() - 3, command.size())).isEqualTo(entrypoint.subList(entrypoint.size() - 3, entrypoint.size()));
    assertThat(command).containsAll(entrypoint);
    assertThat(unpacked.resolve("rootfs/app/conf/jvm.options")).exists();
    assertThat(unpacked.resolve("rootfs/app/conf/config.json")).exists();
  }

  @Test
  void aCodeChangeShipsASmallLayer() throws IOException {
    // History entries that made a layer, in the manifest's layer order: the base, then Jib's.
    List<String> made = new ArrayList<>();
    for (Object h : config.getJsonArray("history")) {
      JsonObject entry = (JsonObject) h;
      if (!entry.getBoolean("empty_layer", false)) {
        made.add(entry.getString("comment", entry.getString("created_by")));
      }
    }
    JsonArray layers = manifest.getJsonArray("Layers");
    assertThat(made).hasSize(layers.size());
    Map<String, Long> sizes = new LinkedHashMap<>();
    for (int i = 0; i < made.size(); i++) {
      sizes.put(made.get(i), Files.size(unpacked.resolve("image").resolve(layers.getString(i))));
    }
    assertThat(sizes).containsKeys("dependencies", "resources", "classes");
    assertThat(sizes.get("dependencies")).as(sizes.toString()).isGreaterThan(20L << 20);
    assertThat(sizes.get("classes")).as(sizes.toString()).isLessThan(2L << 20);
  }

  @Test
  void itStartsAsTheDeploymentRunsItAndServesASignIn() throws Exception {
    GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
    smtp.start();
    JsonObject pod = deployment.getJsonObject("spec").getJsonObject("template").getJsonObject("spec");
    JsonObject container = pod.getJsonArray("containers").getJsonObject(0);
    JsonObject limits = container.getJsonObject("resources").getJsonObject("limits");
    String memory = limits.getString("memory");
    assertThat(memory).endsWith("Mi");
    long memoryBytes = Long.parseLong(memory.substring(0, memory.length() - 2)) << 20;
    List<String> command = new ArrayList<>();
    for (String arg : strings(container.getJsonArray("command"))) {
      command.add(arg.replace("$(JVM_MEMORY_LIMIT)", Long.toString(memoryBytes)).replace("$(JVM_CPU_LIMIT)", limits.getString("cpu")));
    }
    JsonObject security = pod.getJsonObject("securityContext");
    String rootfs = unpacked.resolve("rootfs").toAbsolutePath().toString();
    // As a container runtime would: a private mount namespace, the root read-only, /proc, /tmp
    // a 64 MiB tmpfs, /etc/hosts and /etc/resolv.conf the node's; then (Perl is essential on Debian) chroot, the
    // image's working directory, the pod's user, and the Deployment's command.
    List<String> chrooted = new ArrayList<>(List.of("/usr/bin/unshare", "--mount", "--", "/bin/sh", "-c",
        "set -e; r=$1; shift; mkdir -p \"$r/proc\"; touch \"$r/etc/hosts\" \"$r/etc/resolv.conf\"; mount --bind \"$r\" \"$r\";"
            + " mount -o remount,bind,ro \"$r\"; mount -t tmpfs -o size=64m,mode=1777 tmpfs \"$r/tmp\";"
            + " mount -t proc proc \"$r/proc\"; mount --bind /etc/hosts \"$r/etc/hosts\"; mount --bind /etc/resolv.conf \"$r/etc/resolv.conf\";"
            + " exec /usr/bin/perl -MPOSIX -e '($r, $wd, $uid, $gid) = splice(@ARGV, 0, 4); chroot($r) or die \"chroot: $!\";"
            + " chdir($wd) or die \"chdir: $!\"; POSIX::setgid($gid) or die; $) = \"$gid $gid\"; POSIX::setuid($uid) or die;"
            + " exec { $ARGV[0] } @ARGV or die \"exec: $!\"' \"$r\" \"$@\"",
        "sh", rootfs, config.getJsonObject("config").getString("WorkingDir"),
        String.valueOf(security.getInteger("runAsUser")), String.valueOf(security.getInteger("runAsGroup"))));
    chrooted.addAll(command);
    // The ConfigMap's settings, but the test's database, SMTP server and ports; the image's PATH.
    JsonObject extra = configMap.getJsonObject("data").copy();
    TestServer.config("unused", 0).fieldNames().forEach(extra::remove);
    extra.remove("HTTP_PORT");
    extra.remove("MANAGEMENT_PORT");
    for (Object e : config.getJsonObject("config").getJsonArray("Env")) {
      String[] kv = ((String) e).split("=", 2);
      extra.put(kv[0], kv[1]);
    }
    RosterProcess roster = RosterProcess.start(chrooted, smtp, extra, "image-it.log");
    try {
      Journeys journeys = new Journeys(roster.server);
      Person admin = journeys.newOrgWithRootAdmin("Image Ltd");
      assertThat(roster.server.http.get("/api/v1/me").bearer(admin.accessToken()).send().status()).isEqualTo(200);
      journeys.create(admin, Journeys.uniqueEmail("imaged"), "USER");
      Person again = journeys.login(admin.email(), Journeys.PASSWORD, admin.secret());
      assertThat(again.accessToken()).isNotBlank();
      String log = Files.readString(roster.log);
      assertThat(log).as("LOG_FORMAT=json from the ConfigMap").contains("\"@timestamp\"");
    } finally {
      roster.process.destroy();
      assertThat(roster.process.waitFor(60, TimeUnit.SECONDS)).as("stopped on SIGTERM").isTrue();
      smtp.stop();
    }
    assertThat(roster.process.exitValue()).as(Files.readString(roster.log)).isZero();
  }

  static JsonObject object(ManifestsTest.Result r, String kind) {
    for (Object o : r.report().getJsonArray("objects")) {
      JsonObject entry = (JsonObject) o;
      if (entry.getString("kind").equals(kind)) {
        return entry.getJsonObject("object");
      }
    }
    throw new AssertionError("no " + kind + " in k8s/");
  }

  static List<String> strings(JsonArray array) {
    List<String> out = new ArrayList<>();
    array.forEach(v -> out.add((String) v));
    return out;
  }

  static void run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).inheritIO().start();
    assertThat(p.waitFor()).as(String.join(" ", command)).isZero();
  }
}
