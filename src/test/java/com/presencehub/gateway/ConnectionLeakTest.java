package com.presencehub.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.presencehub.node.HubNode;
import com.presencehub.testing.SockJsTestClient;
import com.presencehub.testing.SockJsTestClient.Transport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every session and connection a node holds is released when its socket closes, however it
 * closes: refused for want of an auth frame, {@code bye}, a client close, a reset. Before the
 * fix, the connection guard kept every upgraded WebSocket connection (and with it the session)
 * forever, because a WebSocket upgrade silences the HTTP connection's close handler.
 */
@ExtendWith(VertxExtension.class)
class ConnectionLeakTest {

  private static final int UNAUTHENTICATED = 60;

  @Test
  @Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
  @DisplayName("closed sessions and their connections leave nothing behind on the node")
  void closedSessionsAreForgotten(Vertx vertx) throws Exception {
    LiveHub hub = LiveHub.start(vertx, LiveHub.noIdle().put("authTimeoutMs", 500)
        .put("maxPendingConnectionsPerAddress", 1_000));
    HubNode node = hub.node().node();

    // Raw WebSockets that never authenticate: closed by the hub at the auth timeout.
    WebSocketClient client = vertx.createWebSocketClient();
    List<Future<WebSocket>> opening = new ArrayList<>();
    for (int i = 0; i < UNAUTHENTICATED; i++) {
      opening.add(client.connect(hub.port(), "127.0.0.1", "/presence/websocket"));
    }
    Future.all(opening).await(30, TimeUnit.SECONDS);
    // SockJS WebSockets that never authenticate either.
    List<SockJsTestClient> framed = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      framed.add(hub.connect(Transport.SOCKJS_WEBSOCKET));
    }
    for (SockJsTestClient c : framed) {
      assertEquals(4401, c.awaitClose().code());
    }

    // Authenticated ones, ended every way a session ends.
    List<SockJsTestClient> byes = new ArrayList<>();
    List<SockJsTestClient> dropped = new ArrayList<>();
    for (Transport t : new Transport[] {Transport.RAW_WEBSOCKET, Transport.SOCKJS_WEBSOCKET, Transport.XHR_POLLING}) {
      for (int i = 0; i < 3; i++) {
        byes.add(hub.login(t, "acme", "bye-" + t + i, "tech"));
        dropped.add(hub.login(t, "acme", "drop-" + t + i, "tech"));
      }
    }
    for (SockJsTestClient c : byes) {
      c.send(new JsonObject().put("type", "bye"));
    }
    for (SockJsTestClient c : dropped) {
      c.disconnect();
    }

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertEquals(0, node.openSessions(), "sessions still held by the node");
      assertEquals(0, node.openConnections(), "connections still tracked by the node");
    });
    client.close();
  }
}
