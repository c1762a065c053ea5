package com.presencehub.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.presencehub.testing.HubCluster;
import com.presencehub.testing.HubProcess;
import com.presencehub.testing.SockJsTestClient;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A node frozen with SIGSTOP for longer than failure detection: the others count it dead and its
 * users go offline; meanwhile sessions come and go elsewhere. After SIGCONT the cluster splits,
 * merges, and every node's view must end equal to the truth: no ghost online, no lost session.
 */
class FrozenNodeTest {

  @Test
  void afterAFreezeEveryViewConvergesToTheTruth() throws IOException {
    try (HubCluster cluster = new HubCluster("FrozenNodeTest", 3, Map.of("idleTimeoutMs", 600_000)).startAll();
        Portal portal = new Portal()) {
      Convergence truth = new Convergence();
      Map<String, SockJsTestClient> askers = new LinkedHashMap<>();
      for (int n = 0; n < 3; n++) {
        askers.put("n" + n, portal.login(cluster.node(n), "asker-" + n, "tech"));
        truth.opened("asker-" + n);
      }
      Map<String, SockJsTestClient> sessions = new LinkedHashMap<>();
      for (int n = 0; n < 3; n++) {
        for (int i = 0; i < 5; i++) {
          String user = "u" + n + "-" + i;
          sessions.put(user, portal.login(cluster.node(n), user, "client"));
          truth.opened(user);
        }
      }
      portal.login(cluster.node(0), "split", "client");
      portal.login(cluster.node(2), "split", "client");
      truth.opened("split");
      truth.opened("split");
      await("converged before the freeze").atMost(Duration.ofSeconds(10))
          .until(() -> truth.mismatches(askers).isEmpty());

      HubProcess frozen = cluster.node(2);
      Map<String, SockJsTestClient> others = new LinkedHashMap<>(askers);
      others.remove("n2");
      long logBefore = Files.size(frozen.log()); // the log is appended to across runs
      frozen.signal("STOP");
      try {
        // The others give up on the frozen node and its users (failure detection 3 s, grace 1 s).
        await("frozen node's users offline elsewhere").atMost(Duration.ofSeconds(15)).until(() ->
            "offline".equals(Portal.status(askers.get("n0"), "u2-0")));
        // Life goes on without it.
        sessions.get("u0-0").send(new JsonObject().put("type", "bye"));
        truth.closed("u0-0");
        sessions.put("late-1", portal.login(cluster.node(1), "late-1", "client"));
        truth.opened("late-1");
        await().atMost(Duration.ofSeconds(10)).until(() ->
            "online".equals(Portal.status(askers.get("n0"), "late-1")));
      } finally {
        frozen.signal("CONT");
      }
      long resumedAt = System.currentTimeMillis();
      // The whole process was frozen (ProcessPauses saw it too): quarantined until re-synced.
      await("the resumed node knows it was paused").atMost(Duration.ofSeconds(30))
          .until(() -> logSince(frozen, logBefore).contains("this process was paused"));
      await("every view equal to the truth after the merge").atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200)).until(() -> truth.mismatches(askers).isEmpty());
      long converged = System.currentTimeMillis() - resumedAt;
      System.out.println("converged " + converged + " ms after SIGCONT");
      // And it stays converged.
      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
          .until(() -> truth.mismatches(askers).isEmpty());
      assertEquals(List.of(), truth.mismatches(askers));
    }
  }

  /** What {@code node} logged after byte {@code from} (decoded leniently: a line may be half written). */
  private static String logSince(HubProcess node, long from) throws IOException {
    byte[] all = Files.readAllBytes(node.log());
    return new String(all, (int) Math.min(from, all.length), (int) Math.max(0, all.length - from), StandardCharsets.UTF_8);
  }
}
