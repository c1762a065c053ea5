package com.presencehub.api;

import static com.presencehub.api.ApiHub.await;
import static com.presencehub.api.ApiHub.failure;
import static com.presencehub.testing.FrameMatch.type;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.api.client.NotReachableException;
import com.presencehub.api.client.PresenceBus;
import com.presencehub.api.client.PresenceService;
import com.presencehub.api.client.Sender;
import com.presencehub.presence.DeliveryKind;
import com.presencehub.presence.Status;
import com.presencehub.testing.SockJsTestClient;
import com.presencehub.testing.SockJsTestClient.Transport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(90)
@DisplayName("presence.deliver writes to every session and counts the ones that took it, in order (PROTOCOL.md §5)")
class DeliverTest {

  private static final Duration QUIET = Duration.ofMillis(400);
  private static final Sender BOT = Sender.service("bot-1", "Ticket bot");

  private Vertx vertx;
  private ApiHub hub;
  private PresenceService presence;

  /** One node per test: two nodes' APIs on one event bus would share the requests between them. */
  private void start(Vertx vertx, JsonObject config) {
    this.vertx = vertx;
    hub = ApiHub.start(vertx, config);
    presence = hub.presence();
  }

  @Test
  @DisplayName("every session of the user gets the frame, on every transport; other users get nothing")
  void everySession(Vertx vertx) {
    start(vertx, ApiHub.noIdle());
    SockJsTestClient ws = hub.login(Transport.RAW_WEBSOCKET, "acme", "c-1", "client");
    SockJsTestClient sockjs = hub.login(Transport.SOCKJS_WEBSOCKET, "acme", "c-1", "client");
    SockJsTestClient polling = hub.login(Transport.XHR_POLLING, "acme", "c-1", "client");
    SockJsTestClient other = hub.login("acme", "c-2", "client");
    SockJsTestClient namesake = hub.login("beta", "c-1", "client");

    Sender tech = new Sender("t-1", "tech", "Tess");
    JsonObject payload = new JsonObject().put("chatId", "ch-1").put("text", "Hello");
    assertEquals(3, await(presence.deliver("acme", "c-1", DeliveryKind.CHAT_REQUEST, tech, payload)));
    JsonObject expected = new JsonObject().put("type", "chat.request")
        .put("from", new JsonObject().put("id", "t-1").put("role", "tech").put("name", "Tess")).put("payload", payload);
    for (SockJsTestClient s : List.of(ws, sockjs, polling)) {
      assertEquals(expected, s.next("chat.request"), s.transport().toString());
    }
    other.expectNone(type("chat.request"), QUIET);
    namesake.expectNone(type("chat.request"), Duration.ZERO);
  }

  @Test
  @DisplayName("two sessions count 2; after one ends with bye, 1; after the other drops, 0 during the grace, then not_reachable")
  void countsOnlySessionsThatTookIt(Vertx vertx) {
    start(vertx, ApiHub.noIdle().put("offlineGraceMs", 60_000));
    SockJsTestClient tab1 = hub.login(Transport.SOCKJS_WEBSOCKET, "acme", "t-1", "tech");
    SockJsTestClient tab2 = hub.login(Transport.RAW_WEBSOCKET, "acme", "t-1", "tech");
    PresenceService p = presence;

    assertEquals(2, await(p.deliver("acme", "t-1", DeliveryKind.NOTIFY, BOT, n(1))));
    tab1.next("notify");
    tab2.next("notify");

    ApiHub.bye(tab2);
    assertEquals(1, await(p.deliver("acme", "t-1", DeliveryKind.NOTIFY, BOT, n(2))));
    assertEquals(2, tab1.next("notify").getJsonObject("payload").getInteger("n"));

    // An abrupt end: the user lingers (still online for the grace) but no session takes anything.
    tab1.disconnect();
    tab1.awaitClose();
    await().atMost(ApiHub.PATIENCE).until(() -> await(p.deliver("acme", "t-1", DeliveryKind.NOTIFY, BOT, n(3))) == 0);
    assertEquals(Status.ONLINE, await(p.reachable("acme", "t-1", DeliveryKind.NOTIFY)).presence().status());
    assertEquals(0, await(p.deliver("acme", "t-1", DeliveryKind.CHAT_REQUEST, BOT, n(4))));
  }

