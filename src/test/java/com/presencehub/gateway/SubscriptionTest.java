package com.presencehub.gateway;

import static com.presencehub.gateway.AuthenticationTest.query;
import static com.presencehub.gateway.AuthenticationTest.record;
import static com.presencehub.testing.FrameMatch.type;
import static com.presencehub.testing.FrameMatch.update;
import static com.presencehub.testing.FrameMatch.updateOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.testing.SockJsTestClient;
import com.presencehub.testing.SockJsTestClient.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@ExtendWith(VertxExtension.class)
@Timeout(60)
@DisplayName("Subscriptions and queries (subscribe, unsubscribe, query of PROTOCOL.md §4)")
class SubscriptionTest {

  /** How long a watcher listens to be sure a change it should not hear did not come. */
  private static final Duration QUIET = Duration.ofMillis(700);

  private LiveHub hub;

  @BeforeEach
  void start(Vertx vertx) {
    hub = LiveHub.start(vertx, LiveHub.noIdle());
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("subscribe users sends the current record of each at once, in the request's order, then every change")
  void subscribeUsersSnapshotThenChanges(Transport transport) {
    SockJsTestClient online = hub.login(Transport.RAW_WEBSOCKET, "acme", "c-on", "client");
    SockJsTestClient watcher = hub.login(transport, "acme", "t-w", "tech");

    watcher.send(subscribeUsers("s1", "c-new", "c-on", "t-w"));
    JsonObject snapshot = watcher.reply("s1");
    assertEquals("presence", snapshot.getString("type"));
    List<String> order = snapshot.getJsonArray("updates").stream().map(r -> ((JsonObject) r).getString("user")).toList();
    assertEquals(List.of("c-new", "c-on", "t-w"), order);
    assertEquals("offline", record(snapshot, "c-new").getString("status"));
    assertEquals("online", record(snapshot, "c-on").getString("status"));
    assertEquals("client", record(snapshot, "c-on").getString("role"));

    SockJsTestClient newcomer = hub.login(Transport.SOCKJS_WEBSOCKET, "acme", "c-new", "client");
    JsonObject arrived = record(watcher.await(update("c-new", "online", "active")), "c-new");
    assertEquals("client", arrived.getString("role"));
    assertTrue(arrived.getLong("since") != null && arrived.getLong("lastActiveAt") != null, arrived.encode());

    online.send(new JsonObject().put("type", "bye"));
    watcher.await(update("c-on", "offline", "disconnected"));
    newcomer.send(new JsonObject().put("type", "bye"));
    watcher.await(update("c-new", "offline", "disconnected"));
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("subscribe roster sends every user of that role who is not offline, then every change")
  void rosterSnapshotListsOnlyPresentUsers(Transport transport) {
    SockJsTestClient t1 = hub.login(Transport.RAW_WEBSOCKET, "acme", "t-online", "tech");
    SockJsTestClient t2 = hub.login(Transport.RAW_WEBSOCKET, "acme", "t-away", "tech");
    t2.send(new JsonObject().put("type", "presence.set").put("id", "p").put("status", "away"));
    t2.reply("p");
    SockJsTestClient t3 = hub.login(Transport.RAW_WEBSOCKET, "acme", "t-gone", "tech");
    t3.send(new JsonObject().put("type", "bye"));
    t3.awaitClose();
    hub.login(Transport.RAW_WEBSOCKET, "acme", "c-1", "client");
    hub.login(Transport.RAW_WEBSOCKET, "other", "t-elsewhere", "tech");

    SockJsTestClient watcher = hub.login(transport, "acme", "c-watch", "client");
    watcher.send(new JsonObject().put("type", "subscribe").put("id", "r").put("roster", "tech"));
    JsonObject snapshot = watcher.reply("r");
    Set<String> listed = snapshot.getJsonArray("updates").stream().map(r -> ((JsonObject) r).getString("user"))
        .collect(Collectors.toSet());
    assertEquals(Set.of("t-online", "t-away"), listed);
    assertEquals("preferred", record(snapshot, "t-away").getString("reason"));

    hub.login(Transport.XHR_POLLING, "acme", "t-gone", "tech");
    watcher.await(update("t-gone", "online", "active"));
    t1.send(new JsonObject().put("type", "bye"));
    watcher.await(update("t-online", "offline", "disconnected"));
    hub.login(Transport.RAW_WEBSOCKET, "acme", "c-2", "client");
    watcher.expectNone(updateOf("c-2"), QUIET);
  }

  @Test
  @DisplayName("A roster with nobody present answers with an empty presence frame")
  void emptyRosterSnapshot() {
    SockJsTestClient watcher = hub.login("acme", "t-w", "tech");
    watcher.send(new JsonObject().put("type", "subscribe").put("id", 1).put("roster", "client"));
    JsonObject snapshot = watcher.reply(1);
    assertEquals("presence", snapshot.getString("type"));
    assertEquals(new JsonArray(), snapshot.getJsonArray("updates"));
    hub.login(Transport.XHR_POLLING, "acme", "c-1", "client");
    watcher.await(update("c-1", "online"));
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("unsubscribe users is acked and stops that user's changes, not the others'")
  void unsubscribeUsers(Transport transport) {
    SockJsTestClient watcher = hub.login(transport, "acme", "t-w", "tech");
    watcher.send(subscribeUsers("s", "c-1", "c-2"));
    watcher.reply("s");
    watcher.send(new JsonObject().put("type", "unsubscribe").put("id", "u").put("users", new JsonArray().add("c-1")));
    assertEquals("ack", watcher.reply("u").getString("type"));

    hub.login("acme", "c-1", "client");
    hub.login("acme", "c-2", "client");
    watcher.await(update("c-2", "online"));
    watcher.expectNone(updateOf("c-1"), QUIET);
  }

  @Test
  @DisplayName("unsubscribe roster is acked and stops the roster's changes")
  void unsubscribeRoster() {
    SockJsTestClient watcher = hub.login(Transport.SOCKJS_WEBSOCKET, "acme", "t-w", "tech");
    watcher.send(new JsonObject().put("type", "subscribe").put("id", "s").put("roster", "client"));
    watcher.reply("s");
    hub.login("acme", "c-1", "client");
    watcher.await(update("c-1", "online"));

    watcher.send(new JsonObject().put("type", "unsubscribe").put("id", "u").put("roster", "client"));
    assertEquals("ack", watcher.reply("u").getString("type"));
    hub.login("acme", "c-2", "client");
    watcher.expectNone(updateOf("c-2"), QUIET);
  }

  @Test
  @DisplayName("A user watched both by name and through a roster keeps being watched through the other after one unsubscribe")
  void overlappingSubscriptions() {
    SockJsTestClient watcher = hub.login("acme", "t-w", "tech");
    watcher.send(subscribeUsers("s", "c-1"));
    watcher.reply("s");
    watcher.send(new JsonObject().put("type", "subscribe").put("id", "r").put("roster", "client"));
    watcher.reply("r");
    watcher.send(new JsonObject().put("type", "unsubscribe").put("id", "u").put("users", new JsonArray().add("c-1")));
    watcher.reply("u");

    hub.login("acme", "c-1", "client");
    JsonObject frame = watcher.await(update("c-1", "online"));
    assertEquals(1, frame.getJsonArray("updates").size(), "the change came twice: " + frame.encode());
    watcher.expectNone(updateOf("c-1"), QUIET);
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("query answers once with the current records in a presence frame with the same id, and does not subscribe")
  void queryIsOneOff(Transport transport) {
    hub.login("acme", "c-1", "client");
    SockJsTestClient watcher = hub.login(transport, "acme", "t-w", "tech");
    watcher.send(query("q-77", "c-1", "t-nobody"));
    JsonObject reply = watcher.reply("q-77");
    assertEquals("presence", reply.getString("type"));
    assertEquals(2, reply.getJsonArray("updates").size());
    assertEquals("online", record(reply, "c-1").getString("status"));
    JsonObject unknown = record(reply, "t-nobody");
    assertEquals("offline", unknown.getString("status"));
    assertNull(unknown.getValue("lastActiveAt"));

    hub.login("acme", "t-nobody", "tech");
    watcher.expectNone(updateOf("t-nobody"), QUIET);
  }

  @Test
  @DisplayName("A numeric request id is echoed as a number")
  void numericIdsAreEchoed() {
    SockJsTestClient t = hub.login("acme", "t-w", "tech");
    t.send(query(12345, "t-w"));
    assertEquals(12345, t.reply(12345).getValue("id"));
  }

  @Test
  @DisplayName("Subscribing or querying more than maxUsersPerSubscribe users is a bad_request; the limit itself is fine")
  void usersPerSubscribeLimit(Vertx vertx) {
    LiveHub small = LiveHub.start(vertx, LiveHub.noIdle().put("maxUsersPerSubscribe", 5));
    SockJsTestClient t = small.login(Transport.RAW_WEBSOCKET, "acme", "t-w", "tech");
    t.send(subscribeUsers("six", "u1", "u2", "u3", "u4", "u5", "u6"));
    JsonObject err = t.reply("six");
    assertEquals("bad_request", err.getString("code"), err.encode());
    assertTrue(err.getString("message").contains("users"), err.encode());
    t.send(query("q6", "u1", "u2", "u3", "u4", "u5", "u6"));
    assertEquals("bad_request", t.reply("q6").getString("code"));

    t.send(subscribeUsers("five", "u1", "u2", "u3", "u4", "u5"));
    assertEquals(5, t.reply("five").getJsonArray("updates").size());
    small.login(Transport.RAW_WEBSOCKET, "acme", "u5", "client");
    t.await(update("u5", "online"));
    small.login(Transport.RAW_WEBSOCKET, "acme", "u6", "client");
    t.expectNone(updateOf("u6"), QUIET);
  }

  @Test
  @DisplayName("A roster snapshot larger than one frame arrives complete, split over several presence frames with the id")
  void largeRosterSnapshot() {
    int n = 300;
    SockJsTestClient early = hub.login("acme", "t-early", "tech");
    early.send(new JsonObject().put("type", "subscribe").put("id", "first").put("roster", "client"));
    early.reply("first");
    for (int i = 0; i < n; i++) {
      hub.connect(Transport.RAW_WEBSOCKET).send(new JsonObject().put("type", "auth")
          .put("token", hub.token("acme", "c-" + i, "client")));
    }
    Set<String> online = new java.util.HashSet<>();
    while (online.size() < n) {
      for (Object r : early.await(type("presence")).getJsonArray("updates")) {
        online.add(((JsonObject) r).getString("user"));
      }
    }

    SockJsTestClient watcher = hub.login("acme", "t-w", "tech");
    watcher.send(new JsonObject().put("type", "subscribe").put("id", "big").put("roster", "client"));
    Set<String> listed = new java.util.HashSet<>();
    int frames = 0;
    while (listed.size() < n) {
      JsonObject f = watcher.await(com.presencehub.testing.FrameMatch.reply("big"));
      frames++;
      assertTrue(f.getJsonArray("updates").size() <= 256, "a frame of " + f.getJsonArray("updates").size() + " records");
      for (Object r : f.getJsonArray("updates")) {
        assertTrue(listed.add(((JsonObject) r).getString("user")), "listed twice: " + r);
      }
    }
    assertEquals(online, listed);
    assertTrue(frames >= 2, "300 records in " + frames + " frame(s)");
  }

  static JsonObject subscribeUsers(Object id, String... users) {
    return new JsonObject().put("type", "subscribe").put("id", id).put("users", new JsonArray(List.of((Object[]) users)));
  }
}
