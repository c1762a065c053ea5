package com.presencehub.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.testing.ClusterMember;
import com.presencehub.testing.HubCluster;
import com.presencehub.testing.HubProcess;
import com.presencehub.testing.SockJsTestClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Every node in turn stopped with SIGTERM and started again, as a rolling restart does. Sessions
 * closed with 4503 reconnect to another node at once, as the portal client does; nobody may
 * appear offline at any point (§6), on presence.changes or in any node's view.
 */
class RollingRestartTest {

  private static final int PER_NODE = 4;

  @Test
  void aRollingRestartNeverShowsAnyoneOffline() throws Exception {
    Map<String, Object> cfg = Map.of("idleTimeoutMs", 600_000, "offlineGraceMs", 3000);
    ExecutorService reconnector = Executors.newSingleThreadExecutor();
    try (HubCluster cluster = new HubCluster("RollingRestartTest", 3, cfg).startAll();
        Portal portal = new Portal();
        ClusterMember listener = ClusterMember.join(cluster)) {
      List<String> users = new ArrayList<>();
      AtomicInteger reconnects = new AtomicInteger();
      for (int n = 0; n < 3; n++) {
        for (int i = 0; i < PER_NODE; i++) {
          String user = "roll-" + n + "-" + i;
          users.add(user);
          stayConnected(portal, cluster, n, user, reconnector, reconnects);
        }
      }
      await("everyone online, published").atMost(Duration.ofSeconds(15))
          .until(() -> users.stream().allMatch(u -> !listener.changesOf(u).isEmpty()));
      long from = System.currentTimeMillis();

      for (int n = 0; n < 3; n++) {
        HubProcess node = cluster.node(n);
        node.terminate(Duration.ofSeconds(40));
        HubProcess again = cluster.restart(n);
        again.awaitReady(Duration.ofSeconds(60));
      }
      assertTrue(reconnects.get() >= 3 * PER_NODE, "every session moved at least once: " + reconnects.get());

      Map<String, SockJsTestClient> askers = new LinkedHashMap<>();
      for (int n = 0; n < 3; n++) {
        askers.put("n" + n, portal.login(cluster.node(n), "asker-" + n, "tech"));
      }
      await("every node sees everyone").atMost(Duration.ofSeconds(15)).until(() -> askers.values().stream()
          .allMatch(a -> Portal.query(a, users).values().stream().noneMatch(r -> "offline".equals(r.getString("status")))));
      List<JsonObject> offline = new ArrayList<>();
      for (String u : users) {
        for (JsonObject e : listener.changesOf(u)) {
          if (e.getLong("receivedAt") >= from && "offline".equals(e.getString("status"))) {
            offline.add(e);
          }
        }
      }
      assertEquals(List.of(), offline, "offline flaps during the rolling restart");
    } finally {
      reconnector.shutdownNow();
    }
  }

  /** A session that, closed with 4503, reconnects to the next node, like presence-client.js. */
  private static void stayConnected(Portal portal, HubCluster cluster, int node, String user, ExecutorService reconnector,
      AtomicInteger reconnects) {
    SockJsTestClient c = portal.login(cluster.node(node), user, "client");
    c.closed().onSuccess(closed -> {
      if (closed.code() == 4503) {
        reconnects.incrementAndGet();
        reconnector.execute(() -> stayConnected(portal, cluster, (node + 1) % cluster.size(), user, reconnector, reconnects));
      }
    });
  }
}
