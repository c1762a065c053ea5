package com.presencehub.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.testing.ClusterMember;
import com.presencehub.testing.HubCluster;
import com.presencehub.testing.HubProcess;
import com.presencehub.testing.SockJsTestClient;
import com.presencehub.testing.StreamChecker;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The reproductions of issue 12 against separate JVMs on loopback, with a plain Vert.x member
 * listening to presence.changes and {@link StreamChecker} reading the whole stream: publisher
 * take-over after a restart (no re-published online), a frozen node — the publisher or another —
 * resuming (no offline for users of healthy nodes, the stream converging to the views with one
 * event per user).
 */
class ChangeStreamFaultsTest {

  @Test
  void aTakeOverByARestartedNodeRepublishesNothing() {
    try (HubCluster cluster = new HubCluster("TakeOverAfterRestart", 2, Map.of("idleTimeoutMs", 600_000,
        "offlineGraceMs", 3000)).startAll();
        Portal portal = new Portal();
        ClusterMember listener = ClusterMember.join(cluster)) {
      HubProcess r1 = cluster.node(0);
      SockJsTestClient u = portal.login(r1, "U", "client");
      await("U's online published").atMost(Duration.ofSeconds(10)).until(() -> listener.changesOf("U").size() == 1);
      // r2 restarts: it is the younger node and must learn what r1 published from r1's full state.
      cluster.node(1).kill();
      HubProcess r2 = cluster.restart(1).awaitReady(Duration.ofSeconds(60));
      // r1 goes away gracefully; U reconnects to r2 at once, within the grace.
      r1.terminateAsync();
      u.awaitClose(Duration.ofSeconds(30));
      portal.login(r2, "U", "client");
      SockJsTestClient asker = portal.login(r2, "asker", "tech");
      await().atMost(Duration.ofSeconds(10)).until(() -> "online".equals(Portal.status(asker, "U")));
      // r2 has taken over (r1 left); give it the time to publish anything it would.
      await().pollDelay(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(8)).until(() -> true);
      assertEquals(List.of("online"), statuses(listener, "U"), "U: " + listener.changesOf("U"));
      // And the new publisher does publish what happens next, once.
      SockJsTestClient v = portal.login(r2, "V", "client");
      await("V published by the new publisher").atMost(Duration.ofSeconds(10))
          .until(() -> statuses(listener, "V").equals(List.of("online")));
      v.send(new JsonObject().put("type", "bye"));
      await().atMost(Duration.ofSeconds(10)).until(() -> statuses(listener, "V").equals(List.of("online", "offline")));
    }
  }

  @Test
  void aFrozenPublisherResumingPublishesNothingForTheOthersAndTheStreamConverges() {
    frozenNode(0);
  }

  @Test
  void aFrozenMemberResumingCausesNoFlapsAndNoLostTransitions() {
    frozenNode(2);
  }

  /** 3 nodes, 40 users on each; {@code victim} frozen past failure detection; sessions change meanwhile. */
  private static void frozenNode(int victim) {
    int perNode = 40;
    try (HubCluster cluster = new HubCluster("FrozenStream-n" + victim, 3, Map.of("idleTimeoutMs", 600_000)).startAll();
        Portal portal = new Portal();
        ClusterMember listener = ClusterMember.join(cluster)) {
      Convergence truth = new Convergence();
      Map<String, SockJsTestClient> sessions = new LinkedHashMap<>();
      Set<String> healthy = new HashSet<>();
      for (int n = 0; n < 3; n++) {
        for (int i = 0; i < perNode; i++) {
          String user = "f" + n + "-" + i;
          sessions.put(user, portal.login(cluster.node(n), user, "client"));
          truth.opened(user);
          if (n != victim) {
            healthy.add(user);
          }
        }
      }
      Set<String> users = new HashSet<>(sessions.keySet());
      await("every online published").atMost(Duration.ofSeconds(30))
          .until(() -> users.stream().allMatch(u -> !listener.changesOf(u).isEmpty()));
      HubProcess frozen = cluster.node(victim);
      int other = victim == 0 ? 1 : 0;
      SockJsTestClient asker = portal.login(cluster.node(other), "asker-x", "tech");
      frozen.signal("STOP");
      long frozenAt = System.currentTimeMillis();
      try {
        await("frozen node's users offline elsewhere").atMost(Duration.ofSeconds(20))
            .until(() -> "offline".equals(Portal.status(asker, "f" + victim + "-0")));
        // Life goes on: users of healthy nodes leave with bye, others arrive.
        for (int i = 0; i < 3; i++) {
          String gone = "f" + other + "-" + i;
          sessions.get(gone).send(new JsonObject().put("type", "bye"));
          truth.closed(gone);
          healthy.remove(gone);
          String late = "late-" + i;
          sessions.put(late, portal.login(cluster.node(other), late, "client"));
          truth.opened(late);
          users.add(late);
        }
      } finally {
        frozen.signal("CONT");
      }
      long resumedAt = System.currentTimeMillis();
      Map<String, SockJsTestClient> askers = new LinkedHashMap<>();
      await("every view equal to the truth").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
          .until(() -> {
            for (int n = 0; n < 3; n++) {
              if (!askers.containsKey("n" + n)) {
                try {
                  askers.put("n" + n, portal.login(cluster.node(n), "asker-" + n, "tech"));
                } catch (AssertionError | RuntimeException notYet) {
                  return false;
                }
              }
            }
            return truth.mismatches(askers).isEmpty();
          });
      // The stream converges to the views, each differing user with one event.
      Map<String, Map<String, String>> views = new LinkedHashMap<>();
      AtomicReference<StreamChecker.Report> last = new AtomicReference<>();
      try {
        await("the stream converged to the views").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
            .until(() -> {
              views.clear();
              views.putAll(Portal.views(askers, users));
              last.set(StreamChecker.check(listener.changes(), users, views, (u, at) -> false));
              return last.get().contradictions().isEmpty();
            });
      } catch (ConditionTimeoutException e) {
        // The users and events that differ: a CI report has this message and not the nodes' logs.
        throw new AssertionError("frozen n" + victim + ": the stream did not converge to the views in 30 s: " + last.get(), e);
      }
      // Nothing more arrives afterwards.
      int settled = listener.changes().size();
      await().pollDelay(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() -> true);
      StreamChecker.Report report = StreamChecker.check(listener.changes(), users, views,
          (u, at) -> healthy.contains(u) && at >= frozenAt);
      System.out.println("frozen n" + victim + ": " + report + "; resumed " + (System.currentTimeMillis() - resumedAt)
          + " ms ago");
      assertTrue(report.clean(), report.toString());
      assertEquals(settled, listener.changes().size(), "events after convergence: "
          + listener.changes().subList(settled, listener.changes().size()));
      // The frozen node's users went offline once and came back once.
      for (int i = 0; i < perNode; i++) {
        List<String> s = statuses(listener, "f" + victim + "-" + i);
        assertTrue(s.equals(List.of("online", "offline", "online")) || s.equals(List.of("online")),
            "f" + victim + "-" + i + ": " + s);
      }
    }
  }

  private static List<String> statuses(ClusterMember listener, String user) {
    List<String> out = new ArrayList<>();
    for (JsonObject c : listener.changesOf(user)) {
      out.add(c.getString("status"));
    }
    return out;
  }
}