  @Test
  @DisplayName("a user whose session dropped abruptly is counted out as soon as the hub noticed, never counted twice")
  void abruptCloseOfOneOfTwo(Vertx vertx) {
    start(vertx, ApiHub.noIdle());
    SockJsTestClient stays = hub.login(Transport.RAW_WEBSOCKET, "acme", "c-1", "client");
    SockJsTestClient drops = hub.login(Transport.SOCKJS_WEBSOCKET, "acme", "c-1", "client");
    assertEquals(2, await(presence.deliver("acme", "c-1", DeliveryKind.CHAT_MESSAGE, BOT, n(0))));
    drops.disconnect();
    drops.awaitClose();
    await().atMost(ApiHub.PATIENCE).until(() -> await(presence.deliver("acme", "c-1", DeliveryKind.CHAT_MESSAGE, BOT, n(1))) == 1);
    assertEquals(1, await(presence.deliver("acme", "c-1", DeliveryKind.CHAT_MESSAGE, BOT, n(2))));
    stays.await(f -> "chat.message".equals(f.getString("type")) && f.getJsonObject("payload").getInteger("n") == 2);
  }

  @Test
  @DisplayName("many deliveries to one user, sent without waiting, arrive in order on each of its sessions (facade)")
  void orderThroughTheFacade(Vertx vertx) {
    start(vertx, ApiHub.noIdle());
    SockJsTestClient a = hub.login(Transport.RAW_WEBSOCKET, "acme", "c-1", "client");
    SockJsTestClient b = hub.login(Transport.XHR_POLLING, "acme", "c-1", "client");
    int count = 200;
    List<Future<Integer>> sent = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      sent.add(presence.deliver("acme", "c-1", DeliveryKind.CHAT_MESSAGE, BOT, n(i)));
    }
    await(Future.all(sent));
    for (Future<Integer> f : sent) {
      assertEquals(2, f.result());
    }
    assertInOrder(a, count);
    assertInOrder(b, count);
  }

  @Test
  @DisplayName("raw requests pipelined to one node arrive in order too, interleaved with another user's")
  void orderOfRawPipelinedRequests(Vertx vertx) {
    start(vertx, ApiHub.noIdle());
    SockJsTestClient c1 = hub.login(Transport.SOCKJS_WEBSOCKET, "acme", "c-1", "client");
    SockJsTestClient c2 = hub.login(Transport.RAW_WEBSOCKET, "acme", "c-2", "client");
    int count = 200;
    List<Future<JsonObject>> sent = new ArrayList<>();
    // Sent from one event loop, as a service's verticle would: the event bus keeps a sender's order.
    vertx.runOnContext(v -> {
      for (int i = 0; i < count; i++) {
        for (String to : new String[] {"c-1", "c-2"}) {
          synchronized (sent) {
            sent.add(hub.request(PresenceBus.DELIVER, new JsonObject().put("tenant", "acme").put("to", to)
                .put("kind", "chat.message").put("from", BOT.toJson()).put("payload", n(i))));
          }
        }
      }
    });
    await().atMost(ApiHub.PATIENCE).until(() -> {
      synchronized (sent) {
        return sent.size() == 2 * count;
      }
    });
    List<Future<JsonObject>> all;
    synchronized (sent) {
      all = List.copyOf(sent);
    }
    await(Future.all(all));
    for (Future<JsonObject> f : all) {
      assertEquals(new JsonObject().put("delivered", 1), f.result());
    }
    assertInOrder(c1, count);
    assertInOrder(c2, count);
  }

  @Test
  @DisplayName("a refused delivery is a 404 whose message starts with not_reachable status=<status>")
  void notReachableMessage(Vertx vertx) {
    start(vertx, ApiHub.noIdle());
    SockJsTestClient client = hub.login("acme", "c-1", "client");
    ApiHub.bye(client);
    Throwable e = failure(hub.request(PresenceBus.DELIVER, new JsonObject().put("tenant", "acme").put("to", "c-1")
        .put("kind", "chat.message").put("from", BOT.toJson())));
    NotReachableException typed = assertInstanceOf(NotReachableException.class,
        failure(presence.deliver("acme", "c-1", DeliveryKind.CHAT_MESSAGE, BOT, null)));
    assertEquals(Status.OFFLINE, typed.status());
    io.vertx.core.eventbus.ReplyException raw = assertInstanceOf(io.vertx.core.eventbus.ReplyException.class, e);
    assertEquals(404, raw.failureCode());
    assertEquals("not_reachable status=offline: c-1 is offline, chat.message not delivered", raw.getMessage());
  }

  private static JsonObject n(int i) {
    return new JsonObject().put("n", i);
  }

  private static void assertInOrder(SockJsTestClient session, int count) {
    List<Integer> got = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      got.add(session.next("chat.message").getJsonObject("payload").getInteger("n"));
    }
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      expected.add(i);
    }
    assertEquals(expected, got, session.transport() + " received out of order");
    assertTrue(session.received().stream().filter(f -> "chat.message".equals(f.getString("type"))).count() == count);
  }
}
