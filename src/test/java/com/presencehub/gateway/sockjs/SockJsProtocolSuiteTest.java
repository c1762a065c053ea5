package com.presencehub.gateway.sockjs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the SockJS protocol's own test suite (sockjs/sockjs-protocol's sockjs-protocol.py, ported to
 * Python 3 under {@code src/test/sockjs-protocol/}) against the hub's SockJS layer serving the
 * suite's echo services on two event loops ({@link SockJsEchoServer}), and fails unless every check
 * that applies passes. The hub's own behaviour on {@code /presence} (auth, close codes, limits) is
 * tested by the gateway tests; this pins the protocol.
 *
 * <p>Needs Python 3 with websocket-client (Debian: python3-websocket); system property {@code
 * python.executable} (default {@code /usr/bin/python3} when present, else {@code python3}). Without
 * it the test is reported as skipped with the reason, never passed.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
@DisplayName("sockjs-protocol's own test suite against the hub's SockJS layer")
class SockJsProtocolSuiteTest {

  private static final Pattern SUMMARY =
      Pattern.compile("SOCKJS-PROTOCOL passed=(\\d+) failed=(\\d+) total=(\\d+) not-applicable=(\\d+)");
  /** Test methods in the suite (sockjs-protocol.py at the newest commit of sockjs/sockjs-protocol). */
  private static final int TOTAL = 68;
  /** hixie-76 WebSocket (test_haproxy), listed with its reason in run.py. */
  private static final int NOT_APPLICABLE = 1;

  private Vertx vertx;

  @AfterEach
  void stop() throws Exception {
    if (vertx != null) {
      vertx.close().await(20, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("every check that applies passes (67 of 68; hixie-76 does not apply), with sessions hopping between 2 loops")
  void protocolSuitePasses() throws Exception {
    String python = System.getProperty("python.executable",
        Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3");
    Path dir = Path.of(System.getProperty("repo.root", ".")).resolve("src/test/sockjs-protocol").toAbsolutePath();
    assertTrue(Files.isRegularFile(dir.resolve("run.py")), "missing " + dir.resolve("run.py"));
    Assumptions.assumeTrue(canImportWebsocket(python, dir),
        python + " cannot import websocket (websocket-client): install python3-websocket to run this suite");

    vertx = Vertx.vertx();
    SockJsEchoServer server = SockJsEchoServer.start(vertx, 2);
    ProcessBuilder pb = new ProcessBuilder(python, "run.py").directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().put("SOCKJS_URL", "http://127.0.0.1:" + server.port());
    pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
    Process p = pb.start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        System.out.println("[sockjs-protocol] " + line);
        lines.add(line);
      }
    }
    assertTrue(p.waitFor(3, TimeUnit.MINUTES), "the suite did not finish");
    String out = String.join("\n", lines);
    Matcher m = lines.stream().map(SUMMARY::matcher).filter(Matcher::find).findFirst().orElse(null);
    assertNotNull(m, "no summary line from run.py:\n" + out);
    assertEquals(TOTAL, Integer.parseInt(m.group(3)), "the suite's size changed:\n" + out);
    assertEquals(NOT_APPLICABLE, Integer.parseInt(m.group(4)), out);
    assertEquals(0, Integer.parseInt(m.group(2)), "failed checks:\n" + out);
    assertEquals(TOTAL - NOT_APPLICABLE, Integer.parseInt(m.group(1)), out);
    assertEquals(0, p.exitValue(), out);
    assertTrue(server.hops() > 0, "no request was handed to another loop's session: the test did not test that");
  }

  private static boolean canImportWebsocket(String python, Path dir) {
    try {
      Process p = new ProcessBuilder(python, "-c", "import websocket").directory(dir.toFile()).redirectErrorStream(true)
          .start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (Exception e) {
      return false;
    }
  }
}
