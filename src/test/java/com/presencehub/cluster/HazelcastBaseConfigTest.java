package com.presencehub.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.hazelcast.config.Config;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link ClusterSetup#baseConfig}: vertx-hazelcast's default-cluster.xml built in code (no XML
 * parse at start, issue 17 join time) must give vertx-hazelcast the same structures as the file.
 */
@DisplayName("The Hazelcast base config built in code equals vertx-hazelcast's default-cluster.xml")
class HazelcastBaseConfigTest {

  @Test
  @DisplayName("__vertx.subs (SET multimap), __vertx.haInfo and __vertx.nodeInfo as the XML has them")
  void sameStructuresAsTheXml() {
    assertNull(System.getProperty("vertx.hazelcast.config"));
    assertNull(ClusterSetup.class.getClassLoader().getResource("cluster.xml"));
    Config xml = ConfigUtil.loadConfig();
    Config code = ClusterSetup.baseConfig();
    assertEquals(xml.getMultiMapConfigs(), code.getMultiMapConfigs());
    assertEquals(xml.getMapConfigs(), code.getMapConfigs());
    assertEquals(xml.getMultiMapConfig("__vertx.subs"), code.getMultiMapConfig("__vertx.subs"));
    assertEquals(xml.getMapConfig("__vertx.nodeInfo"), code.getMapConfig("__vertx.nodeInfo"));
    assertEquals(xml.getProperties(), code.getProperties());
    assertEquals(xml.getCPSubsystemConfig(), code.getCPSubsystemConfig());
    assertEquals(xml.getPartitionGroupConfig(), code.getPartitionGroupConfig());
  }

  @Test
  @DisplayName("clusterPartitions sets Hazelcast's partition count; 0 is refused naming the field")
  void partitions() {
    var config = com.presencehub.config.HubConfig.fromLayers(new io.vertx.core.json.JsonObject()
        .put("jwtSecret", "0123456789abcdef0123456789abcdef").put("clusterPartitions", 31), java.util.Map.of(), java.util.Map.of());
    assertEquals("31", ClusterSetup.hubHazelcast(config.clusterOptions(), 1).getProperty("hazelcast.partition.count"));
    assertNull(ClusterSetup.hubHazelcast(config.clusterOptions(), 1).getProperty("hazelcast.partition.max.parallel.migrations"),
        "Hazelcast's default (10 at a time): all at once lost event-bus registrations of a newcomer");
    var defaults = com.presencehub.config.HubConfig.fromLayers(new io.vertx.core.json.JsonObject()
        .put("jwtSecret", "0123456789abcdef0123456789abcdef"), java.util.Map.of(), java.util.Map.of());
    // Hazelcast's join check compares the property as written: a service member that leaves it unset
    // ("null") must be able to join a hub with the default.
    assertNull(ClusterSetup.hubHazelcast(defaults.clusterOptions(), 1).getProperty("hazelcast.partition.count"));
    var refused = org.junit.jupiter.api.Assertions.assertThrows(com.presencehub.config.ConfigException.class,
        () -> com.presencehub.config.HubConfig.fromLayers(new io.vertx.core.json.JsonObject()
            .put("jwtSecret", "0123456789abcdef0123456789abcdef"), java.util.Map.of("PRESENCE_CLUSTER_PARTITIONS", "0"),
            java.util.Map.of()));
    org.junit.jupiter.api.Assertions.assertTrue(refused.getMessage().contains("clusterPartitions"), refused.getMessage());
  }

  @Test
  @DisplayName("no wait before a join with TCP-IP members listed; 1 s with multicast, whose joiners also look for members that long")
  void waitBeforeJoin() {
    Config tcp = ClusterSetup.memberHazelcast("c", "127.0.0.1", 0, java.util.List.of("127.0.0.1:5701"), 3_000, 5_000);
    assertEquals("0", tcp.getProperty("hazelcast.wait.seconds.before.join"));
    assertEquals("100", tcp.getProperty("hazelcast.invocation.retry.pause.millis"));
    Config multicast = ClusterSetup.memberHazelcast("c", "127.0.0.1", 0, java.util.List.of(), 3_000, 5_000);
    assertEquals("1", multicast.getProperty("hazelcast.wait.seconds.before.join"));
    multicast.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
    multicast.getNetworkConfig().getJoin().getKubernetesConfig().setEnabled(true);
    ClusterSetup.waitBeforeJoin(multicast);
    assertEquals("1", multicast.getProperty("hazelcast.wait.seconds.before.join"), "kubernetes discovery");
  }
}
