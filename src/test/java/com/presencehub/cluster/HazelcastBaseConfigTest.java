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
}
