package com.presencehub.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.testing.FrameMatch;
import com.presencehub.testing.SockJsTestClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PROTOCOL.md §4 limits, the attacks of issue 11 §2: memory per session is bounded whatever the
 * client does. Users watched per session stop at {@code maxWatchedUsers}; a client that stops
 * reading gets its requests refused with {@code rate_limited} while its write queue is full, and is
 * closed once the queue stays full for {@code livenessTimeoutMs}. Both WebSocket transports: on the
 * SockJS one vertx-web's own write queue never reports full.
 */
@ExtendWith(VertxExtension.class)
class SessionBoundsTest {

  private static List<String> ids(String prefix, int n) {
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(prefix + i);
    }
    return out;
  }

  @Test
  @Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
  @DisplayName("subscribing 1000 fresh ids 100 times watches 10000 users (the default limit); the other 90 get too_large naming the limit and subscribe nothing")
  void watchedUsersStopAtTheLimit(Vertx vertx) {
    // The snapshots (10 × 1000 records) must not meet the write-queue bound here: that is the next tests' business.
    LiveHub hub = LiveHub.start(vertx, LiveHub.noIdle().put("writeQueueMaxChars", 16 * 1024 * 1024));
    try {
      SockJsTestClient c = hub.login("acme", "greedy", "tech");
      List<String> frames = new ArrayList<>();
      for (int round = 0; round < 100; round++) {
        frames.add(new JsonObject().put("type", "subscribe").put("users", new JsonArray(ids("r" + round + "-", 1_000)))
            .put("id", round).encode());
      }
      c.sendAll(frames);
      int subscribed = 0;
      int refused = 0;
      for (int round = 0; round < 100; round++) {
        JsonObject reply = c.reply(round);
        if ("presence".equals(reply.getString("type"))) {
          subscribed++;
          // a snapshot of 1000 records comes in frames of at most 256: read the rest
          for (int more = 1000 - reply.getJsonArray("updates").size(); more > 0; ) {
            more -= c.reply(round).getJsonArray("updates").size();
          }
        } else {
          assertEquals("too_large", reply.getString("code"), reply.encode());
          assertTrue(reply.getString("message").contains("10000") && reply.getString("message").contains("maxWatchedUsers"),
              reply.getString("message"));
          refused++;
        }
      }
      assertEquals(10, subscribed);
      assertEquals(90, refused);
      // A refused subscribe watches nothing: r99-0 logging in is not reported; r0-0 (admitted) is.
      SockJsTestClient r99 = hub.login("acme", "r99-0", "tech");
      SockJsTestClient r0 = hub.login("acme", "r0-0", "tech");
      c.await(FrameMatch.update("r0-0", "online"));
      c.expectNone(FrameMatch.updateOf("r99-0"), Duration.ofMillis(500));
      // Unsubscribing frees places.
      c.send(new JsonObject().put("type", "unsubscribe").put("users", new JsonArray(ids("r0-", 1_000))).put("id", "u"));
      c.reply("u");
      c.send(new JsonObject().put("type", "subscribe").put("users", new JsonArray(ids("r99-", 1_000))).put("id", "s"));
      assertEquals("presence", c.reply("s").getString("type"));
      r99.disconnect();
      r0.disconnect();
    } finally {
      hub.stop();
    }
  }

  /** A client on a WebSocket transport that can stop reading; frames in and out as the hub's JSON objects. */
  private static final class StubbornClient {
    final WebSocket ws;
    final boolean sockjs;
    /** Queries answered (a reply of 1000 records comes in several frames with the same id). */
    final Set<Object> answered = ConcurrentHashMap.newKeySet();
    final Set<Object> refused = ConcurrentHashMap.newKeySet();
    final AtomicInteger welcomes = new AtomicInteger();

    StubbornClient(Vertx vertx, int port, boolean sockjs) throws Exception {
      this.sockjs = sockjs;
      // A tiny receive window, so that the hub's writes back up at once when the client stops reading.
      String path = sockjs ? "/presence/000/" + Long.toHexString(System.nanoTime()) + "/websocket" : "/presence/websocket";
      ws = vertx.createWebSocketClient(new WebSocketClientOptions().setReceiveBufferSize(4_096)
          .setMaxFrameSize(1 << 22).setMaxMessageSize(1 << 26)).connect(port, "127.0.0.1", path).await(10, TimeUnit.SECONDS);
      ws.textMessageHandler(text -> {
        if (!sockjs) {
          onFrame(new JsonObject(text));
        } else if (text.startsWith("a")) {
          for (Object f : new JsonArray(text.substring(1))) {
            onFrame(new JsonObject((String) f));
          }
        }
      });
    }

    private void onFrame(JsonObject f) {
      switch (f.getString("type")) {
        case "welcome" -> welcomes.incrementAndGet();
        case "presence" -> {
          if (f.getValue("id") != null) {
            answered.add(f.getValue("id"));
          }
        }
        case "error" -> {
          if ("rate_limited".equals(f.getString("code")) && f.getString("message").contains("write queue full")) {
            refused.add(f.getValue("id"));
          }
        }
        default -> { }
      }
    }

    void send(JsonObject frame) {
      String text = frame.encode();
      ws.writeTextMessage(sockjs ? new JsonArray().add(text).encode() : text);
    }
  }

  @ParameterizedTest(name = "sockjs framing: {0}")
  @ValueSource(booleans = {false, true})
  @Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
  @DisplayName("a client that stops reading and keeps sending query with 1000 ids gets rate_limited instead of replies, then is closed; its user goes offline")
  void nonReadingQueryFlood(boolean sockjs, Vertx vertx) throws Exception {
    long liveness = 3_000;
    LiveHub hub = LiveHub.start(vertx, LiveHub.noIdle().put("livenessTimeoutMs", liveness));
    try {
      SockJsTestClient watcher = hub.login("acme", "watcher", "tech");
      StubbornClient c = new StubbornClient(vertx, hub.port(), sockjs);
      c.send(new JsonObject().put("type", "auth").put("token", hub.token("acme", "flooder", "tech")));
      await().atMost(Duration.ofSeconds(10)).until(() -> c.welcomes.get() == 1);
      watcher.send(new JsonObject().put("type", "subscribe").put("users", new JsonArray().add("flooder")).put("id", "w"));
      watcher.reply("w");
      c.ws.pause();
      // 45 queries/s (under the rate limit) of 1000 ids each, until the hub gives up on the client.
      JsonObject query = new JsonObject().put("type", "query").put("users", new JsonArray(ids("someone-", 1_000)));
      long start = System.currentTimeMillis();
      int sent = 0;
      JsonObject offline = null;
      while (offline == null && System.currentTimeMillis() - start < 60_000) {
        c.send(query.copy().put("id", sent++));
        Thread.sleep(1000 / 45);
        offline = watcher.received().stream().filter(FrameMatch.update("flooder", "offline")).findFirst().orElse(null);
      }
      long took = System.currentTimeMillis() - start;
      assertTrue(offline != null, "the hub kept a session that read nothing for 60 s (" + sent + " queries sent)");
      System.out.printf("bounds: %s non-reading query flood ended after %d ms, %d queries sent%n",
          sockjs ? "sockjs-websocket" : "raw-websocket", took, sent);
      // Reading again: the replies the hub wrote are fewer than the queries; the rest were refused.
      c.ws.resume();
      await().atMost(Duration.ofSeconds(30)).until(() -> c.ws.isClosed());
      // What was answered got through before the queue filled (the kernel's socket buffers on
      // loopback hold several MB); from then on the hub refused, then closed.
      System.out.printf("bounds: %d answered, %d refused of %d%n", c.answered.size(), c.refused.size(), sent);
      assertTrue(c.refused.size() > 0, "no query was refused: " + c.answered.size() + " answered of " + sent);
      assertTrue(c.answered.stream().noneMatch(c.refused::contains), "a query both answered and refused");
      assertTrue(c.answered.size() < sent, "every query was answered although the client read nothing");
    } finally {
      hub.stop();
    }
  }
}
