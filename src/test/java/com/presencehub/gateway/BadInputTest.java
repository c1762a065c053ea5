package com.presencehub.gateway;

import static com.presencehub.gateway.AuthenticationTest.query;
import static com.presencehub.gateway.AuthenticationTest.record;
import static com.presencehub.testing.FrameMatch.error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.testing.SockJsTestClient;
import com.presencehub.testing.SockJsTestClient.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

@ExtendWith(VertxExtension.class)
@Timeout(60)
@DisplayName("Bad input gets bad_request and harms nothing (PROTOCOL.md §4)")
class BadInputTest {

  private static final AtomicInteger USERS = new AtomicInteger();
  private static LiveHub hub;
  /** Another user's session, open through the whole class: bad input must never reach it. */
  private static SockJsTestClient bystander;

  @BeforeAll
  static void start(Vertx vertx) {
    hub = LiveHub.start(vertx, LiveHub.noIdle());
    bystander = hub.login(Transport.SOCKJS_WEBSOCKET, "acme", "t-bystander", "tech");
  }

  /** A bad frame, the field its error must name (null: the frame as a whole), and the id the error must echo. */
  record Bad(String name, String raw, String field, Object id) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Bad> badFrames() {
    String nested = "[".repeat(5_000) + "]".repeat(5_000);
    return List.of(
        new Bad("malformed JSON", "{\"type\":\"query\",", null, null),
        new Bad("not JSON at all", "hello hub", null, null),
        new Bad("empty message", "", null, null),
        new Bad("JSON array instead of object", "[{\"type\":\"activity\"}]", null, null),
        new Bad("JSON string", "\"activity\"", null, null),
        new Bad("JSON number", "42", null, null),
        new Bad("JSON null", "null", null, null),
        new Bad("deeply nested JSON", "{\"type\":\"activity\",\"x\":" + nested + "}", null, null),
        new Bad("object without type", "{\"id\":\"b1\"}", "type", "b1"),
        new Bad("type not a string", "{\"type\":7,\"id\":\"b2\"}", "type", "b2"),
        new Bad("type null", "{\"type\":null,\"id\":\"b3\"}", "type", "b3"),
        new Bad("unknown type", "{\"type\":\"dance\",\"id\":\"b4\"}", "type", "b4"),
        new Bad("id of a wrong type", "{\"type\":\"activity\",\"id\":{\"n\":1}}", "id", null),
        new Bad("subscribe with neither users nor roster", "{\"type\":\"subscribe\",\"id\":\"b5\"}", null, "b5"),
        new Bad("subscribe with both users and roster",
            "{\"type\":\"subscribe\",\"id\":\"b6\",\"users\":[\"a\"],\"roster\":\"tech\"}", null, "b6"),
        new Bad("users not an array", "{\"type\":\"subscribe\",\"id\":\"b7\",\"users\":\"a\"}", "users", "b7"),
        new Bad("users empty", "{\"type\":\"subscribe\",\"id\":\"b8\",\"users\":[]}", "users", "b8"),
        new Bad("a user id that is a number", "{\"type\":\"subscribe\",\"id\":\"b9\",\"users\":[\"a\",1]}", "users[1]", "b9"),
        new Bad("a user id that is empty", "{\"type\":\"query\",\"id\":\"b10\",\"users\":[\"\"]}", "users[0]", "b10"),
        new Bad("a user id that is too long",
            "{\"type\":\"query\",\"id\":\"b11\",\"users\":[\"" + "u".repeat(300) + "\"]}", "users[0]", "b11"),
        new Bad("unknown roster", "{\"type\":\"subscribe\",\"id\":\"b12\",\"roster\":\"admins\"}", "roster", "b12"),
        new Bad("roster not a string", "{\"type\":\"subscribe\",\"id\":\"b13\",\"roster\":[\"tech\"]}", "roster", "b13"),
        new Bad("unsubscribe with users of a wrong type", "{\"type\":\"unsubscribe\",\"id\":\"b14\",\"users\":{}}", "users", "b14"),
        new Bad("unsubscribe with neither", "{\"type\":\"unsubscribe\",\"id\":\"b15\"}", null, "b15"),
        new Bad("query without users", "{\"type\":\"query\",\"id\":\"b16\"}", "users", "b16"),
        new Bad("idleMs as a string", "{\"type\":\"activity\",\"id\":\"b17\",\"idleMs\":\"500\"}", "idleMs", "b17"),
        new Bad("idleMs negative", "{\"type\":\"activity\",\"id\":\"b18\",\"idleMs\":-1}", "idleMs", "b18"),
        new Bad("idleMs fractional", "{\"type\":\"activity\",\"id\":\"b19\",\"idleMs\":1.5}", "idleMs", "b19"),
        new Bad("idleMs beyond a long", "{\"type\":\"activity\",\"id\":\"b20\",\"idleMs\":123456789012345678901234567890}",
            "idleMs", "b20"),
        new Bad("token refresh without a token", "{\"type\":\"auth\",\"id\":\"b21\"}", "token", "b21"),
        new Bad("token refresh with a numeric token", "{\"type\":\"auth\",\"id\":\"b22\",\"token\":5}", "token", "b22"));
  }

