package com.presencehub.gateway;

import static com.presencehub.gateway.AuthenticationTest.query;
import static com.presencehub.gateway.AuthenticationTest.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.testing.SockJsTestClient;
import com.presencehub.testing.SockJsTestClient.Closed;
import com.presencehub.testing.SockJsTestClient.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * With several gateway instances the requests of one polling session reach different event loops
 * (each on the connection it came on) and are handed to the loop that owns the session. A session
 * must still be one session, and a stop must still reach every client.
 */
@ExtendWith(VertxExtension.class)
@Timeout(90)
@DisplayName("Several gateway event loops (gatewayInstances > 1)")
class GatewayLoopsTest {

  private LiveHub hub;

  @BeforeEach
  void start(Vertx vertx) {
    hub = LiveHub.start(vertx, LiveHub.noIdle().put("gatewayInstances", 2).put("authTimeoutMs", 30_000));
  }

  @Test
  @DisplayName("An xhr-polling session stays one session while its polls hop between event loops: no second open frame")
  void pollingSessionsSurviveLoopHops() {
    for (int s = 0; s < 60; s++) {
      String user = "u-" + s;
      SockJsTestClient c = hub.login(Transport.XHR_POLLING, "acme", user, "tech");
      for (int q = 0; q < 3; q++) {
        c.send(query("q" + q, user));
        assertEquals("online", record(c.reply("q" + q), user).getString("status"));
      }
      c.sendAndWait(new JsonObject().put("type", "bye"));
      Closed closed = c.awaitClose();
      assertTrue(closed.byHub() && closed.code() < 4000, "session " + s + " ended with " + closed);
    }
  }

  @Test
  @DisplayName("Stopping the node closes every session with 4503, whichever loop serves it and whichever its next poll reaches")
  void stopReachesEverySession() {
    List<SockJsTestClient> sessions = new ArrayList<>();
    for (int round = 0; round < 4; round++) {
      for (Transport t : Transport.values()) {
        sessions.add(hub.login(t, "acme", "u-" + t + "-" + round, "tech"));
      }
      sessions.add(hub.connect(Transport.XHR_POLLING));
    }
    hub.stop();
    for (SockJsTestClient s : sessions) {
      Closed closed = s.awaitClose();
      assertEquals(4503, closed.code(), s.transport() + ": " + closed);
    }
  }
}
