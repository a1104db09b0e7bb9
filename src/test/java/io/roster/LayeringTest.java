package io.roster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layering STYLE.md asks for: no two packages depend on each other, directly or round a
 * longer cycle (the root package, which wires everything, aside), and the domain rules use no
 * framework. Read from the sources' imports and qualified names.
 */
class LayeringTest {
  private static final Path ROOT = Path.of("src/main/java/io/roster");
  private static final Pattern REFERENCE = Pattern.compile("io\\.roster\\.([a-z]+)\\.[A-Z]");

  static Map<String, Set<String>> dependencies() throws Exception {
    Map<String, Set<String>> deps = new TreeMap<>();
    try (Stream<Path> files = Files.walk(ROOT)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        Path rel = ROOT.relativize(f);
        if (rel.getNameCount() < 2) {
          continue;
        }
        String pkg = rel.getName(0).toString();
        Set<String> uses = deps.computeIfAbsent(pkg, k -> new HashSet<>());
        Matcher m = REFERENCE.matcher(Files.readString(f));
        while (m.find()) {
          if (!m.group(1).equals(pkg)) {
            uses.add(m.group(1));
          }
        }
      }
    }
    return deps;
  }

  @Test
  void noPackageDependsOnItselfThroughAnother() throws Exception {
    Map<String, Set<String>> deps = dependencies();
    assertThat(deps).containsKeys("users", "auth", "lifecycle", "sessions");
    List<String> cycles = new ArrayList<>();
    for (String start : deps.keySet()) {
      for (String path : reachable(deps, start)) {
        if (path.endsWith("->" + start)) {
          cycles.add(path);
        }
      }
    }
    assertThat(cycles).as("package cycles").isEmpty();
    assertThat(deps.get("users")).doesNotContain("auth");
    assertThat(deps.get("auth")).doesNotContain("users");
  }

  @Test
  void domainRulesUseNoFramework() throws Exception {
    try (Stream<Path> files = Files.walk(ROOT.resolve("domain"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        assertThat(Files.readString(f)).as(f.toString()).doesNotContain("import io.vertx");
      }
    }
  }

  /** Every simple path from start, as "a->b->c" (stopping when it comes back to start). */
  private static List<String> reachable(Map<String, Set<String>> deps, String start) {
    List<String> out = new ArrayList<>();
    walk(deps, start, start, new HashSet<>(Set.of(start)), out);
    return out;
  }

  private static void walk(Map<String, Set<String>> deps, String start, String path, Set<String> seen, List<String> out) {
    String last = path.substring(path.lastIndexOf('>') + 1);
    for (String next : deps.getOrDefault(last, Set.of())) {
      if (next.equals(start)) {
        out.add(path + "->" + next);
      } else if (seen.add(next)) {
        walk(deps, start, path + "->" + next, seen, out);
        seen.remove(next);
      }
    }
  }
}
