package com.presencehub.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.presencehub.ops.HubConfig;
import com.presencehub.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the end-to-end suite in {@code e2e/} ({@code node --test}, the real sockjs-client over
 * websocket, xhr-streaming and xhr-polling) against real hub nodes on loopback, and fails unless
 * node reports enough passed tests and no failures.
 *
 * <p>Two nodes: the main one with the test defaults (two gateway instances, as in production)
 * serves every transport but xhr-polling; xhr-polling runs against a node with one gateway
 * instance, because with several the hub intermittently loses xhr-polling sessions (pinned by
 * {@code e2e/test/known-defects.test.mjs}, which runs against the main node).
 *
 * <p>Needs {@code npm ci --prefix e2e} first; {@code mvn verify} does that in
 * generate-test-resources unless {@code -Dskip.npm=true}. Node's output goes to this test's log.
 * System properties of the test JVM: {@code e2e.node} (node executable, default {@code node}),
 * {@code e2e.dir} (default {@code <basedir>/e2e}), {@code e2e.timeoutSeconds} (default 300).
 */
@Timeout(value = 7, unit = TimeUnit.MINUTES)
class SockJsClientSuiteTest {

  /** Hard limit for the node run (-De2e.timeoutSeconds); the process tree is killed when it is exceeded. */
  private static final Duration SUITE_TIMEOUT = Duration.ofSeconds(Long.getLong("e2e.timeoutSeconds", 300));
  /**
   * Passed tests expected at least: 14 per transport plus the 3 xhr-polling guards. Raise it when
   * tests are added.
   */
  private static final int MIN_PASSED = 45;

  private static final Pattern SUMMARY = Pattern.compile("^# (tests|suites|pass|fail|cancelled|skipped|todo) (\\d+)\\s*$");

  private static Vertx vertx;
  private static TestNode node;

  @BeforeAll
  static void startNodes() throws Exception {
    vertx = Vertx.vertx();
    node = await(TestNode.start(vertx));
  }

  @AfterAll
  static void stopNodes() throws Exception {
    if (node != null) {
      await(node.stop());
    }
    if (vertx != null) {
      await(vertx.close());
    }
  }

  @Test
  void sockJsClientSuitePasses() throws Exception {
    Path e2e = Path.of(System.getProperty("e2e.dir", Path.of(System.getProperty("basedir", ".")).resolve("e2e").toString()))
        .toAbsolutePath();
    assertTrue(Files.isDirectory(e2e.resolve("node_modules").resolve("sockjs-client")),
        "e2e/node_modules is missing (or lacks sockjs-client): run `npm ci --prefix e2e` "
            + "(mvn verify does it unless -Dskip.npm=true)");

    HubConfig cfg = node.node().config();
    ProcessBuilder pb = new ProcessBuilder(System.getProperty("e2e.node", "node"), "--test", "--test-reporter=tap")
        .directory(e2e.toFile())
        .redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.put("HUB_URL", "http://127.0.0.1:" + node.port());
    env.put("HUB_IDLE_MS", Long.toString(cfg.idleTimeoutMs()));
    env.put("HUB_GRACE_MS", Long.toString(cfg.offlineGraceMs()));
    env.put("HUB_AUTH_TIMEOUT_MS", Long.toString(cfg.authTimeoutMs()));
    env.put("HUB_MAX_FRAME_BYTES", Integer.toString(cfg.maxFrameBytes()));
    env.remove("HUB_TRANSPORTS");
    env.remove("NODE_OPTIONS");

    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new AssertionError("could not run node (Node.js 20+ must be on the PATH, or set -De2e.node=/path/to/node)", e);
    }
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    Thread pump = new Thread(() -> pump(process, lines), "e2e-node-output");
    pump.setDaemon(true);
    pump.start();

    if (!process.waitFor(SUITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      pump.join(5_000);
      fail("node --test did not finish within " + SUITE_TIMEOUT + " and was killed; last output:\n" + tail(lines, 40));
    }
    pump.join(10_000);
    int exit = process.exitValue();

    List<String> snapshot;
    synchronized (lines) {
      snapshot = new ArrayList<>(lines);
    }
    Map<String, Integer> summary = summary(snapshot);
    String failures = failures(snapshot);
    System.out.println("[e2e] summary " + summary + ", exit code " + exit);

    assertEquals(0, exit, "node --test exited with " + exit + "; failed tests:\n" + failures + "\n" + tail(snapshot, 20));
    assertTrue(summary.containsKey("pass") && summary.containsKey("fail"),
        "node's summary (# pass N / # fail N) not found in its output:\n" + tail(snapshot, 40));
    assertEquals(0, summary.get("fail"), "failed tests:\n" + failures);
    assertEquals(0, summary.getOrDefault("cancelled", 0), "cancelled tests (timeouts?):\n" + failures);
    assertTrue(summary.get("pass") >= MIN_PASSED,
        "only " + summary.get("pass") + " tests passed, expected at least " + MIN_PASSED + ": did the suite run at all?\n"
            + tail(snapshot, 40));
  }

  private static void pump(Process process, List<String> lines) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        lines.add(line);
        System.out.println("[e2e] " + line);
      }
    } catch (IOException e) {
      System.out.println("[e2e] output stream ended: " + e);
    }
  }

  /** The closing summary of the TAP reporter: tests, suites, pass, fail, cancelled, skipped, todo. */
  static Map<String, Integer> summary(List<String> lines) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (String line : lines) {
      Matcher m = SUMMARY.matcher(line);
      if (m.matches()) {
        out.put(m.group(1), Integer.parseInt(m.group(2)));
      }
    }
    return out;
  }

  /** The failing tests (not the todo ones) with their error lines. */
  private static String failures(List<String> lines) {
    StringBuilder sb = new StringBuilder();
    boolean inFailure = false;
    for (String line : lines) {
      String t = line.trim();
      if (t.startsWith("not ok ")) {
        inFailure = !t.contains("# TODO");
        if (inFailure) {
          sb.append(t).append('\n');
        }
      } else if (t.startsWith("ok ") || t.startsWith("# Subtest")) {
        inFailure = false;
      } else if (inFailure && (t.startsWith("error:") || t.startsWith("location:"))) {
        sb.append("    ").append(t).append('\n');
      }
    }
    return sb.length() == 0 ? "(none reported)" : sb.toString();
  }

  private static String tail(List<String> lines, int n) {
    synchronized (lines) {
      return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
