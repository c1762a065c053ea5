package com.presencehub.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.config.ClusterOptions;
import com.presencehub.config.HubConfig;
import com.presencehub.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.NodeInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link HubClusterManager} on real Hazelcast members and clustered event buses (loopback). */
class HubClusterManagerTest {

  private final List<Vertx> nodes = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (Vertx v : nodes) {
      v.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static ClusterOptions options(String cluster, String node, int hzPort, List<String> members, int busPort) {
    JsonObject c = new JsonObject().put("jwtSecret", "0123456789abcdef0123456789abcdef").put("clusterName", cluster)
        .put("clusterHost", "127.0.0.1").put("clusterPort", hzPort).put("clusterMembers", String.join(",", members))
        .put("nodeId", node).put("clusterBusPort", busPort);
    return HubConfig.fromLayers(c, Map.of(), Map.of()).clusterOptions();
  }

  private Vertx start(ClusterOptions o) throws Exception {
    Vertx v = ClusterSetup.clusteredVertx(Vertx.builder(), new VertxOptions(), o, System.currentTimeMillis())
        .await(60, TimeUnit.SECONDS);
    nodes.add(v);
    return v;
  }

  private static HubClusterManager manager(Vertx v) {
    return (HubClusterManager) ((VertxInternal) v).clusterManager();
  }

  private static NodeInfo lookUp(Vertx from, String nodeId) throws Exception {
    Promise<NodeInfo> p = Promise.promise();
    manager(from).getNodeInfo(nodeId, p);
    return p.future().await(30, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a fixed bus port is read from the member attributes, equal to what Vert.x advertises; an ephemeral one from the map")
  void nodeInfo() throws Exception {
    String cluster = "hcm-" + UUID.randomUUID();
    List<Integer> hz = List.of(TestNode.freePort(), TestNode.freePort(), TestNode.freePort());
    List<String> members = hz.stream().map(p -> "127.0.0.1:" + p).toList();
    int busB = TestNode.freePort();
    Vertx a = start(options(cluster, "a", hz.get(0), members, 0));
    Vertx b = start(options(cluster, "b", hz.get(1), members, busB));
    Vertx c = start(options(cluster, "c", hz.get(2), members, 0));

    String bId = manager(b).getNodeId();
    var bMember = manager(a).getHazelcastInstance().getCluster().getMembers().stream()
        .filter(m -> bId.equals(m.getAttribute(HubClusterManager.VERTX_NODE_ID_ATTRIBUTE))).findFirst().orElseThrow();
    assertEquals("127.0.0.1:" + busB, bMember.getAttribute(HubClusterManager.BUS_ATTRIBUTE),
        "vertx-hazelcast's node-id attribute is the one this reads");
    Promise<NodeInfo> atOnce = Promise.promise();
    manager(a).getNodeInfo(bId, atOnce);
    assertTrue(atOnce.future().isComplete(), "from the member list, in the call: the map is read on a worker");
    NodeInfo bSeen = lookUp(a, bId);
    assertEquals(manager(b).getNodeInfo().host(), bSeen.host());
    assertEquals(manager(b).getNodeInfo().port(), bSeen.port());
    assertEquals(busB, bSeen.port());

    String cId = manager(c).getNodeId();
    assertTrue(manager(c).getHazelcastInstance().getCluster().getLocalMember().getAttribute(HubClusterManager.BUS_ATTRIBUTE) == null);
    NodeInfo cSeen = lookUp(a, cId);
    assertEquals(manager(c).getNodeInfo().port(), cSeen.port(), "an ephemeral port: from vertx-hazelcast's map");

    // The event bus works both ways with the address read from the attributes.
    b.eventBus().consumer("echo.b", m -> m.reply("b:" + m.body()));
    a.eventBus().consumer("echo.a", m -> m.reply("a:" + m.body()));
    assertEquals("b:x", awaitReply(a, "echo.b"));
    assertEquals("a:x", awaitReply(b, "echo.a"));

    // An older member's full-state address: that member, from the member list (c joined after b);
    // a younger one's, or an unknown one's: the map, empty before its consumer registers.
    assertEquals(List.of(bId), registrations(c, ReplicationVerticle.syncAddress(bId)));
    assertEquals(List.of(), registrations(a, ReplicationVerticle.syncAddress(bId)), "b is younger than a");
    assertEquals(List.of(), registrations(c, ReplicationVerticle.syncAddress(UUID.randomUUID().toString())));
    b.eventBus().consumer(ReplicationVerticle.syncAddress(bId), m -> m.reply("state of b")).completion()
        .await(30, TimeUnit.SECONDS);
    assertEquals("state of b", awaitReply(c, ReplicationVerticle.syncAddress(bId)));
    assertEquals("state of b", awaitReply(a, ReplicationVerticle.syncAddress(bId)), "through the map");
    assertEquals(List.of(bId), registrations(a, ReplicationVerticle.syncAddress(bId)));

    Promise<NodeInfo> unknown = Promise.promise();
    manager(a).getNodeInfo(UUID.randomUUID().toString(), unknown);
    Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> unknown.future().await(30, TimeUnit.SECONDS));
    assertTrue(e.getMessage().contains("Not a member"), "an unknown node: vertx-hazelcast's answer, " + e);
    assertNull(HubClusterManager.busAttribute("127.0.0.1", 0), "port 0: no attribute");
  }

  private static List<String> registrations(Vertx from, String address) throws Exception {
    Promise<List<io.vertx.core.spi.cluster.RegistrationInfo>> p = Promise.promise();
    manager(from).getRegistrations(address, p);
    return p.future().await(30, TimeUnit.SECONDS).stream().map(r -> r.nodeId()).toList();
  }

  /** A request, retried while the consumer's registration spreads (at most 30 s). */
  private static String awaitReply(Vertx from, String address) throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    while (true) {
      try {
        return from.eventBus().<String>request(address, "x").await(5, TimeUnit.SECONDS).body();
      } catch (Exception e) {
        if (System.currentTimeMillis() > deadline) {
          throw e;
        }
      }
    }
  }
}
