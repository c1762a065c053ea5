package com.presencehub.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.api.client.PresenceService;
import com.presencehub.node.Main;
import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example service is run as a single source file ({@code java -cp presence-hub.jar
 * examples/chat-bot/ChatBot.java}), so the build does not compile it; this keeps it compiling
 * against the facade as the code moves on, and proves it needs the Java client module only
 * (issue 16): it is compiled against the client's classes (clients/java, presence-hub-client) and
 * Vert.x's jars with what they bring (Netty, Jackson, Hazelcast), without the hub's classes or its
 * other dependencies. (Running it needs a clustered hub; its README says how.)
 */
@DisplayName("examples/chat-bot compiles against the Java client module")
class ChatBotExampleTest {

  /** Vert.x (vertx-core, vertx-hazelcast) and the libraries they depend on, by their Maven folders. */
  private static final List<String> VERTX_AND_ITS_DEPENDENCIES = List.of("/io/vertx/", "/io/netty/",
      "/com/fasterxml/jackson/", "/com/hazelcast/");

  @Test
  @DisplayName("ChatBot.java compiles with only the client module and Vert.x on the class path")
  void compilesAgainstTheClientOnly(@TempDir Path out) throws Exception {
    Path client = locationOf(PresenceService.class);
    Path hub = locationOf(Main.class);
    assertFalse(client.equals(hub), "the facade is in the hub's own classes (" + hub + "), not in the client module");
    List<String> classPath = new ArrayList<>();
    classPath.add(client.toString());
    for (String entry : testClassPath()) {
      if (VERTX_AND_ITS_DEPENDENCIES.stream().anyMatch(entry.replace(File.separatorChar, '/')::contains)) {
        classPath.add(entry);
      }
    }
    assertTrue(classPath.stream().anyMatch(e -> e.contains("vertx-hazelcast")), "vertx-hazelcast not found in " + classPath);
    assertFalse(classPath.contains(hub.toString()), "the hub's classes are on the class path");

    assertEquals("", compile(String.join(File.pathSeparator, classPath), out),
        "examples/chat-bot/ChatBot.java does not compile against the client module and Vert.x alone");
    assertTrue(Files.isRegularFile(out.resolve("ChatBot.class")));
  }

  @Test
  @DisplayName("the same class path without the client module does not compile it (the check above can fail)")
  void needsTheClient(@TempDir Path out) throws Exception {
    List<String> classPath = testClassPath().stream()
        .filter(e -> VERTX_AND_ITS_DEPENDENCIES.stream().anyMatch(e.replace(File.separatorChar, '/')::contains)).toList();
    String diagnostics = compile(String.join(File.pathSeparator, classPath), out);
    assertTrue(diagnostics.contains("com.presencehub.api.client"), "expected the facade's package missing:\n" + diagnostics);
  }

  /** Compiles the example; returns javac's diagnostics, empty when it compiled. */
  private static String compile(String classPath, Path out) throws IOException {
    Path source = Path.of("examples", "chat-bot", "ChatBot.java");
    assertTrue(Files.isRegularFile(source), "missing " + source.toAbsolutePath());
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertNotNull(javac, "no Java compiler in this JVM (a JDK is needed)");
    StringWriter diagnostics = new StringWriter();
    boolean ok = javac.getTask(diagnostics, null, null,
        List.of("-proc:none", "-Xlint:none", "--release", "17", "-classpath", classPath, "-d", out.toString()), null,
        javac.getStandardFileManager(null, null, null).getJavaFileObjects(source.toFile())).call();
    return ok ? "" : diagnostics.toString().isEmpty() ? "javac failed" : diagnostics.toString();
  }

  /** Surefire runs tests from a manifest-only jar; the real class path is in this property. */
  private static List<String> testClassPath() {
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    return List.of(cp.split(File.pathSeparator));
  }

  /** The class folder or jar a class was loaded from. */
  private static Path locationOf(Class<?> type) throws URISyntaxException {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
  }
}
