package com.presencehub;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The layout's rules (design/LAYOUT.md, issue 13), on the main classes only (tests may reach into
 * any package): dependencies point one way — {@code presence} at the bottom, {@code protocol} and
 * {@code config} above it, the features above those, {@code node} on top — and no class grows past
 * what a reader holds in mind.
 */
class ArchitectureTest {

  /** The longest main class, in lines (wc -l). */
  static final int MAX_LINES = 350;

  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
        .importPackages("com.presencehub");
    assertTrue(main.size() > 50, "the main classes were not found: " + main.size());
  }

  @Test
  @DisplayName("no cycle between the top-level packages")
  void noPackageCycle() {
    slices().matching("com.presencehub.(*)..").should().beFreeOfCycles().check(main);
  }

  @Test
  @DisplayName("nothing outside node/ depends on node/: it is the composition root, on top of everything")
  void nothingImportsNode() {
    noClasses().that().resideOutsideOfPackage("com.presencehub.node..")
        .should().dependOnClassesThat().resideInAPackage("com.presencehub.node..")
        .check(main);
  }

  @Test
  @DisplayName("the bottom stays at the bottom: presence depends on no hub package, protocol only on presence, config only on both")
  void lowerLayersDependOnlyDownwards() {
    String[] above = {"com.presencehub.shard..", "com.presencehub.delivery..", "com.presencehub.gateway..",
        "com.presencehub.cluster..", "com.presencehub.api..", "com.presencehub.routing..", "com.presencehub.portal..",
        "com.presencehub.logging..", "com.presencehub.node.."};
    noClasses().that().resideInAPackage("com.presencehub.presence..")
        .should().dependOnClassesThat().resideInAnyPackage(concat(above, "com.presencehub.protocol..", "com.presencehub.config.."))
        .check(main);
    noClasses().that().resideInAPackage("com.presencehub.protocol..")
        .should().dependOnClassesThat().resideInAnyPackage(concat(above, "com.presencehub.config.."))
        .check(main);
    noClasses().that().resideInAPackage("com.presencehub.config..")
        .should().dependOnClassesThat().resideInAnyPackage(above)
        .check(main);
  }

  private static String[] concat(String[] packages, String... more) {
    return Stream.concat(Stream.of(packages), Stream.of(more)).toArray(String[]::new);
  }

  @Test
  @DisplayName("no main class above " + MAX_LINES + " lines")
  void noLongClass() throws IOException {
    Path root = Path.of("src", "main", "java");
    List<String> offenders;
    try (Stream<Path> files = Files.walk(root)) {
      offenders = files.filter(p -> p.toString().endsWith(".java"))
          .map(p -> new Object[] {root.relativize(p).toString(), lines(p)})
          .filter(f -> (long) f[1] > MAX_LINES)
          .sorted((a, b) -> Long.compare((long) b[1], (long) a[1]))
          .map(f -> f[0] + " (" + f[1] + " lines)")
          .collect(Collectors.toList());
    }
    assertTrue(offenders.isEmpty(), "main classes above " + MAX_LINES + " lines: " + offenders);
  }

  /** As {@code wc -l} counts: newline characters. */
  private static long lines(Path p) {
    try {
      return Files.readString(p).chars().filter(c -> c == '\n').count();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