  static Stream<Arguments> badFrameCases() {
    return badFrames().stream().map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFrameCases")
  @DisplayName("A bad frame gets bad_request naming the field and echoing a valid id; the session and the node carry on")
  void badFrame(Bad bad) {
    SockJsTestClient c = hub.login(Transport.RAW_WEBSOCKET, "acme", "t-" + USERS.incrementAndGet(), "tech");
    c.sendRaw(bad.raw());
    JsonObject err = c.await(error("bad_request"));
    assertEquals(bad.id(), err.getValue("id"), err.encode());
    if (bad.field() != null) {
      assertTrue(err.getString("message").startsWith(bad.field() + ":"), "message does not name " + bad.field() + ": " + err);
    }
    assertSessionWorks(c);
    assertSessionWorks(bystander);
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("Every kind of bad frame, one after the other on one session, gets one bad_request each; the session stays")
  void allBadFramesInARow(Transport transport) {
    SockJsTestClient c = hub.login(transport, "acme", "t-" + USERS.incrementAndGet(), "tech");
    List<Bad> bad = badFrames();
    for (Bad b : bad) {
      c.sendRaw(b.raw());
    }
    List<JsonObject> errors = new ArrayList<>();
    for (int i = 0; i < bad.size(); i++) {
      errors.add(c.await(error("bad_request")));
    }
    for (int i = 0; i < bad.size(); i++) {
      assertEquals(bad.get(i).id(), errors.get(i).getValue("id"), bad.get(i) + ": " + errors.get(i).encode());
    }
    assertSessionWorks(c);
    assertSessionWorks(bystander);
    assertTrue(!c.isClosed(), "closed: " + c.closed().result());
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("Unusual but valid characters (quotes, escapes, line separators, emoji) round-trip unchanged; control characters are refused in ids, kept in payloads")
  void unusualCharactersRoundTrip(Transport transport) {
    SockJsTestClient c = hub.login(transport, "acme", "t-" + USERS.incrementAndGet(), "tech");
    String odd = "ü \"quoted\" back\\slash \u2028 \u2029 </script> 😀";
    c.send(new JsonObject().put("type", "query").put("id", odd).put("users", new JsonArray().add(odd)));
    JsonObject reply = c.reply(odd);
    assertEquals(odd, record(reply, odd).getString("user"));

    // Ids carry no control characters (IdRule: they end up in logs and other systems' keys).
    String withNul = odd + " \u0000";
    c.send(new JsonObject().put("type", "query").put("id", "nul").put("users", new JsonArray().add(withNul)));
    JsonObject refused = c.reply("nul");
    assertEquals("bad_request", refused.getString("code"), refused.encode());
    assertTrue(refused.getString("message").startsWith("users[0]: must not contain control characters"), refused.encode());

    SockJsTestClient peer = hub.login(Transport.RAW_WEBSOCKET, "acme", "t-peer-" + USERS.incrementAndGet(), "tech");
    JsonObject payload = new JsonObject().put("text", withNul).put("nested", new JsonObject().put("list", new JsonArray().add(withNul).add(1.5)));
    String peerId = peer.received().get(0).getJsonObject("user").getString("id");
    c.send(ChatPushTest.push("p", peerId, "chat.message", payload));
    assertEquals(1, c.reply("p").getInteger("delivered"));
    assertEquals(payload, peer.next("chat.message").getJsonObject("payload"));
  }

  private static void assertSessionWorks(SockJsTestClient c) {
    String id = "alive-" + USERS.incrementAndGet();
    c.send(query(id, "t-bystander"));
    JsonObject r = c.reply(id);
    assertEquals("presence", r.getString("type"), r.encode());
    assertEquals("online", record(r, "t-bystander").getString("status"));
    assertNull(r.getValue("code"));
  }
}
