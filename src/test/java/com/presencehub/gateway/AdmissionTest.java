package com.presencehub.gateway;

import static com.presencehub.gateway.AuthenticationTest.assertUnauthorizedClose;
import static com.presencehub.gateway.AuthenticationTest.query;
import static com.presencehub.gateway.AuthenticationTest.record;
import static com.presencehub.testing.FrameMatch.error;
import static com.presencehub.testing.FrameMatch.update;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.testing.FrameMatch;
import com.presencehub.testing.SockJsTestClient;
import com.presencehub.testing.SockJsTestClient.Closed;
import com.presencehub.testing.SockJsTestClient.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Issue 10 §2 reproduced over real sockets: PROTOCOL.md §3 one role per user, §4 sessions per user. */
@ExtendWith(VertxExtension.class)
@Timeout(90)
@DisplayName("Admission of a session: one role per user (§3), sessions per user (§4)")
class AdmissionTest {

  private LiveHub hub;
  private SockJsTestClient client;
  private SockJsTestClient tech;

  @BeforeEach
  void start(Vertx vertx) {
    hub = LiveHub.start(vertx, LiveHub.noIdle().put("offlineGraceMs", 3_000).put("maxSessionsPerUser", 2)
        .put("authTimeoutMs", 10_000));
    // C: a client watching the tech roster; W: a tech watching X by id.
    client = hub.login(Transport.RAW_WEBSOCKET, "acme", "c", "client");
    client.send(new JsonObject().put("type", "subscribe").put("id", "r").put("roster", "tech"));
    client.reply("r");
    tech = hub.login(Transport.RAW_WEBSOCKET, "acme", "w", "tech");
    tech.send(new JsonObject().put("type", "subscribe").put("id", "u").put("users", new JsonArray().add("x")));
    tech.reply("u");
  }

  @AfterEach
  void stop() {
    hub.stop();
  }

  private SockJsTestClient attempt(Transport transport, String role, Object id) {
    SockJsTestClient c = hub.connect(transport);
    c.send(new JsonObject().put("type", "auth").put("id", id).put("token", hub.token("acme", "x", role)));
    return c;
  }

  private static FrameMatch shows(String user, String status, String role) {
    return FrameMatch.of("presence of " + user + " " + status + "/" + role, f -> {
      JsonObject r = FrameMatch.recordOf(f, user);
      return r != null && status.equals(r.getString("status")) && role.equals(r.getString("role"));
    });
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("a client session of an open tech gets unauthorized naming the conflict and 4401; the tech can still set away and leaves as a tech")
  void secondRoleRefused(Transport transport) {
    SockJsTestClient x = hub.login(transport, "acme", "x", "tech");
    client.await(shows("x", "online", "tech"));

    SockJsTestClient second = attempt(transport, "client", "a-1");
    JsonObject err = second.await(error("unauthorized"));
    assertEquals("a-1", err.getValue("id"));
    assertTrue(err.getString("message").contains("role conflict") && err.getString("message").contains("as tech"),
        "the error names the conflict: " + err);
    assertUnauthorizedClose(second.awaitClose());
    assertTrue(second.received().stream().noneMatch(f -> "welcome".equals(f.getString("type"))), "a welcome was sent");

    x.send(new JsonObject().put("type", "presence.set").put("id", "away").put("status", "away"));
    JsonObject ack = x.reply("away");
    assertEquals("ack", ack.getString("type"), ack.encode());
    client.await(shows("x", "away", "tech"));
    x.send(new JsonObject().put("type", "bye"));
    client.await(shows("x", "offline", "tech"));
    tech.await(shows("x", "offline", "tech"));

    // Offline now: the role may change, and the tech roster watcher already heard the offline.
    SockJsTestClient asClient = hub.login(transport, "acme", "x", "client");
    tech.await(shows("x", "online", "client"));
    client.expectNone(shows("x", "online", "client"), Duration.ofMillis(200));
    asClient.send(new JsonObject().put("type", "bye"));
    tech.await(shows("x", "offline", "client"));
  }

  @Test
  @DisplayName("a tech that drops without bye cannot come back as a client within the grace; after it, watchers hear offline/tech first")
  void inGraceRefused() {
    SockJsTestClient x = hub.login(Transport.RAW_WEBSOCKET, "acme", "x", "tech");
    client.await(shows("x", "online", "tech"));
    x.disconnect();
    SockJsTestClient back = attempt(Transport.SOCKJS_WEBSOCKET, "client", "a-2");
    back.await(error("unauthorized"));
    assertUnauthorizedClose(back.awaitClose());
    client.await(shows("x", "offline", "tech"));
    tech.await(shows("x", "offline", "tech"));
    SockJsTestClient asClient = hub.login(Transport.RAW_WEBSOCKET, "acme", "x", "client");
    tech.await(shows("x", "online", "client"));
    tech.send(query("q", "x"));
    assertEquals("client", record(tech.reply("q"), "x").getString("role"));
    asClient.send(new JsonObject().put("type", "bye"));
  }

  @Test
  @DisplayName("one session more than maxSessionsPerUser gets too_large naming the limit and 4408; a freed place is taken again")
  void sessionsPerUser() {
    SockJsTestClient first = hub.login(Transport.RAW_WEBSOCKET, "acme", "x", "tech");
    hub.login(Transport.SOCKJS_WEBSOCKET, "acme", "x", "tech");
    SockJsTestClient third = attempt(Transport.XHR_POLLING, "tech", "a-3");
    JsonObject err = third.await(error("too_large"));
    assertEquals("a-3", err.getValue("id"));
    assertTrue(err.getString("message").contains("maxSessionsPerUser") && err.getString("message").contains("2"),
        "the error names the limit: " + err);
    Closed closed = third.awaitClose();
    assertEquals(4408, closed.code(), "close " + closed);
    first.send(new JsonObject().put("type", "bye"));
    first.awaitClose();
    // The shard hears the bye before any later open of the user: the place is free.
    hub.login(Transport.RAW_WEBSOCKET, "acme", "x", "tech");
  }
}
