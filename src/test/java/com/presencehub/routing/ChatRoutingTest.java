package com.presencehub.routing;

import static com.presencehub.api.ApiHub.await;
import static com.presencehub.api.ApiHub.replyFailure;
import static com.presencehub.testing.FrameMatch.type;
import static com.presencehub.testing.FrameMatch.update;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.api.ApiHub;
import com.presencehub.testing.SockJsTestClient;
import com.presencehub.testing.SockJsTestClient.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(60)
@DisplayName("The chat router offers a client's new chat to a reachable tech, through the facade only")
class ChatRoutingTest {

  private static final Duration QUIET = Duration.ofMillis(400);

  private ApiHub hub;

  private void start(Vertx vertx, JsonObject config) {
    hub = ApiHub.start(vertx, config);
    await(vertx.deployVerticle(new ChatRoutingVerticle()));
  }

  private JsonObject route(String tenant, JsonObject payload) {
    return await(hub.request(ChatRoutingVerticle.ADDRESS, chat(tenant, payload)));
  }

  private static JsonObject chat(String tenant, JsonObject payload) {
    return new JsonObject().put("tenant", tenant).put("from", new JsonObject().put("id", "c-1").put("name", "Cleo"))
        .put("payload", payload);
  }

  private static SockJsTestClient chooseAway(SockJsTestClient tech) {
    tech.send(new JsonObject().put("type", "presence.set").put("id", "away").put("status", "away"));
    tech.reply("away");
    return tech;
  }

  @Test
  @DisplayName("an online tech is chosen over an away one and gets the chat.request from the client")
  void onlineBeforeAway(Vertx vertx) {
    start(vertx, ApiHub.noIdle());
    SockJsTestClient away = chooseAway(hub.login("acme", "t-a", "tech"));
    SockJsTestClient online = hub.login(Transport.SOCKJS_WEBSOCKET, "acme", "t-b", "tech");
    SockJsTestClient online2 = hub.login(Transport.XHR_POLLING, "acme", "t-b", "tech");
    hub.login("beta", "t-c", "tech");

    JsonObject payload = new JsonObject().put("chatId", "ch-1").put("subject", "VPN down");
    JsonObject reply = route("acme", payload);
    assertEquals(new JsonObject().put("result", "offered").put("offeredTo", "t-b").put("status", "online")
        .put("delivered", 2).put("tried", new JsonArray()), reply);
    JsonObject expected = new JsonObject().put("type", "chat.request")
        .put("from", new JsonObject().put("id", "c-1").put("role", "client").put("name", "Cleo")).put("payload", payload);
    assertEquals(expected, online.next("chat.request"));
    assertEquals(expected, online2.next("chat.request"));
    away.expectNone(type("chat.request"), QUIET);
  }

  @Test
  @DisplayName("with no tech online, an away tech is offered the chat (idle before one who chose Away)")
  void awayWhenNobodyOnline(Vertx vertx) {
    start(vertx, new JsonObject());
    SockJsTestClient chose = chooseAway(hub.login("acme", "t-a", "tech"));
    SockJsTestClient idle = hub.login("acme", "t-b", "tech");
    idle.await(update("t-b", "away", "inactive"));

    JsonObject reply = route("acme", new JsonObject().put("chatId", "ch-2"));
    assertEquals("offered", reply.getString("result"), reply.encode());
    assertEquals("t-b", reply.getString("offeredTo"));
    assertEquals("away", reply.getString("status"));
    assertEquals(1, reply.getInteger("delivered"));
    assertEquals("ch-2", idle.next("chat.request").getJsonObject("payload").getString("chatId"));

    ApiHub.bye(idle);
    reply = route("acme", new JsonObject().put("chatId", "ch-3"));
    assertEquals("t-a", reply.getString("offeredTo"), reply.encode());
    assertEquals("away", reply.getString("status"));
    assertEquals("ch-3", chose.next("chat.request").getJsonObject("payload").getString("chatId"));
  }

