package com.presencehub.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.config.HubConfig;
import com.presencehub.node.HubNode;
import com.presencehub.testing.NodeTestRun;
import com.presencehub.testing.TestNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
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
 * Runs {@code deploy/tests} (node:test) against a real node: the Kubernetes manifests of
 * {@code deploy/k8s} against the Kubernetes API schemas (npm {@code kubernetes-models}) and the
 * hub's own rules (probes, grace period, discovery service, PDB, no secret value); the alert rules
 * of {@code deploy/prometheus} through {@code promtool check rules} and {@code promtool test rules};
 * and every metric the Grafana dashboard and the alert rules read, against this node's {@code /metrics}.
 *
 * <p>Needs {@code npm ci --prefix deploy/tests} ({@code mvn verify} does it unless
 * {@code -Dskip.npm=true}) and {@code /usr/bin/promtool} (Debian's {@code prometheus};
 * {@code .ci/run} installs it; {@code -Dpromtool=/path} for another).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@DisplayName("deploy/: Kubernetes manifests, Prometheus rules and the Grafana dashboard")
class DeployKitTest {

  private static Vertx vertx;
  private static HubNode node;

  /** A node as Main starts one: Vert.x's own meters (HTTP, event bus, pools) in the same registry. */
  @BeforeAll
  static void startNode() throws Exception {
    PrometheusMeterRegistry registry = HubNode.newRegistry();
    vertx = HubNode.createVertx(registry);
    node = await(HubNode.start(vertx, HubConfig.fromJson(TestNode.defaults().put("devTokens", false)), registry));
  }

  @AfterAll
  static void stopNode() throws Exception {
    if (node != null) {
      await(node.stop());
    }
    if (vertx != null) {
      await(vertx.close());
    }
  }

  @Test
  @DisplayName("every check of deploy/tests passes, none skipped")
  void deployChecksPass() throws Exception {
    Path tests = Path.of(System.getProperty("repo.root", ".")).toAbsolutePath().resolve("deploy").resolve("tests");
    assertTrue(Files.isDirectory(tests.resolve("node_modules").resolve("kubernetes-models")),
        "deploy/tests/node_modules is missing: run `npm ci --prefix deploy/tests` (mvn verify does it unless -Dskip.npm=true)");
    Path promtool = Path.of(System.getProperty("promtool", "/usr/bin/promtool"));
    assertTrue(Files.isExecutable(promtool),
        promtool + " not found: install Debian's prometheus (`apt-get install -y prometheus`; .ci/run does it)");
    // Micrometer's GC pause timer appears with the first pause after the node bound it.
    System.gc();
    NodeTestRun.Result result = NodeTestRun.run(tests, List.of(), Map.of(
            "METRICS_URL", "http://127.0.0.1:" + node.config().httpPort() + "/metrics",
            "PROMTOOL", promtool.toString()),
        Duration.ofMinutes(4), "[deploy]");
    result.assertPassed(16);
    assertEquals(0, result.count("skipped"), "skipped tests (METRICS_URL not seen?):\n" + result.tail(40));
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
