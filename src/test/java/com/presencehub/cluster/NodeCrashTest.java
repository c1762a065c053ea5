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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code kill -9} of a node (§6): its users that have no session elsewhere go offline on every
 * other node within the bound, each with exactly one {@code presence.changes} event; a user who
 * also has a session on a surviving node never goes offline. The killed node is the oldest, the
 * one publishing changes, so the survivor taking over is part of the test.
 */
class NodeCrashTest {

  private static final int USERS = 20;

  @Test
  void aCrashedNodesUsersGoOfflineOnceEverywhereAndNobodyElseDoes() {
    try (HubCluster cluster = new HubCluster("NodeCrashTest", 3, Map.of("idleTimeoutMs", 600_000)).startAll();
        Portal portal = new Portal();
        ClusterMember listener = ClusterMember.join(cluster)) {
      HubProcess victim = cluster.node(0);
      HubProcess b = cluster.node(1);
      HubProcess c = cluster.node(2);
      List<String> users = new ArrayList<>();
      for (int i = 0; i < USERS; i++) {
        users.add("crash-" + i);
        portal.login(victim, users.get(i), "client");
      }
      portal.login(victim, "both", "client");
      portal.login(c, "both", "client");
      SockJsTestClient askB = portal.login(b, "asker-b", "tech");
      SockJsTestClient askC = portal.login(c, "asker-c", "tech");
      List<String> all = new ArrayList<>(users);
      all.add("both");
      for (SockJsTestClient asker : List.of(askB, askC)) {
        await().atMost(Duration.ofSeconds(10)).until(() ->
            Portal.query(asker, all).values().stream().allMatch(r -> !"offline".equals(r.getString("status"))));
      }
      await("every user's online published").atMost(Duration.ofSeconds(10))
          .until(() -> all.stream().allMatch(u -> !listener.changesOf(u).isEmpty()));

      long killedAt = System.currentTimeMillis();
      victim.kill();

      for (SockJsTestClient asker : List.of(askB, askC)) {
        await("offline on every survivor").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() ->
            Portal.query(asker, users).values().stream().allMatch(r -> "offline".equals(r.getString("status"))));
      }
      long offlineAfter = System.currentTimeMillis() - killedAt;
      System.out.println("crash-to-offline (failure detection 3 s + grace 1 s): " + offlineAfter + " ms");
      assertTrue(offlineAfter < 10_000, "offline after " + offlineAfter + " ms");

      // Each crashed user: exactly one offline event, after the kill; and it comes within the bound.
      await("one offline event per user").atMost(Duration.ofSeconds(10)).until(() ->
          users.stream().allMatch(u -> offlineEvents(listener, u, killedAt) >= 1));
      // Nothing more arrives later: neither a duplicate nor a flap.
      try {
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() ->
            users.stream().allMatch(u -> eventsAfter(listener, u, killedAt) == 1));
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        StringBuilder why = new StringBuilder("events after the kill (at " + killedAt + "):");
        for (String u : users) {
          why.append("\n").append(u).append(": ").append(listener.changesOf(u));
        }
        throw new AssertionError(why.toString(), e);
      }
      for (String u : users) {
        assertEquals(1, offlineEvents(listener, u, killedAt), u + ": " + listener.changesOf(u));
      }
      assertEquals(0, eventsAfter(listener, "both", killedAt), "both: " + listener.changesOf("both"));
      assertEquals("online", Portal.status(askB, "both"));
      assertEquals("online", Portal.status(askC, "both"));
    }
  }

  static long offlineEvents(ClusterMember listener, String user, long after) {
    return listener.changesOf(user).stream()
        .filter(e -> e.getLong("receivedAt") >= after && "offline".equals(e.getString("status"))).count();
  }

  static long eventsAfter(ClusterMember listener, String user, long after) {
    return listener.changesOf(user).stream().filter(e -> e.getLong("receivedAt") >= after).count();
  }

  @Test
  void aRestartedNodeReplacesItsPastAtOnce() {
    // Failure detection and grace are long here: only the new boot epoch can explain a quick offline.
    Map<String, Object> slow = Map.of("clusterFailureTimeoutMs", 15_000, "offlineGraceMs", 15_000);
    try (HubCluster cluster = new HubCluster("NodeRestartTest", 2, slow).startAll();
        Portal portal = new Portal()) {
      HubProcess a = cluster.node(0);
      HubProcess b = cluster.node(1);
      portal.login(b, "restart-1", "client");
      SockJsTestClient asker = portal.login(a, "asker", "tech");
      await().atMost(Duration.ofSeconds(10)).until(() -> "online".equals(Portal.status(asker, "restart-1")));
      long killedAt = System.currentTimeMillis();
      b.kill();
      HubProcess again = cluster.restart(1);
      again.awaitReady(Duration.ofSeconds(60));
      await("old sessions of the restarted node dropped").atMost(Duration.ofSeconds(10))
          .until(() -> "offline".equals(Portal.status(asker, "restart-1")));
      long took = System.currentTimeMillis() - killedAt;
      assertTrue(took < 15_000, "offline only after " + took + " ms: the grace, not the new epoch, decided");
      // The restarted node serves again, and the user coming back there is online everywhere.
      SockJsTestClient back = portal.login(again, "restart-1", "client");
      await().atMost(Duration.ofSeconds(10)).until(() -> "online".equals(Portal.status(asker, "restart-1")));
      back.send(new JsonObject().put("type", "bye"));
      await().atMost(Duration.ofSeconds(10)).until(() -> "offline".equals(Portal.status(asker, "restart-1")));
    }
  }
}
