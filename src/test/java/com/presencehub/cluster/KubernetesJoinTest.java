package com.presencehub.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.presencehub.config.ConfigException;
import com.presencehub.config.HubConfig;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code clusterJoin}: the Hazelcast join a hub node gets. No Kubernetes cluster runs here, so
 * the discovery itself is Hazelcast's; what is checked is that the node hands it exactly the
 * configured service, and that bad combinations stop the node with the key's name.
 */
@DisplayName("clusterJoin=kubernetes: Hazelcast's Kubernetes discovery")
class KubernetesJoinTest {

  private static HubConfig config(Map<String, String> env) {
    return HubConfig.fromLayers(new JsonObject().put("jwtSecret", "test-secret-0123456789abcdef0123456789").put("cluster", true),
        env, Map.of());
  }

  private static JoinConfig join(HubConfig cfg) {
    Config hz = ClusterSetup.hubHazelcast(cfg.clusterOptions(), 1L);
    return hz.getNetworkConfig().getJoin();
  }

  @Test
  @DisplayName("PRESENCE_CLUSTER_JOIN=kubernetes + service name and namespace: API discovery, no TCP-IP, no multicast")
  void kubernetesApi() {
    HubConfig cfg = config(Map.of("PRESENCE_CLUSTER_JOIN", "kubernetes",
        "PRESENCE_CLUSTER_KUBERNETES_SERVICE_NAME", "presence-hub-cluster",
        "PRESENCE_CLUSTER_KUBERNETES_NAMESPACE", "helpdesk"));
    JoinConfig join = join(cfg);
    assertTrue(join.getKubernetesConfig().isEnabled());
    assertFalse(join.getTcpIpConfig().isEnabled());
    assertFalse(join.getMulticastConfig().isEnabled());
    assertFalse(join.getAutoDetectionConfig().isEnabled());
    assertEquals("presence-hub-cluster", join.getKubernetesConfig().getProperty("service-name"));
    assertEquals("helpdesk", join.getKubernetesConfig().getProperty("namespace"));
    assertEquals("5701", join.getKubernetesConfig().getProperty("service-port"));
    assertNull(join.getKubernetesConfig().getProperty("service-dns"));
  }

  @Test
  @DisplayName("with a service DNS name instead: DNS lookup discovery (no API access needed)")
  void kubernetesDns() {
    JoinConfig join = join(config(Map.of("PRESENCE_CLUSTER_JOIN", "kubernetes",
        "PRESENCE_CLUSTER_KUBERNETES_SERVICE_DNS", "presence-hub-cluster.helpdesk.svc.cluster.local")));
    assertTrue(join.getKubernetesConfig().isEnabled());
    assertEquals("presence-hub-cluster.helpdesk.svc.cluster.local", join.getKubernetesConfig().getProperty("service-dns"));
    assertNull(join.getKubernetesConfig().getProperty("service-name"));
  }

  @Test
  @DisplayName("auto (the default) keeps today's rule: TCP-IP on clusterMembers, multicast without")
  void autoKeepsTodaysRule() {
    JoinConfig tcp = join(config(Map.of("PRESENCE_CLUSTER_MEMBERS", "127.0.0.1:5701,127.0.0.1:5702")));
    assertTrue(tcp.getTcpIpConfig().isEnabled());
    assertEquals(List.of("127.0.0.1:5701", "127.0.0.1:5702"), tcp.getTcpIpConfig().getMembers());
    assertFalse(tcp.getKubernetesConfig().isEnabled());
    JoinConfig multicast = join(config(Map.of()));
    assertTrue(multicast.getMulticastConfig().isEnabled());
    assertFalse(multicast.getKubernetesConfig().isEnabled());
    assertEquals("auto", config(Map.of()).clusterJoin());
  }

  @Test
  @DisplayName("bad combinations stop the node with a message naming the key")
  void badCombinations() {
    assertTrue(assertThrows(ConfigException.class, () -> config(Map.of("PRESENCE_CLUSTER_JOIN", "k8s")))
        .getMessage().startsWith("clusterJoin: one of [auto, tcp, multicast, kubernetes], got 'k8s' (from environment PRESENCE_CLUSTER_JOIN)"));
    assertTrue(assertThrows(ConfigException.class, () -> config(Map.of("PRESENCE_CLUSTER_JOIN", "kubernetes")))
        .getMessage().startsWith("clusterKubernetesServiceName: with clusterJoin=kubernetes set exactly one of"));
    assertTrue(assertThrows(ConfigException.class, () -> config(Map.of("PRESENCE_CLUSTER_JOIN", "kubernetes",
        "PRESENCE_CLUSTER_KUBERNETES_SERVICE_NAME", "a", "PRESENCE_CLUSTER_KUBERNETES_SERVICE_DNS", "b.svc")))
        .getMessage().startsWith("clusterKubernetesServiceName:"));
    assertTrue(assertThrows(ConfigException.class, () -> config(Map.of("PRESENCE_CLUSTER_JOIN", "kubernetes",
        "PRESENCE_CLUSTER_KUBERNETES_SERVICE_DNS", "b.svc", "PRESENCE_CLUSTER_KUBERNETES_NAMESPACE", "x")))
        .getMessage().startsWith("clusterKubernetesNamespace:"));
    assertTrue(assertThrows(ConfigException.class, () -> config(Map.of("PRESENCE_CLUSTER_JOIN", "tcp")))
        .getMessage().startsWith("clusterMembers: required with clusterJoin=tcp"));
  }
}
