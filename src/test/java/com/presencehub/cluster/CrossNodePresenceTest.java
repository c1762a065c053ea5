package com.presencehub.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.testing.FrameMatch;
import com.presencehub.testing.HubCluster;
import com.presencehub.testing.HubProcess;
import com.presencehub.testing.SockJsTestClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two hub processes: presence crosses nodes both ways (online, idle away, activity, preferred
 * away, offline), chat.push reaches a session on the other node, and one user on both nodes is
 * one user.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossNodePresenceTest {

  private static final Duration BOUND = Duration.ofSeconds(10);

  private HubCluster cluster;
  private Portal portal;
  private HubProcess a;
  private HubProcess b;

  @BeforeAll
  void start() {
    cluster = new HubCluster("CrossNodePresenceTest", 2, Map.of()).startAll();
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

  @Test
  void aClientOnOneNodeIsSeenOnTheOtherGoingAwayAndBack() {
    SockJsTestClient tech = portal.login(b, "tech-1", "tech");
    tech.send(new JsonObject().put("type", "subscribe").put("roster", "client"));
    SockJsTestClient client = portal.login(a, "client-1", "client");
    tech.await(FrameMatch.update("client-1", "online"), BOUND);
    // Idle timeout 1.5 s on node A, seen on node B.
    tech.await(FrameMatch.update("client-1", "away", "inactive"), BOUND);
    client.send(new JsonObject().put("type", "activity"));
    tech.await(FrameMatch.update("client-1", "online", "active"), BOUND);
    client.send(new JsonObject().put("type", "bye"));
    tech.await(FrameMatch.update("client-1", "offline"), BOUND);
  }

  @Test
  void aTechsPreferredAwayCrossesNodesAndSurvivesMovingNode() {
    SockJsTestClient client = portal.login(a, "client-2", "client");
    client.send(new JsonObject().put("type", "subscribe").put("users", new io.vertx.core.json.JsonArray().add("tech-2")));
    // The snapshot first, so that the offline awaited below is the one after the bye.
    client.await(FrameMatch.update("tech-2", "offline"), BOUND);
    SockJsTestClient tech = portal.login(b, "tech-2", "tech");
    client.await(FrameMatch.update("tech-2", "online"), BOUND);
    tech.send(new JsonObject().put("type", "presence.set").put("status", "away"));
    client.await(FrameMatch.update("tech-2", "away", "preferred"), BOUND);
    // The tech moves to node A: the preference is the tech's, not node B's.
    tech.send(new JsonObject().put("type", "bye"));
    client.await(FrameMatch.update("tech-2", "offline"), BOUND);
    SockJsTestClient again = portal.login(a, "tech-2", "tech");
    client.await(FrameMatch.update("tech-2", "away", "preferred"), BOUND);
    again.send(new JsonObject().put("type", "presence.set").put("status", "online"));
    client.await(FrameMatch.update("tech-2", "online", "active"), BOUND);
  }

  @Test
  void chatPushReachesASessionOnTheOtherNode() {
    SockJsTestClient client = portal.login(a, "client-3", "client");
    SockJsTestClient tech = portal.login(b, "tech-3", "tech");
    await().atMost(BOUND).until(() -> "online".equals(Portal.status(tech, "client-3")));
    tech.send(new JsonObject().put("type", "chat.push").put("id", "p1").put("to", "client-3").put("kind", "chat.request")
        .put("payload", new JsonObject().put("chat", "c-9")));
    JsonObject ack = tech.reply("p1");
    assertEquals("ack", ack.getString("type"), ack.encode());
    assertEquals(1, ack.getInteger("delivered"));
    JsonObject delivered = client.next("chat.request", BOUND);
    assertEquals("tech-3", delivered.getJsonObject("from").getString("id"));
    assertEquals("c-9", delivered.getJsonObject("payload").getString("chat"));
  }

  @Test
  void oneUserOnBothNodesIsOneUser() {
    SockJsTestClient onA = portal.login(a, "client-4", "client");
    SockJsTestClient onB = portal.login(b, "client-4", "client");
    SockJsTestClient tech = portal.login(a, "tech-4", "tech");
    await().atMost(BOUND).until(() -> "online".equals(Portal.status(tech, "client-4")));
    tech.send(new JsonObject().put("type", "chat.push").put("id", "p2").put("to", "client-4").put("kind", "chat.message"));
    assertEquals(2, tech.reply("p2").getInteger("delivered"));
    tech.send(new JsonObject().put("type", "subscribe").put("users", new io.vertx.core.json.JsonArray().add("client-4")));
    tech.await(FrameMatch.update("client-4", "online"), BOUND);
    // Abrupt loss of the session on A: B's session keeps the user; no offline, ever.
    onA.disconnect();
    // Activity on B keeps it online past A's grace.
    for (int i = 0; i < 4; i++) {
      onB.send(new JsonObject().put("type", "activity"));
      tech.expectNone(FrameMatch.update("client-4", "offline"), Duration.ofMillis(500));
    }
    assertEquals("online", Portal.status(tech, "client-4"));
    onB.send(new JsonObject().put("type", "bye"));
    tech.await(FrameMatch.update("client-4", "offline"), BOUND);
    assertTrue(true);
  }
}
