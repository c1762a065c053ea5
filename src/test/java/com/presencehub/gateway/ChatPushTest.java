package com.presencehub.gateway;

import static com.presencehub.testing.FrameMatch.error;
import static com.presencehub.testing.FrameMatch.reply;
import static com.presencehub.testing.FrameMatch.type;
import static com.presencehub.testing.FrameMatch.update;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.testing.SockJsTestClient;
import com.presencehub.testing.SockJsTestClient.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@ExtendWith(VertxExtension.class)
@Timeout(60)
@DisplayName("chat.push: delivery by the reachability table (PROTOCOL.md §2, §4)")
class ChatPushTest {

  private static final Duration QUIET = Duration.ofMillis(500);

  private Vertx vertx;
  private LiveHub hub;

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
    this.hub = LiveHub.start(vertx, LiveHub.noIdle());
  }

  @ParameterizedTest(name = "to a client on {0}")
  @EnumSource(Transport.class)
  @DisplayName("A chat.request to an online client reaches every session of it; the ack counts them")
  void chatRequestReachesEverySession(Transport transport) {
    SockJsTestClient tab1 = hub.login(transport, "acme", "c-1", "client");
    SockJsTestClient tab2 = hub.login(Transport.RAW_WEBSOCKET, "acme", "c-1", "client");
    SockJsTestClient tech = hub.login(Transport.SOCKJS_WEBSOCKET, "acme", "t-1", "tech");

    JsonObject payload = new JsonObject().put("chatId", "ch-9").put("subject", "Printer on fire").put("n", 3);
    tech.send(push("p1", "c-1", "chat.request", payload));
    JsonObject ack = tech.reply("p1");
    assertEquals("ack", ack.getString("type"), ack.encode());
    assertEquals(2, ack.getInteger("delivered"));

    for (SockJsTestClient tab : new SockJsTestClient[] {tab1, tab2}) {
      JsonObject d = tab.next("chat.request");
      assertEquals(payload, d.getJsonObject("payload"));
      assertEquals(new JsonObject().put("id", "t-1").put("role", "tech").put("name", "Name of t-1"), d.getJsonObject("from"));
      tab.expectNone(type("chat.request"), Duration.ZERO);
    }
    tech.expectNone(type("chat.request"), QUIET);
  }

  @ParameterizedTest(name = "from {0}")
  @EnumSource(Transport.class)
  @DisplayName("A client may push chat.message and chat.request to a tech")
  void clientPushesToTech(Transport transport) {
    SockJsTestClient tech = hub.login(Transport.XHR_POLLING, "acme", "t-1", "tech");
    SockJsTestClient client = hub.login(transport, "acme", "c-1", "client");
    client.send(push("m", "t-1", "chat.message", new JsonObject().put("text", "hello")));
    assertEquals(1, client.reply("m").getInteger("delivered"));
    JsonObject d = tech.next("chat.message");
    assertEquals("hello", d.getJsonObject("payload").getString("text"));
    assertEquals("c-1", d.getJsonObject("from").getString("id"));
    assertEquals("client", d.getJsonObject("from").getString("role"));

    client.send(push("r", "t-1", "chat.request", null));
    assertEquals(1, client.reply("r").getInteger("delivered"));
    assertEquals(new JsonObject(), tech.next("chat.request").getJsonObject("payload"), "a missing payload is delivered as {}");
  }

  @Test
  @DisplayName("An away client is not offered a chat.request (not_reachable, status away) but gets chat.message")
  void awayClientGetsMessagesButNoNewChats() {
    LiveHub idle = LiveHub.start(vertx, new JsonObject());
    SockJsTestClient client = idle.login(Transport.SOCKJS_WEBSOCKET, "acme", "c-1", "client");
    SockJsTestClient tech = idle.login(Transport.RAW_WEBSOCKET, "acme", "t-1", "tech");
    client.await(update("c-1", "away", "inactive"));

    tech.send(push("req", "c-1", "chat.request", new JsonObject().put("chatId", "x")));
    JsonObject refused = tech.reply("req");
    assertEquals("error", refused.getString("type"));
    assertEquals("not_reachable", refused.getString("code"));
    assertEquals("away", refused.getString("status"));
    client.expectNone(type("chat.request"), QUIET);

    tech.send(push("msg", "c-1", "chat.message", new JsonObject().put("text", "still there?")));
    assertEquals(1, tech.reply("msg").getInteger("delivered"));
    assertEquals("still there?", client.next("chat.message").getJsonObject("payload").getString("text"));
  }

  @Test
  @DisplayName("An away tech (preferred) is still offered a chat.request")
  void awayTechIsReachable() {
    SockJsTestClient tech = hub.login(Transport.RAW_WEBSOCKET, "acme", "t-1", "tech");
    tech.send(new JsonObject().put("type", "presence.set").put("id", "p").put("status", "away"));
    tech.reply("p");
    SockJsTestClient client = hub.login(Transport.XHR_POLLING, "acme", "c-1", "client");
    client.send(push("r", "t-1", "chat.request", new JsonObject()));
    assertEquals(1, client.reply("r").getInteger("delivered"));
    tech.next("chat.request");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Kind.class)
  @DisplayName("An offline target is never reachable: not_reachable with status offline")
  void offlineTargetIsNotReachable(Kind kind) {
    SockJsTestClient tech = hub.login("acme", "t-1", "tech");
    SockJsTestClient gone = hub.login("acme", "c-gone", "client");
    gone.send(new JsonObject().put("type", "bye"));
    gone.awaitClose();
    for (String target : new String[] {"c-gone", "c-never-seen"}) {
      tech.send(push(target, target, kind.wire, new JsonObject()));
      JsonObject err = tech.reply(target);
      assertEquals("not_reachable", err.getString("code"), err.encode());
      assertEquals("offline", err.getString("status"));
    }
  }

  enum Kind {
    CHAT_REQUEST("chat.request"), CHAT_MESSAGE("chat.message");

    final String wire;

    Kind(String wire) {
      this.wire = wire;
    }
  }

  @Test
  @DisplayName("A user whose only session dropped is still reachable during the grace, with nothing delivered")
  void lingeringUserIsAcknowledgedWithZeroDeliveries() {
    LiveHub graceful = LiveHub.start(vertx, LiveHub.noIdle().put("offlineGraceMs", 30_000));
    SockJsTestClient tech = graceful.login("acme", "t-1", "tech");
    SockJsTestClient client = graceful.login("acme", "c-1", "client");
    client.disconnect();
    client.awaitClose();
    tech.send(new JsonObject().put("type", "query").put("id", "q").put("users", new JsonArray().add("c-1")));
    // Wait until the hub has noticed the drop (the query goes to the same shard after the close).
    tech.reply("q");
    tech.send(push("m", "c-1", "chat.message", new JsonObject()));
    JsonObject ack = tech.reply("m");
    assertEquals("ack", ack.getString("type"), ack.encode());
    assertEquals(0, ack.getInteger("delivered"), "delivered to a closed session: " + ack.encode());
  }

  @Test
  @DisplayName("A client may not push to another client: forbidden, nothing delivered")
  void clientCannotPushToClient() {
    SockJsTestClient other = hub.login("acme", "c-2", "client");
    SockJsTestClient client = hub.login(Transport.SOCKJS_WEBSOCKET, "acme", "c-1", "client");
    client.send(push("m", "c-2", "chat.message", new JsonObject().put("text", "psst")));
    JsonObject err = client.reply("m");
    assertEquals("forbidden", err.getString("code"), err.encode());
    other.expectNone(type("chat.message"), QUIET);
  }

  @Test
  @DisplayName("chat.push validates to, kind and payload: bad_request naming the field, nothing delivered")
  void chatPushValidation() {
    SockJsTestClient client = hub.login("acme", "c-1", "client");
    SockJsTestClient tech = hub.login("acme", "t-1", "tech");
    Object[][] cases = {
        {new JsonObject().put("kind", "chat.request"), "to"},
        {new JsonObject().put("to", 17).put("kind", "chat.request"), "to"},
        {new JsonObject().put("to", "").put("kind", "chat.request"), "to"},
        {new JsonObject().put("to", "c-1"), "kind"},
        {new JsonObject().put("to", "c-1").put("kind", "notify"), "kind"},
        {new JsonObject().put("to", "c-1").put("kind", "chat.request").put("payload", "hi"), "payload"},
        {new JsonObject().put("to", "c-1").put("kind", "chat.request").put("payload", new JsonArray()), "payload"},
    };
    for (int i = 0; i < cases.length; i++) {
      JsonObject frame = ((JsonObject) cases[i][0]).put("type", "chat.push").put("id", i);
      tech.send(frame);
      JsonObject err = tech.await(reply(i));
      assertEquals("bad_request", err.getString("code"), frame.encode() + " -> " + err.encode());
      assertTrue(err.getString("message").contains((String) cases[i][1]), frame.encode() + " -> " + err.encode());
    }
    client.expectNone(type("chat.request"), QUIET);
    tech.send(push("ok", "c-1", "chat.request", new JsonObject()));
    assertEquals(1, tech.reply("ok").getInteger("delivered"));
  }

  @Test
  @DisplayName("forbidden and not_reachable echo the request id, string or number")
  void errorsEchoIds() {
    hub.login("acme", "c-2", "client");
    SockJsTestClient client = hub.login("acme", "c-1", "client");
    client.send(push(9, "c-2", "chat.message", new JsonObject()));
    assertEquals(9, client.await(error("forbidden")).getValue("id"));
    client.send(push("x", "t-nobody", "chat.message", new JsonObject()));
    assertEquals("x", client.await(error("not_reachable")).getValue("id"));
  }

  static JsonObject push(Object id, String to, String kind, JsonObject payload) {
    JsonObject f = new JsonObject().put("type", "chat.push").put("id", id).put("to", to).put("kind", kind);
    if (payload != null) {
      f.put("payload", payload);
    }
    return f;
  }
}
