package com.presencehub.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's handling of a bad configuration (moved from ConfigLoaderTest). */
class MainTest {

  private static final String SECRET = "test-secret-0123456789abcdef0123456789";

  @TempDir Path dir;

  @Test
  @DisplayName("makes the launcher exit with status 2 and a message naming the bad key")
  void launcherStops() throws IOException {
    Path f = dir.resolve("config.json");
    Files.writeString(f, "{\"jwtSecret\":\"" + SECRET + "\",\"idleTimeoutMs\":0}");
    Main main = new Main();
    main.config = f;
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int code;
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      code = main.call();
    } finally {
      System.setErr(err);
    }
    String out = captured.toString(StandardCharsets.UTF_8);
    assertEquals(2, code, out);
    assertTrue(out.contains("configuration error"), out);
    assertTrue(out.contains("idleTimeoutMs"), out);
    assertTrue(out.contains("config file"), out);
  }
}
