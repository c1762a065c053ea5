package com.presencehub.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.api.ApiHub;
import com.presencehub.api.http.SseReader.Event;
import com.presencehub.testing.SockJsTestClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** GET …/changes (PROTOCOL.md §8): SSE on a real node with real SockJS sessions. */
@Timeout(120)
@DisplayName("change stream: SSE, one event per transition, heartbeats, Last-Event-ID replay or reset")
class ChangeStreamHttpTest {

  private Vertx vertx;
  private ApiHub hub;
  private ApiCaller api;

  private void start(JsonObject config) {
    vertx = Vertx.vertx();
    hub = ApiHub.start(vertx, ApiHub.noIdle().put("changeStreamHeartbeatMs", 200).mergeIn(config));
    api = new ApiCaller(vertx, hub.node().port());
  }

  @AfterEach
  void stop() {
    ApiHub.await(vertx.close());
  }

  private SseReader open(String tenant, String lastEventId) {
    return SseReader.open(vertx, hub.node().port(), "/api/v1/tenants/" + tenant + "/changes",
        api.serviceToken(tenant), lastEventId);
  }

  @Test
  @DisplayName("text/event-stream with ids, in order per user, heartbeats, nothing of other tenants")
  void stream() {
    start(new JsonObject());
    try (SseReader sse = open("acme", null); SseReader beta = open("beta", null)) {
      assertEquals(200, sse.response().statusCode());
      assertTrue(sse.response().getHeader("Content-Type").startsWith("text/event-stream"));
      Awaitility.await().atMost(ApiHub.PATIENCE).until(() -> hub.node().node().httpApi().metrics().sseClients() == 2);
      SockJsTestClient t1 = hub.login("acme", "t-1", "tech");
      sse.await(SseReader.change("t-1", "online"));
      t1.send(new JsonObject().put("type", "presence.set").put("status", "away").put("id", "s"));
      sse.await(SseReader.change("t-1", "away"));
      ApiHub.bye(t1);
      sse.await(SseReader.change("t-1", "offline"));
      List<JsonObject> t1Changes = sse.changesOf("t-1");
      assertEquals(List.of("online", "away", "offline"), t1Changes.stream().map(c -> c.getString("status")).toList());
      assertEquals("acme", t1Changes.get(0).getString("tenant"));
      assertEquals("preferred", t1Changes.get(1).getString("reason"));
      // Ids grow; one event per transition.
      List<Event> events = sse.events();
      for (int i = 1; i < events.size(); i++) {
        assertTrue(seq(events.get(i).id()) > seq(events.get(i - 1).id()), events.toString());
      }
      Awaitility.await().atMost(ApiHub.PATIENCE).until(() -> sse.comments().contains("heartbeat"));
      assertTrue(beta.changesOf("t-1").isEmpty(), "beta sees nothing of acme");
    }
  }

  private static long seq(String id) {
    return Long.parseLong(id.substring(id.lastIndexOf('-') + 1));
  }

  @Test
  @DisplayName("a reconnect with Last-Event-ID gets what it missed from the node's buffer, of its tenant only")
  void replay() {
    start(new JsonObject());
    String last;
    try (SseReader sse = open("acme", null)) {
      SockJsTestClient a = hub.login("acme", "a", "tech");
      last = sse.await(SseReader.change("a", "online")).id();
      ApiHub.bye(a);
      sse.await(SseReader.change("a", "offline"));
    }
    // Missed while away: b online/offline in acme, x in beta.
    SockJsTestClient b = hub.login("acme", "b", "client");
    SockJsTestClient x = hub.login("beta", "x", "client");
    ApiHub.bye(b);
    ApiHub.bye(x);
    try (SseReader again = open("acme", last)) {
      again.await(SseReader.change("b", "offline"));
      List<String> replayed = again.events().stream().map(e -> e.json().getString("user") + ":" + e.json().getString("status")).toList();
      assertEquals(List.of("a:offline", "b:online", "b:offline"), replayed);
    }
  }

  @Test
  @DisplayName("an id the node no longer holds (or never issued) gets one reset event, then live events")
  void reset() {
    start(new JsonObject().put("changeStreamBuffer", 2));
    String first;
    try (SseReader sse = open("acme", null)) {
      SockJsTestClient a = hub.login("acme", "a", "tech");
      first = sse.await(SseReader.change("a", "online")).id();
      ApiHub.bye(a);
      SockJsTestClient b = hub.login("acme", "b", "tech");
      ApiHub.bye(b);
      sse.await(SseReader.change("b", "offline"));
    }
    try (SseReader overrun = open("acme", first)) {
      Event reset = overrun.await(e -> e.type().equals("reset"));
      assertEquals("buffer_overrun", reset.json().getString("reason"));
      SockJsTestClient c = hub.login("acme", "c", "tech");
      overrun.await(SseReader.change("c", "online"));
      assertEquals(1, overrun.events().stream().filter(e -> e.type().equals("reset")).count());
      c.disconnect();
    }
    try (SseReader foreign = open("acme", "otherepoch-5")) {
      assertEquals(200, foreign.response().statusCode());
      assertEquals("unknown_id", foreign.await(e -> e.type().equals("reset")).json().getString("reason"));
    }
  }

  @Test
  @DisplayName("SSE clients are counted and the count drops when they go")
  void counted() {
    start(new JsonObject());
    SseReader sse = open("acme", null);
    Awaitility.await().atMost(ApiHub.PATIENCE).until(() -> hub.node().node().httpApi().metrics().sseClients() == 1);
    sse.close();
    Awaitility.await().atMost(ApiHub.PATIENCE).pollDelay(Duration.ZERO)
        .until(() -> hub.node().node().httpApi().metrics().sseClients() == 0);
  }
}
