package com.presencehub.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * WebSockets whose session has not authenticated count against maxPendingConnectionsPerAddress
 * like connections without a request: one address cannot hold thousands of sessions for
 * authTimeoutMs each. More are refused before the upgrade: closed at accept, or 429.
 */
@ExtendWith(VertxExtension.class)
class UnauthenticatedCapTest {

  private static final int CAP = 5;

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  @DisplayName("one address holds at most maxPendingConnectionsPerAddress unauthenticated WebSockets; authenticating frees a place")
  void unauthenticatedWebSocketsAreCapped(Vertx vertx) throws Exception {
    LiveHub hub = LiveHub.start(vertx, LiveHub.noIdle().put("maxPendingConnectionsPerAddress", CAP)
        .put("authTimeoutMs", 60_000));
    List<Socket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < CAP; i++) {
        sockets.add(open("127.0.0.1", hub));
        StuckClientCloseTest.upgrade(sockets.get(i));
      }
      Socket extra = open("127.0.0.1", hub);
      sockets.add(extra);
      String refused = StuckClientCloseTest.tryUpgrade(extra);
      // Closed at accept (it would be pending too), or 429 when it got as far as its request.
      assertTrue(refused.isEmpty() || refused.startsWith("HTTP/1.1 429"),
          "the address's sixth unauthenticated WebSocket: " + refused);

      // Another address is not affected.
      Socket other = open("127.0.0.2", hub);
      sockets.add(other);
      StuckClientCloseTest.upgrade(other);

      // One of them authenticates: its place is free for a new WebSocket.
      Socket first = sockets.get(0);
      first.getOutputStream().write(StuckClientCloseTest.frame(new JsonObject().put("type", "auth")
          .put("token", hub.token("acme", "capped", "tech")).encode()));
      InputStream in = first.getInputStream();
      first.setSoTimeout(10_000);
      StringBuilder seen = new StringBuilder();
      byte[] buf = new byte[4_096];
      while (!seen.toString().contains("welcome")) {
        int n = in.read(buf);
        assertTrue(n > 0, "no welcome: " + seen);
        seen.append(new String(buf, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1));
      }
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        Socket again = open("127.0.0.1", hub);
        sockets.add(again);
        String head = StuckClientCloseTest.tryUpgrade(again);
        assertTrue(head.startsWith("HTTP/1.1 101"), "no room after a session authenticated: " + head);
      });
    } finally {
      for (Socket s : sockets) {
        s.close();
      }
    }
  }

  private static Socket open(String from, LiveHub hub) throws Exception {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(from, 0));
    s.connect(new InetSocketAddress("127.0.0.1", hub.port()), 5_000);
    s.setSoTimeout(10_000);
    return s;
  }
}
