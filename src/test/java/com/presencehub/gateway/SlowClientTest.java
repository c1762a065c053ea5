package com.presencehub.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.testing.SockJsTestClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A watcher that stops reading must not make the node buffer every change for it: once its socket
 * is full, the hub keeps only the latest record per user and writes those when it drains.
 */
@ExtendWith(VertxExtension.class)
class SlowClientTest {

  private static final int TECHS = 20;
  private static final int TOGGLES = 2_000;

  @Test
  @Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
  @DisplayName("a watcher that stops reading gets presence coalesced, and the latest record of every user once it reads again")
  void slowWatcherGetsLatestRecordPerUser(Vertx vertx) throws Exception {
    LiveHub hub = LiveHub.start(vertx, LiveHub.noIdle()
        .put("writeQueueMaxChars", 1_024)
        .put("rateLimitPerSecond", 1_000_000).put("rateLimitBurst", 1_000_000));

    // The watcher reads through a tiny TCP window, so the hub's writes back up quickly once it
    // stops reading.
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setReceiveBufferSize(4_096).setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 24));
    WebSocket watcher = client.connect(hub.port(), "127.0.0.1", "/presence/websocket").await(10, TimeUnit.SECONDS);
    Map<String, JsonObject> latest = new ConcurrentHashMap<>();
    AtomicInteger records = new AtomicInteger();
    AtomicInteger snapshots = new AtomicInteger();
    AtomicInteger queryReplies = new AtomicInteger();
    watcher.textMessageHandler(text -> {
      JsonObject f = new JsonObject(text);
      if ("subscribed".equals(f.getValue("id"))) {
        snapshots.incrementAndGet();
      } else if ("q".equals(f.getValue("id"))) {
        queryReplies.incrementAndGet();
      } else if ("presence".equals(f.getString("type"))) {
        for (Object o : f.getJsonArray("updates")) {
          JsonObject r = (JsonObject) o;
          if (r.getString("user").startsWith("tech-")) {
            records.incrementAndGet();
            latest.put(r.getString("user"), r);
          }
        }
      }
    });
    watcher.writeTextMessage(new JsonObject().put("type", "auth").put("token", hub.token("acme", "watcher", "tech")).encode());
    List<SockJsTestClient> techs = new ArrayList<>();
    for (int i = 0; i < TECHS; i++) {
      techs.add(hub.login("acme", "tech-" + i, "tech"));
    }
    watcher.writeTextMessage(new JsonObject().put("type", "subscribe").put("roster", "tech").put("id", "subscribed").encode());
    await().atMost(Duration.ofSeconds(10)).until(() -> snapshots.get() == 1);
    records.set(0);
    watcher.pause();

    // Every tech flips between away and online TOGGLES times, then settles: even techs online,
    // odd ones away.
    for (int i = 0; i < TECHS; i++) {
      List<String> frames = new ArrayList<>(TOGGLES + 1);
      for (int t = 0; t < TOGGLES; t++) {
        frames.add(new JsonObject().put("type", "presence.set").put("status", t % 2 == 0 ? "away" : "online").encode());
      }
      frames.add(new JsonObject().put("type", "presence.set").put("status", i % 2 == 0 ? "online" : "away")
          .put("id", "last").encode());
      techs.get(i).sendAll(frames);
    }
    // The node has applied every change once each tech has its last ack. A tech's own replies
    // count against the same small writeQueueMaxChars: while they back up (a loaded machine, several
    // gateway loops) its last presence.set may be refused with rate_limited (§4 limits), and is
    // then sent again until it is applied; a write queue that never drains fails here.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (int i = 0; i < TECHS; i++) {
      SockJsTestClient tech = techs.get(i);
      JsonObject last = new JsonObject().put("type", "presence.set").put("status", i % 2 == 0 ? "online" : "away")
          .put("id", "last");
      while (true) {
        JsonObject reply = tech.await(f -> "last".equals(f.getValue("id")),
            Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        if ("ack".equals(reply.getString("type"))) {
          break;
        }
        assertEquals("rate_limited", reply.getString("code"), "tech-" + i + ": " + reply);
        Thread.sleep(20); // gives the tech's queue time to drain before the retry: the pause is the behaviour
        tech.send(last);
      }
    }

    watcher.resume();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      for (int i = 0; i < TECHS; i++) {
        JsonObject r = latest.get("tech-" + i);
        String expected = i % 2 == 0 ? "online" : "away";
        assertTrue(r != null && expected.equals(r.getString("status")),
            "tech-" + i + " should end " + expected + ", watcher has " + r);
      }
    });
    // The kernel's socket buffers on loopback hold a few MB before the hub's queue counts as full,
    // so part of the storm gets through as is; the rest must have been merged, not queued.
    int transitions = TECHS * (TOGGLES + 1);
    assertTrue(records.get() < transitions,
        "the paused watcher received all " + records.get() + " of " + transitions
            + " transitions: its updates were buffered, not coalesced");
    // The watcher works normally again: a fresh query answers.
    watcher.writeTextMessage(new JsonObject().put("type", "query").put("users", new JsonArray().add("tech-0")).put("id", "q").encode());
    await().atMost(Duration.ofSeconds(10)).until(() -> queryReplies.get() == 1);
    assertEquals(TECHS, latest.size());
  }
}
