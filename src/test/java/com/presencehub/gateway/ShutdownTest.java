package com.presencehub.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.testing.SockJsTestClient;
import com.presencehub.testing.SockJsTestClient.Closed;
import com.presencehub.testing.SockJsTestClient.Transport;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(60)
@DisplayName("A stopping node closes its sessions with 4503 (PROTOCOL.md §4, §6)")
class ShutdownTest {

  @Test
  @DisplayName("Stopping the node closes every session, on every transport, with 4503")
  void stopClosesEverySessionWith4503(Vertx vertx) {
    LiveHub hub = LiveHub.start(vertx, LiveHub.noIdle());
    List<SockJsTestClient> sessions = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      for (Transport t : Transport.values()) {
        sessions.add(hub.login(t, "acme", "u-" + t + "-" + round, round % 2 == 0 ? "tech" : "client"));
      }
    }

    hub.stop();

    for (SockJsTestClient s : sessions) {
      Closed closed = s.awaitClose();
      assertEquals(4503, closed.code(), s.transport() + ": " + closed);
      assertTrue(closed.byHub(), s.transport() + ": " + closed);
    }
    assertTrue(!hub.node().node().ready(), "still ready after stop");
  }

  @Test
  @DisplayName("A connection still waiting to authenticate is closed with 4503 too")
  void stopClosesUnauthenticatedConnections(Vertx vertx) {
    LiveHub hub = LiveHub.start(vertx, LiveHub.noIdle().put("authTimeoutMs", 60_000));
    List<SockJsTestClient> pending = new ArrayList<>();
    for (Transport t : Transport.values()) {
      pending.add(hub.connect(t));
    }
    hub.stop();
    for (SockJsTestClient s : pending) {
      assertEquals(4503, s.awaitClose().code(), s.transport() + ": " + s.awaitClose());
    }
  }
}
