package com.presencehub.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.testing.FrameMatch;
import com.presencehub.testing.HubCluster;
import com.presencehub.testing.HubProcess;
import com.presencehub.testing.SockJsTestClient;
import com.presencehub.testing.SockJsTestClient.Closed;
import com.presencehub.testing.SockJsTestClient.Transport;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * PROTOCOL.md §3 one role per user and §4 sessions per user across two hub processes: the other
 * node's sessions count once they are replicated (the merged view). §2 Retention: both nodes
 * forget an offline user.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("One role per user, sessions per user and retention across nodes (merged view)")
class CrossNodeUserRulesTest {

  private static final Duration BOUND = Duration.ofSeconds(10);
  private static final int RETENTION_MS = 3000;

  private HubCluster cluster;
  private Portal portal;
  private HubProcess a;
  private HubProcess b;

  @BeforeAll
  void start() {
    cluster = new HubCluster("CrossNodeUserRulesTest", 2,
        Map.of("offlineGraceMs", 3000, "maxSessionsPerUser", 2, "offlineRetentionMs", RETENTION_MS)).startAll();
    a = cluster.node(0);
    b = cluster.node(1);
    portal = new Portal();
  }

  @AfterAll
  void stop() {
    if (portal != null) {
      portal.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private SockJsTestClient attempt(HubProcess node, String user, String role) {
    SockJsTestClient c = SockJsTestClient.open(portal.vertx, node.httpPort(), Transport.RAW_WEBSOCKET);
    c.send(new JsonObject().put("type", "auth").put("id", "auth").put("token", portal.tokens.token(Portal.TENANT, user, role)));
    return c;
  }

  private static void assertRefused(SockJsTestClient c, String code, int close) {
    JsonObject err = c.await(FrameMatch.error(code), BOUND);
    assertEquals("auth", err.getValue("id"));
    Closed closed = c.awaitClose(BOUND);
    assertEquals(close, closed.code(), "close " + closed + " after " + err.encode());
  }

  @Test
  @DisplayName("a client session on B of a user who is a tech on A is refused with 4401, open and during the grace; after it, welcome")
  void roleConflictAcrossNodes() {
    SockJsTestClient watcherOnB = portal.login(b, "w-1", "tech");
    SockJsTestClient tech = portal.login(a, "x-1", "tech");
    await().atMost(BOUND).until(() -> "online".equals(Portal.status(watcherOnB, "x-1")));
    SockJsTestClient refused = attempt(b, "x-1", "client");
    assertRefused(refused, "unauthorized", 4401);
    assertTrue(refused.received().stream().anyMatch(f -> f.getString("message", "").contains("role conflict")),
        "the error names the conflict: " + refused.received());

    watcherOnB.send(new JsonObject().put("type", "subscribe").put("id", "s").put("users", new io.vertx.core.json.JsonArray().add("x-1")));
    watcherOnB.reply("s");
    tech.disconnect();
    // In the grace (3 s) on A: still refused on B.
    assertRefused(attempt(b, "x-1", "client"), "unauthorized", 4401);
    watcherOnB.await(FrameMatch.update("x-1", "offline"), BOUND);
    SockJsTestClient asClient = portal.login(b, "x-1", "client");
    JsonObject online = watcherOnB.await(FrameMatch.update("x-1", "online"), BOUND);
    assertEquals("client", FrameMatch.recordOf(online, "x-1").getString("role"));
    asClient.send(new JsonObject().put("type", "bye"));
  }

  @Test
  @DisplayName("sessions per user count the other node's sessions: a third one is refused with 4408")
  void sessionsPerUserAcrossNodes() {
    SockJsTestClient pusherOnB = portal.login(b, "w-2", "tech");
    portal.login(a, "x-2", "client");
    portal.login(b, "x-2", "client");
    // Once a push from B reaches both sessions, B holds A's share.
    await().atMost(BOUND).until(() -> {
      String id = UUID.randomUUID().toString();
      pusherOnB.send(new JsonObject().put("type", "chat.push").put("id", id).put("to", "x-2").put("kind", "chat.message"));
      return Integer.valueOf(2).equals(pusherOnB.reply(id).getInteger("delivered"));
    });
    SockJsTestClient third = attempt(b, "x-2", "client");
    assertRefused(third, "too_large", 4408);
    assertTrue(third.received().stream().anyMatch(f -> f.getString("message", "").contains("maxSessionsPerUser")));
    assertEquals("online", Portal.status(pusherOnB, "x-2"));
  }

  @Test
  @DisplayName("an offline user answers last seen on both nodes, then like an unknown user on both after offlineRetentionMs")
  void retentionOnBothNodes() {
    SockJsTestClient onA = portal.login(a, "w-3", "tech");
    SockJsTestClient onB = portal.login(b, "w-4", "tech");
    SockJsTestClient user = portal.login(a, "x-3", "client");
    await().atMost(BOUND).until(() -> "online".equals(Portal.status(onB, "x-3")));
    user.send(new JsonObject().put("type", "bye"));
    long offlineBy = System.currentTimeMillis();
    for (SockJsTestClient asker : List.of(onA, onB)) {
      await().atMost(BOUND).until(() -> "offline".equals(Portal.status(asker, "x-3")));
      JsonObject seen = Portal.query(asker, List.of("x-3")).get("x-3");
      if (System.currentTimeMillis() - offlineBy < RETENTION_MS) {
        assertTrue(seen.getValue("lastActiveAt") instanceof Number, "last seen within the retention: " + seen);
        assertEquals("client", seen.getString("role"));
      }
    }
    for (SockJsTestClient asker : List.of(onA, onB)) {
      await().atMost(Duration.ofMillis(RETENTION_MS).plus(BOUND))
          .until(() -> Portal.query(asker, List.of("x-3")).get("x-3").getValue("lastActiveAt") == null);
      JsonObject forgotten = Portal.query(asker, List.of("x-3")).get("x-3");
      assertEquals("offline", forgotten.getString("status"));
      assertTrue(forgotten.getValue("role") == null && forgotten.getValue("since") == null, "unknown: " + forgotten);
    }
    assertTrue(System.currentTimeMillis() - offlineBy >= RETENTION_MS, "forgotten before the retention ran out");
  }
}
