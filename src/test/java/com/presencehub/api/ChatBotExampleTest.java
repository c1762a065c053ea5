package com.presencehub.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example service is run as a single source file ({@code java -cp presence-hub.jar
 * examples/chat-bot/ChatBot.java}), so the build does not compile it; this keeps it compiling
 * against the facade as the code moves on. (Running it needs a clustered hub; its README says how.)
 */
@DisplayName("examples/chat-bot compiles against the facade")
class ChatBotExampleTest {

  @Test
  @DisplayName("ChatBot.java compiles with the hub's classes and dependencies on the class path")
  void compiles(@TempDir Path out) throws IOException {
    Path source = Path.of("examples", "chat-bot", "ChatBot.java");
    assertTrue(Files.isRegularFile(source), "missing " + source.toAbsolutePath());
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertNotNull(javac, "no Java compiler in this JVM (a JDK is needed)");
    // Surefire runs tests from a manifest-only jar; the real class path is in this property.
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    StringWriter diagnostics = new StringWriter();
    int code = javac.getTask(diagnostics, null, null,
        List.of("-proc:none", "-Xlint:none", "--release", "17", "-classpath", classPath, "-d", out.toString()), null,
        javac.getStandardFileManager(null, null, null).getJavaFileObjects(source.toFile())).call() ? 0 : 1;
    assertEquals(0, code, "examples/chat-bot/ChatBot.java does not compile:\n" + diagnostics);
    assertTrue(Files.isRegularFile(out.resolve("ChatBot.class")));
  }
}
