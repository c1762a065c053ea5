package com.presencehub.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.config.HubConfig;
import com.presencehub.testing.NodeTestRun;
import com.presencehub.testing.TestNode;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the end-to-end suite in {@code e2e/} ({@code node --test}: the real npm sockjs-client over
 * websocket, xhr-streaming and xhr-polling) against a real node started here, and fails unless it
 * ran and passed in full.
 *
 * <p>Needs {@code npm ci --prefix e2e} first; {@code mvn verify} does that in
 * generate-test-resources unless {@code -Dskip.npm=true}. Node's output goes to this test's log.
 * System properties: {@code node.executable} (default {@code node}), {@code e2e.dir} (default
 * {@code <basedir>/e2e}), {@code e2e.timeoutSeconds} (default 300).
 */
@Timeout(value = 7, unit = TimeUnit.MINUTES)
class SockJsClientSuiteTest {

  /** Hard limit for the node run; the process tree is killed when it is exceeded. */
  private static final Duration SUITE_TIMEOUT = Duration.ofSeconds(Long.getLong("e2e.timeoutSeconds", 300));
  /** Passed tests expected at least: 14 per transport plus the 3 xhr-polling guards. Raise it when tests are added. */
  private static final int MIN_PASSED = 45;

  private static Vertx vertx;
  private static TestNode node;

  @BeforeAll
  static void startNode() throws Exception {
    vertx = Vertx.vertx();
    node = TestNode.start(vertx).await(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stopNode() throws Exception {
    if (node != null) {
      node.stop().await(30, TimeUnit.SECONDS);
    }
    if (vertx != null) {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("the sockjs-client suite passes in full on websocket, xhr-streaming and xhr-polling")
  void sockJsClientSuitePasses() throws Exception {
    Path e2e = Path.of(System.getProperty("e2e.dir", Path.of(System.getProperty("repo.root", ".")).resolve("e2e").toString()))
        .toAbsolutePath();
    assertTrue(Files.isDirectory(e2e.resolve("node_modules").resolve("sockjs-client")),
        "e2e/node_modules is missing (or lacks sockjs-client): run `npm ci --prefix e2e` "
            + "(mvn verify does it unless -Dskip.npm=true)");

    HubConfig cfg = node.node().config();
    NodeTestRun.Result result = NodeTestRun.run(e2e, List.of(), Map.of(
            "HUB_URL", "http://127.0.0.1:" + node.port(),
            "HUB_IDLE_MS", Long.toString(cfg.idleTimeoutMs()),
            "HUB_GRACE_MS", Long.toString(cfg.offlineGraceMs()),
            "HUB_AUTH_TIMEOUT_MS", Long.toString(cfg.authTimeoutMs()),
            "HUB_MAX_FRAME_BYTES", Integer.toString(cfg.maxFrameBytes()),
            // All three transports, whatever the caller's environment narrows them to.
            "HUB_TRANSPORTS", "websocket,xhr-streaming,xhr-polling"),
        SUITE_TIMEOUT, "[e2e]");
    result.assertPassed(MIN_PASSED);
  }
}