  @Test
  @DisplayName("nobody reachable: every tech offline (or none at all) gives the nobody_reachable result, nothing delivered")
  void nobodyReachable(Vertx vertx) {
    start(vertx, ApiHub.noIdle());
    ApiHub.bye(hub.login("acme", "t-a", "tech"));
    SockJsTestClient client = hub.login("acme", "c-1", "client");
    JsonObject nobody = new JsonObject().put("result", "nobody_reachable").putNull("offeredTo").putNull("status")
        .put("delivered", 0).put("tried", new JsonArray());
    assertEquals(nobody, route("acme", new JsonObject()));
    assertEquals(nobody, route("tenant-without-techs", new JsonObject()));
    client.expectNone(type("chat.request"), QUIET);
  }

  @Test
  @DisplayName("a tech listed online whose sessions took nothing (dropped, in its grace) is skipped for the next one")
  void skipsATechWhoseSessionsTookNothing(Vertx vertx) {
    start(vertx, ApiHub.noIdle().put("offlineGraceMs", 60_000));
    // t-a has been online longest, so it is offered first; its only session then drops.
    SockJsTestClient dropped = hub.login("acme", "t-a", "tech");
    SockJsTestClient next = hub.login("acme", "t-b", "tech");
    dropped.disconnect();
    dropped.awaitClose();
    // Until the hub notices the drop, t-a's closing session may still take a chat; then t-a is skipped
    // (and, having taken nothing, stays first in line, so it is tried again next time).
    org.awaitility.Awaitility.await().atMost(ApiHub.PATIENCE)
        .until(() -> new JsonArray().add("t-a").equals(route("acme", new JsonObject()).getJsonArray("tried")));
    JsonObject reply = route("acme", new JsonObject().put("chatId", "last"));
    assertEquals(new JsonArray().add("t-a"), reply.getJsonArray("tried"), reply.encode());
    assertEquals("t-b", reply.getString("offeredTo"));
    next.await(f -> "chat.request".equals(f.getString("type")) && "last".equals(f.getJsonObject("payload").getString("chatId")));
  }

  @Test
  @DisplayName("chats rotate over the online techs: the least recently offered tech is next")
  void rotation(Vertx vertx) {
    start(vertx, ApiHub.noIdle());
    hub.login("acme", "t-a", "tech");
    hub.login("acme", "t-b", "tech");
    hub.login("acme", "t-c", "tech");
    StringBuilder order = new StringBuilder();
    for (int i = 0; i < 6; i++) {
      order.append(route("acme", new JsonObject()).getString("offeredTo")).append(' ');
    }
    assertEquals("t-a t-b t-c t-a t-b t-c ", order.toString());
  }

  @Test
  @DisplayName("a bad routing request fails with 400 naming the field")
  void badRequests(Vertx vertx) {
    start(vertx, ApiHub.noIdle());
    Object[][] cases = {
        {new JsonObject().put("from", new JsonObject().put("id", "c-1")), "tenant: is required"},
        {new JsonObject().put("tenant", 3).put("from", new JsonObject().put("id", "c-1")), "tenant: must be a non-empty string"},
        {new JsonObject().put("tenant", "acme"), "from: is required"},
        {new JsonObject().put("tenant", "acme").put("from", "c-1"), "from: must be an object"},
        {new JsonObject().put("tenant", "acme").put("from", new JsonObject()), "from.id: is required"},
        {new JsonObject().put("tenant", "acme").put("from", new JsonObject().put("id", "c-1").put("name", 1)), "from.name: must be a string"},
        {chat("acme", null).put("payload", "hi"), "payload: must be an object"},
        {"not json", "request: must be a JSON object"},
    };
    for (Object[] c : cases) {
      ReplyException e = replyFailure(hub.request(ChatRoutingVerticle.ADDRESS, c[0]));
      assertEquals(400, e.failureCode(), e.getMessage());
      assertTrue(e.getMessage().startsWith((String) c[1]), c[0] + " -> " + e.getMessage());
    }
  }
}
