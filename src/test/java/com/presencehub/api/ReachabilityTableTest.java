package com.presencehub.api;

import static com.presencehub.api.ApiHub.await;
import static com.presencehub.api.ApiHub.failure;
import static com.presencehub.testing.FrameMatch.type;
import static com.presencehub.testing.FrameMatch.update;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.presencehub.api.client.NotReachableException;
import com.presencehub.api.client.PresenceService;
import com.presencehub.api.client.Reachability;
import com.presencehub.api.client.Sender;
import com.presencehub.presence.DeliveryKind;
import com.presencehub.presence.Status;
import com.presencehub.testing.SockJsTestClient;
import com.presencehub.testing.SockJsTestClient.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@ExtendWith(VertxExtension.class)
@Timeout(60)
@DisplayName("presence.reachable and presence.deliver follow every row of the reachability table (PROTOCOL.md §2)")
class ReachabilityTableTest {

  private static final Duration QUIET = Duration.ofMillis(400);
  private static final Sender BOT = Sender.service("bot-1", "Ticket bot");

  /** Every row: client/tech × online/away/offline × chat.request/chat.message/notify. */
  static Stream<Arguments> table() {
    List<Arguments> rows = new ArrayList<>();
    for (String role : new String[] {"client", "tech"}) {
      for (Status status : Status.values()) {
        for (DeliveryKind kind : DeliveryKind.values()) {
          boolean reachable = status != Status.OFFLINE
              && !(role.equals("client") && kind == DeliveryKind.CHAT_REQUEST && status != Status.ONLINE);
          rows.add(Arguments.of(role, status, kind, reachable));
        }
      }
    }
    return rows.stream();
  }

  @ParameterizedTest(name = "{0} {1}, {2} → reachable {3}")
  @MethodSource("table")
  @DisplayName("reachable answers by the table, and deliver writes exactly when it says reachable")
  void row(String role, Status status, DeliveryKind kind, boolean reachable, Vertx vertx) {
    // Away is reached the way the contract says it comes: no activity for idleTimeoutMs (1.5 s here).
    ApiHub hub = ApiHub.start(vertx, status == Status.AWAY ? new JsonObject() : ApiHub.noIdle());
    PresenceService presence = hub.presence();
    SockJsTestClient session = hub.login(Transport.SOCKJS_WEBSOCKET, "acme", "u-1", role);
    switch (status) {
      case AWAY -> session.await(update("u-1", "away", "inactive"));
      case OFFLINE -> ApiHub.bye(session);
      default -> { }
    }

    Reachability r = await(presence.reachable("acme", "u-1", kind));
    assertEquals(reachable, r.reachable(), r.toString());
    assertEquals(status, r.presence().status());
    assertEquals(role, r.presence().role().wire());
    assertEquals("acme", r.presence().tenant());

    JsonObject payload = new JsonObject().put("ticket", 42).put("text", "Printer on fire");
    if (reachable) {
      assertEquals(1, await(presence.deliver("acme", "u-1", kind, BOT, payload)));
      JsonObject frame = session.next(kind.wire());
      assertEquals(new JsonObject().put("type", kind.wire()).put("from", BOT.toJson()).put("payload", payload), frame);
    } else {
      NotReachableException refused = assertInstanceOf(NotReachableException.class,
          failure(presence.deliver("acme", "u-1", kind, BOT, payload)));
      assertEquals(status, refused.status());
      assertEquals(404, refused.failureCode());
      if (status != Status.OFFLINE) {
        session.expectNone(type(kind.wire()), QUIET);
      }
    }
  }

  @Test
  @DisplayName("A tech who chose Away is reachable for every kind, a new chat included")
  void preferredAwayTech(Vertx vertx) {
    ApiHub hub = ApiHub.start(vertx, ApiHub.noIdle());
    SockJsTestClient tech = hub.login("acme", "t-1", "tech");
    tech.send(new JsonObject().put("type", "presence.set").put("id", "p").put("status", "away"));
    tech.reply("p");
    for (DeliveryKind kind : DeliveryKind.values()) {
      Reachability r = await(hub.presence().reachable("acme", "t-1", kind));
      assertEquals(true, r.reachable(), kind + ": " + r);
      assertEquals("preferred", r.presence().reason().wire());
      assertEquals(1, await(hub.presence().deliver("acme", "t-1", kind, BOT, null)));
      assertEquals(new JsonObject(), tech.next(kind.wire()).getJsonObject("payload"), "a missing payload is delivered as {}");
    }
  }

  @Test
  @DisplayName("An unknown user or tenant is offline (role null, since null) and never reachable")
  void unknownIsOffline(Vertx vertx) {
    ApiHub hub = ApiHub.start(vertx, ApiHub.noIdle());
    hub.login("acme", "t-1", "tech");
    for (String[] who : new String[][] {{"acme", "nobody"}, {"no-such-tenant", "t-1"}}) {
      for (DeliveryKind kind : DeliveryKind.values()) {
        Reachability r = await(hub.presence().reachable(who[0], who[1], kind));
        assertEquals(false, r.reachable());
        assertEquals(Status.OFFLINE, r.presence().status());
        assertEquals("disconnected", r.presence().reason().wire());
        assertNull(r.presence().role());
        assertNull(r.presence().since());
        NotReachableException refused = assertInstanceOf(NotReachableException.class,
            failure(hub.presence().deliver(who[0], who[1], kind, BOT, null)));
        assertEquals(Status.OFFLINE, refused.status());
      }
    }
  }
}
