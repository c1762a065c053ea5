package com.presencehub.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.presencehub.config.HubConfig;
import com.presencehub.node.HubNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The node runs on Linux's native epoll transport, which is what applies TCP_USER_TIMEOUT to client
 * connections (PROTOCOL.md §4 Liveness: peers that stop acknowledging), and the SockJS heartbeat
 * answers held polls within the liveness ping interval.
 */
class NativeTransportTest {

  @Test
  @DisplayName("on Linux the node's Vert.x uses native epoll, so TCP_USER_TIMEOUT takes effect")
  void nativeEpollOnLinux() throws Exception {
    String arch = System.getProperty("os.arch");
    assumeTrue(System.getProperty("os.name").startsWith("Linux") && (arch.equals("amd64") || arch.equals("aarch64")),
        "native epoll ships for linux-x86_64 and linux-aarch_64 only");
    Vertx vertx = HubNode.createVertx(HubNode.newRegistry());
    try {
      assertTrue(vertx.isNativeTransportEnabled(), "native transport not loaded: " + vertx.unavailableNativeTransportCause());
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("the SockJS heartbeat is at most a third of livenessTimeoutMs")
  void heartbeatWithinPingInterval() {
    JsonObject base = new JsonObject().put("jwtSecret", "0123456789abcdef0123456789abcdef");
    assertEquals(15_000, GatewayVerticle.heartbeatIntervalMs(HubConfig.fromJson(base.copy()).gatewayOptions()));
    assertEquals(10_000, GatewayVerticle.heartbeatIntervalMs(HubConfig.fromJson(base.copy()
        .put("heartbeatIntervalMs", 10_000)).gatewayOptions()));
    assertEquals(1_000, GatewayVerticle.heartbeatIntervalMs(HubConfig.fromJson(base.copy()
        .put("livenessTimeoutMs", 3_000)).gatewayOptions()));
  }
}
