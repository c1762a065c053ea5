package com.presencehub.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.testing.HubCluster;
import com.presencehub.testing.HubProcess;
import com.presencehub.testing.SockJsTestClient;
import com.presencehub.testing.SockJsTestClient.Transport;
import com.presencehub.testing.TestTokens;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A node that is itself stalled for longer than livenessTimeoutMs (SIGSTOP here; a long GC pause
 * or a VM stall alike) must not take its clients for dead on resume: their pings wait unread in
 * its socket buffers (PROTOCOL.md §4 Liveness: a client that pings at the interval is never taken
 * for dead). A client that is really frozen is still closed, one ping interval after the resume.
 */
@ExtendWith(VertxExtension.class)
class NodeStallTest {

  private static final long TIMEOUT = 3_000;
  private static final long PING = LivenessTracker.pingInterval(TIMEOUT);
  private static final long STALL = 6_000;

  @Test
  @Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
  @DisplayName("a node stalled past livenessTimeoutMs keeps its pinging clients and still closes a frozen one")
  void stalledNodeKeepsPingingClients(Vertx vertx) throws Exception {
    try (HubCluster cluster = new HubCluster("NodeStallTest", 1,
        Map.of("idleTimeoutMs", 600_000, "livenessTimeoutMs", TIMEOUT)).startAll()) {
      HubProcess node = cluster.node(0);
      TestTokens tokens = new TestTokens(vertx);
      List<SockJsTestClient> pinging = List.of(
          SockJsTestClient.open(vertx, node.httpPort(), Transport.RAW_WEBSOCKET),
          SockJsTestClient.open(vertx, node.httpPort(), Transport.SOCKJS_WEBSOCKET));
      for (int i = 0; i < pinging.size(); i++) {
        pinging.get(i).auth(tokens.token("acme", "pinger-" + i, "tech"));
      }
      // Clients that ping at the interval, as PROTOCOL §4 asks.
      long periodic = vertx.setPeriodic(PING, id -> pinging.forEach(c -> c.send(new JsonObject().put("type", "ping"))));
      // A client that sends nothing and answers no WebSocket ping.
      Socket frozen = new Socket();
      frozen.connect(new InetSocketAddress("127.0.0.1", node.httpPort()), 5_000);
      StuckClientCloseTest.upgrade(frozen);
      frozen.getOutputStream().write(StuckClientCloseTest.frame(new JsonObject().put("type", "auth")
          .put("token", tokens.token("acme", "frozen", "tech")).encode()));
      try {
        node.signal("STOP");
        Thread.sleep(STALL); // the stall IS the behaviour under test
        node.signal("CONT");
        long resumedAt = System.currentTimeMillis();

        // The frozen client is closed: at most a ping interval after the resume (plus scheduling).
        frozen.setSoTimeout(200);
        AtomicBoolean closed = new AtomicBoolean();
        InputStream in = frozen.getInputStream();
        byte[] buf = new byte[4_096];
        await("the frozen client closed").atMost(Duration.ofSeconds(15)).until(() -> {
          try {
            int n = in.read(buf);
            if (n < 0) {
              closed.set(true);
            }
            for (int i = 0; i < n && !closed.get(); i++) {
              // A close frame: opcode 8, FIN set.
              closed.set((buf[i] & 0xff) == 0x88);
            }
          } catch (SocketTimeoutException e) {
            // nothing yet
          } catch (IOException e) {
            closed.set(true);
          }
          return closed.get();
        });
        System.out.println("frozen client closed " + (System.currentTimeMillis() - resumedAt) + " ms after the resume");

        // The pinging clients outlive every deadline the stall could have set off.
        for (SockJsTestClient c : pinging) {
          assertFalse(c.isClosed(), "a pinging client was closed on resume: " + c.closed().result());
        }
        pinging.get(0).assertStaysOpen(Duration.ofMillis(TIMEOUT + PING));
        for (SockJsTestClient c : pinging) {
          assertFalse(c.isClosed(), "a pinging client was closed after the resume: " + c.closed().result());
        }
        assertTrue(closed.get());
      } finally {
        vertx.cancelTimer(periodic);
        frozen.close();
        node.signal("CONT");
      }
    }
  }
}
