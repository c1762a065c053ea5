package com.presencehub.gateway;

import static com.presencehub.gateway.AuthenticationTest.query;
import static com.presencehub.gateway.AuthenticationTest.record;
import static com.presencehub.testing.FrameMatch.error;
import static com.presencehub.testing.FrameMatch.reply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.testing.SockJsTestClient;
import com.presencehub.testing.SockJsTestClient.Closed;
import com.presencehub.testing.SockJsTestClient.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@ExtendWith(VertxExtension.class)
@Timeout(60)
@DisplayName("Frame size and rate limits (PROTOCOL.md §4)")
class FrameLimitsTest {

  private static final int MAX_FRAME_BYTES = 65_536;

  private LiveHub hub;
  private SockJsTestClient bystander;

  @BeforeEach
  void start(Vertx vertx) {
    hub = LiveHub.start(vertx, LiveHub.noIdle());
    bystander = hub.login(Transport.RAW_WEBSOCKET, "acme", "t-bystander", "tech");
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("A frame of exactly the limit (64 KiB) is served")
  void frameAtTheLimitIsServed(Transport transport) {
    SockJsTestClient c = hub.login(transport, "acme", "t-1", "tech");
    c.sendRaw(activityOfSize("at-limit", MAX_FRAME_BYTES));
    assertEquals("ack", c.reply("at-limit").getString("type"));
    c.assertStaysOpen(Duration.ofMillis(100));
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("A frame over 64 KiB gets too_large, then close 4408; other sessions, the user's included, carry on")
  void oversizeFrameClosesWith4408(Transport transport) {
    SockJsTestClient otherTab = hub.login(Transport.SOCKJS_WEBSOCKET, "acme", "t-1", "tech");
    SockJsTestClient c = hub.login(transport, "acme", "t-1", "tech");
    c.sendRaw(activityOfSize("big", MAX_FRAME_BYTES + 1));
    JsonObject err = c.await(error("too_large"));
    assertTrue(err.getString("message").contains(String.valueOf(MAX_FRAME_BYTES)), err.encode());
    Closed closed = c.awaitClose();
    assertEquals(4408, closed.code(), closed.toString());
    assertTrue(closed.byHub());

    assertServes(otherTab, "t-1", "online");
    assertServes(bystander, "t-1", "online");
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("A burst over the rate limit gets rate_limited for the excess; the session stays and is served again")
  void burstIsRateLimited(Transport transport) {
    SockJsTestClient c = hub.login(transport, "acme", "t-1", "tech");
    // The default bucket holds 100 frames: 150 at once overflow it by about 50.
    c.sendAll(Collections.nCopies(150, new JsonObject().put("type", "activity").encode()));
    JsonObject err = c.await(error("rate_limited"));
    assertTrue(err.getString("message").contains("50"), err.encode());
    c.assertStaysOpen(Duration.ofMillis(300));

    // The bucket refills at 50 frames/s: the session is soon served again.
    long deadline = System.currentTimeMillis() + SockJsTestClient.PATIENCE.toMillis();
    for (int attempt = 0; ; attempt++) {
      String id = "again-" + attempt;
      c.send(query(id, "t-1"));
      try {
        JsonObject r = c.await(reply(id).and(com.presencehub.testing.FrameMatch.type("presence")), Duration.ofMillis(300));
        assertEquals("online", record(r, "t-1").getString("status"));
        break;
      } catch (AssertionError notYet) {
        if (System.currentTimeMillis() > deadline || c.isClosed()) {
          throw notYet;
        }
      }
    }
    assertServes(bystander, "t-1", "online");
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("A sustained flood gets rate_limited, then close 4408; the node and other sessions carry on")
  void floodClosesWith4408(Transport transport) {
    SockJsTestClient c = hub.login(transport, "acme", "t-1", "tech");
    List<String> flood = new ArrayList<>(Collections.nCopies(1_000, new JsonObject().put("type", "activity").encode()));
    c.sendAll(flood);
    c.await(error("rate_limited"));
    Closed closed = c.awaitClose();
    assertEquals(4408, closed.code(), closed.toString());
    assertTrue(closed.byHub());
    long refusals = c.received().stream().filter(error("rate_limited")).count();
    assertTrue(refusals <= 102, refusals + " rate_limited errors for one flood");

    assertServes(bystander, "t-bystander", "online");
    SockJsTestClient again = hub.login(Transport.RAW_WEBSOCKET, "acme", "t-1", "tech");
    assertServes(again, "t-1", "online");
  }

  /** An activity frame with an id, padded with ASCII to exactly {@code bytes} bytes. */
  static String activityOfSize(String id, int bytes) {
    String head = new JsonObject().put("type", "activity").put("id", id).put("pad", "").encode();
    String frame = head.substring(0, head.length() - 2) + "x".repeat(bytes - head.length()) + "\"}";
    if (frame.getBytes(StandardCharsets.UTF_8).length != bytes) {
      throw new IllegalStateException("padding is off: " + frame.length());
    }
    return frame;
  }

  private static void assertServes(SockJsTestClient c, String user, String status) {
    String id = "probe-" + System.nanoTime();
    c.send(query(id, user));
    assertEquals(status, record(c.reply(id), user).getString("status"));
  }
}
