package io.roster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 item 6: the AppCDS training run (java -XX:ArchiveClassesAtExit=… -jar roster.jar
 * train-cds) starts Roster on a throw-away embedded PostgreSQL, exercises it, exits 0, and leaves an
 * archive that a later JVM maps (-Xshare:on fails the start when it cannot). CDS archives classes
 * from jars only, so the test packs target/classes into one first, as the real jar is.
 */
class CdsTrainingTest {

  @Test
  void theTrainingRunLeavesAnArchiveTheNextStartMaps(@TempDir Path dir) throws Exception {
    Path app = dir.resolve("roster-classes.jar");
    Path classes = Path.of("target/classes");
    try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(app)); Stream<Path> files = Files.walk(classes)) {
      for (Path f : (Iterable<Path>) files.filter(f -> !f.equals(classes))::iterator) {
        String name = classes.relativize(f).toString().replace(File.separatorChar, '/');
        // Directory entries too: Flyway finds the migrations by listing db/migration/ in the jar.
        jar.putNextEntry(new JarEntry(Files.isDirectory(f) ? name + "/" : name));
        if (Files.isRegularFile(f)) {
          Files.copy(f, jar);
        }
        jar.closeEntry();
      }
    }
    List<String> cp = new ArrayList<>(List.of(app.toString()));
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (entry.endsWith(".jar")) {
        cp.add(entry);
      }
    }
    String classpath = String.join(File.pathSeparator, cp);
    Path archive = dir.resolve("roster.jsa");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    Run training = run(dir, java, "-XX:ArchiveClassesAtExit=" + archive, "-cp", classpath, "io.roster.Main", "train-cds");
    assertThat(training.exit()).as(training.output()).isZero();
    assertThat(training.output()).contains("Training run done");
    assertThat(archive).exists();
    assertThat(Files.size(archive)).isGreaterThan(1_000_000);

    // -Xshare:on: the JVM refuses to start unless it maps the archive.
    Run mapped = run(dir, java, "-Xshare:on", "-XX:SharedArchiveFile=" + archive, "-Xlog:cds=info", "-cp", classpath,
        "io.roster.Main", "measure-hashing", "0");
    assertThat(mapped.exit()).as(mapped.output()).isZero();
    assertThat(mapped.output()).contains("checksPerSecond");
  }

  record Run(int exit, String output) {}

  private static Run run(Path dir, String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }
}
