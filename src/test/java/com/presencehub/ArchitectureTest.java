package com.presencehub;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
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
 * what a reader holds in mind. Both modules are checked: the hub's classes and the Java client's
 * (clients/java: api/client, protocol, presence, ordering), which reach this test as a folder of
 * classes or, from {@code package} on, as the presence-hub-client jar.
 */
class ArchitectureTest {

  /** The longest main class, in lines (wc -l). */
  static final int MAX_LINES = 350;

  /** Where the main sources of the two modules are, from the repository's root. */
  static final List<Path> SOURCE_ROOTS = List.of(Path.of("src", "main", "java"),
      Path.of("clients", "java", "src", "main", "java"));

  /** The packages of the client module (clients/java); every other com.presencehub package is the hub's. */
  static final String[] CLIENT_PACKAGES = {"com.presencehub.api.client..", "com.presencehub.protocol..",
      "com.presencehub.presence..", "com.presencehub.ordering.."};

  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    // Jars are left out (the hub's dependencies), except the client module's own.
    main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .withImportOption(location -> !location.isJar() || location.contains("presence-hub-client"))
        .importPackages("com.presencehub");
    assertTrue(main.size() > 50, "the main classes were not found: " + main.size());
    for (String clientClass : List.of("com.presencehub.api.client.impl.EventBusPresenceService",
        "com.presencehub.protocol.BusMessages", "com.presencehub.presence.UserPresence",
        "com.presencehub.ordering.DeliveryQueue")) {
      assertTrue(main.contain(clientClass), "the client module's classes were not found: " + clientClass);
    }
  }

  @Test
  @DisplayName("the Java client module needs nothing of the hub: api.client, protocol, presence and ordering use only each other, the JDK and vertx-core")
  void clientModuleStandsAlone() {
    classes().that().resideInAnyPackage(CLIENT_PACKAGES)
        .should().onlyDependOnClassesThat().resideInAnyPackage(concat(CLIENT_PACKAGES, "java..", "io.vertx.core.."))
        .check(main);
    classes().that().resideInAPackage("com.presencehub.ordering..")
        .should().onlyDependOnClassesThat().resideInAnyPackage("com.presencehub.ordering..", "java..", "io.vertx.core..")
        .check(main);
    // LAYOUT.md item 4: the server does not borrow its own client package (routing/ is a service on top of it)
    noClasses().that().resideInAnyPackage("com.presencehub.api.impl..", "com.presencehub.api.http..",
        "com.presencehub.shard..", "com.presencehub.delivery..", "com.presencehub.gateway..", "com.presencehub.cluster..")
        .should().dependOnClassesThat().resideInAPackage("com.presencehub.api.client..")
        .check(main);
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
        "com.presencehub.logging..", "com.presencehub.node..", "com.presencehub.ordering.."};
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
    List<String> offenders = new java.util.ArrayList<>();
    for (Path root : SOURCE_ROOTS) {
      assertTrue(Files.isDirectory(root), "missing source folder " + root.toAbsolutePath());
      try (Stream<Path> files = Files.walk(root)) {
        offenders.addAll(files.filter(p -> p.toString().endsWith(".java"))
            .map(p -> new Object[] {p.toString(), lines(p)})
            .filter(f -> (long) f[1] > MAX_LINES)
            .sorted((a, b) -> Long.compare((long) b[1], (long) a[1]))
            .map(f -> f[0] + " (" + f[1] + " lines)")
            .collect(Collectors.toList()));
      }
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
