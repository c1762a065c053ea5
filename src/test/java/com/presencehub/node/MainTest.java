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
    Launch r = launch(f);
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("configuration error"), r.err());
    assertTrue(r.err().contains("idleTimeoutMs"), r.err());
    assertTrue(r.err().contains("config file"), r.err());
  }

  @Test
  @DisplayName("names httpPort and the address when the HTTP port is taken, and exits with status 1")
  void portTaken() throws IOException {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Path f = dir.resolve("config.json");
      Files.writeString(f, "{\"jwtSecret\":\"" + SECRET + "\",\"httpHost\":\"127.0.0.1\",\"httpPort\":" + taken.getLocalPort() + "}");
      Launch r = launch(f);
      assertEquals(1, r.code(), r.err());
      assertTrue(r.err().contains("could not start") && r.err().contains("httpPort 127.0.0.1:" + taken.getLocalPort()), r.err());
    }
  }

  private record Launch(int code, String err) { }

  /** Runs the launcher on config file {@code f}: its exit status and what it printed on stderr. */
  private static Launch launch(Path f) {
    Main main = new Main();
    main.config = f;
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      int code = main.call();
      return new Launch(code, captured.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(err);
    }
  }
}
