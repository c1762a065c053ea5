package com.presencehub.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.presence.DeliveryKind;
import com.presencehub.presence.Role;
import com.presencehub.presence.UserPresence;
import com.presencehub.protocol.ErrorCode;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Client frames → commands (PROTOCOL.md §4 client → hub), every refusal naming what to fix. */
@DisplayName("Frame commands")
class FrameCommandsTest {

  private static final long NOW = 1_700_000_000_000L;
  private final FrameCommands commands = new FrameCommands(3);

  private ClientCommand tech(String json) {
    return commands.decode(new JsonObject(json), Role.TECH, NOW);
  }

  private ClientCommand client(String json) {
    return commands.decode(new JsonObject(json), Role.CLIENT, NOW);
  }

  private static ClientCommand.Refused refused(ClientCommand c, ErrorCode code, String message) {
    ClientCommand.Refused r = assertInstanceOf(ClientCommand.Refused.class, c);
    assertEquals(code, r.code(), r.message());
    assertEquals(message, r.message());
    return r;
  }

  @Nested
  @DisplayName("the first frame")
  class First {

    @Test
    @DisplayName("an auth with a token becomes Auth, with its request id")
    void auth() {
      ClientCommand c = commands.first(new JsonObject("{\"type\":\"auth\",\"token\":\"tok\",\"id\":7,\"client\":{\"platform\":\"web\"}}"));
      assertEquals(new ClientCommand.Auth("tok", 7), c);
      assertEquals("auth", c.type());
    }

    @Test
    @DisplayName("anything but auth is refused as unauthorized and ends the session")
    void notAuth() {
      ClientCommand.Refused r = refused(commands.first(new JsonObject("{\"type\":\"ping\",\"id\":\"p\"}")),
          ErrorCode.UNAUTHORIZED, "the first frame must be auth");
      assertTrue(r.endsSession());
      assertEquals("p", r.requestId());
      assertEquals("ping", r.type());
    }

    @Test
    @DisplayName("an auth without a token is unauthorized and ends the session (§4 close codes)")
    void noToken() {
      ClientCommand.Refused r = refused(commands.first(new JsonObject("{\"type\":\"auth\"}")),
          ErrorCode.UNAUTHORIZED, "token: is required");
      assertTrue(r.endsSession());
    }

    @Test
    @DisplayName("a bad client.platform, a missing type or a bad id is a bad_request the client may correct")
    void correctable() {
      assertFalse(refused(commands.first(new JsonObject("{\"type\":\"auth\",\"token\":\"t\",\"client\":{\"platform\":5}}")),
          ErrorCode.BAD_REQUEST, "client.platform: must be a string").endsSession());
      ClientCommand.Refused noType = refused(commands.first(new JsonObject("{\"token\":\"t\"}")),
          ErrorCode.BAD_REQUEST, "type: is required");
      assertNull(noType.type());
      assertFalse(noType.endsSession());
      ClientCommand.Refused badId = assertInstanceOf(ClientCommand.Refused.class,
          commands.first(new JsonObject("{\"type\":\"auth\",\"token\":\"t\",\"id\":true}")));
      assertEquals(ErrorCode.BAD_REQUEST, badId.code());
      assertNull(badId.requestId(), "an id that cannot come back is not echoed");
      assertNull(badId.type());
    }
  }

  @Nested
  @DisplayName("an open session's frames")
  class Open {

    @Test
    @DisplayName("ping, bye and a refreshed auth")
    void simple() {
      assertEquals(new ClientCommand.Ping(1), tech("{\"type\":\"ping\",\"id\":1}"));
      assertEquals(new ClientCommand.Bye(null), tech("{\"type\":\"bye\"}"));
      assertEquals(new ClientCommand.Auth("new", "r"), tech("{\"type\":\"auth\",\"token\":\"new\",\"id\":\"r\"}"));
      refused(tech("{\"type\":\"auth\"}"), ErrorCode.BAD_REQUEST, "token: is required");
    }

    @Test
    @DisplayName("activity is dated now, or idleMs before now")
    void activity() {
      assertEquals(new ClientCommand.Activity(NOW, null), tech("{\"type\":\"activity\"}"));
      assertEquals(new ClientCommand.Activity(NOW - 5_000, 2), tech("{\"type\":\"activity\",\"idleMs\":5000,\"id\":2}"));
      refused(tech("{\"type\":\"activity\",\"idleMs\":-1}"), ErrorCode.BAD_REQUEST, "idleMs: must be a non-negative integer");
    }

    @Test
    @DisplayName("presence.set: techs only, away until a future time or until cleared, online without until")
    void presenceSet() {
      assertEquals(new ClientCommand.SetAway(UserPresence.NEVER, null), tech("{\"type\":\"presence.set\",\"status\":\"away\"}"));
      assertEquals(new ClientCommand.SetAway(NOW + 1, null),
          tech("{\"type\":\"presence.set\",\"status\":\"away\",\"until\":" + (NOW + 1) + "}"));
      assertEquals(new ClientCommand.SetOnline(4), tech("{\"type\":\"presence.set\",\"status\":\"online\",\"id\":4}"));
      refused(tech("{\"type\":\"presence.set\",\"status\":\"away\",\"until\":" + NOW + "}"),
          ErrorCode.BAD_REQUEST, "until: must be in the future (epoch ms)");
      refused(tech("{\"type\":\"presence.set\",\"status\":\"online\",\"until\":" + (NOW + 1) + "}"),
          ErrorCode.BAD_REQUEST, "until: only allowed with status away");
      refused(tech("{\"type\":\"presence.set\",\"status\":\"busy\"}"), ErrorCode.BAD_REQUEST, "status: must be away or online");
      refused(client("{\"type\":\"presence.set\"}"), ErrorCode.FORBIDDEN,
          "only techs can set presence; a client's is automatic");
    }

    @Test
    @DisplayName("subscribe: users (distinct, in order, at most maxUsersPerSubscribe) or one roster the role may watch")
    void subscribe() {
      assertEquals(new ClientCommand.SubscribeUsers(List.of("a", "b"), null),
          tech("{\"type\":\"subscribe\",\"users\":[\"a\",\"b\",\"a\"]}"));
      assertEquals(new ClientCommand.SubscribeRoster(Role.CLIENT, 9), tech("{\"type\":\"subscribe\",\"roster\":\"client\",\"id\":9}"));
      assertEquals(new ClientCommand.SubscribeRoster(Role.TECH, null), client("{\"type\":\"subscribe\",\"roster\":\"tech\"}"));
      refused(client("{\"type\":\"subscribe\",\"roster\":\"client\"}"), ErrorCode.FORBIDDEN,
          "a client may only watch the tech roster");
      refused(tech("{\"type\":\"subscribe\"}"), ErrorCode.BAD_REQUEST, "subscribe needs exactly one of users or roster");
      refused(tech("{\"type\":\"subscribe\",\"users\":[\"a\"],\"roster\":\"tech\"}"), ErrorCode.BAD_REQUEST,
          "subscribe needs exactly one of users or roster");
      refused(tech("{\"type\":\"subscribe\",\"roster\":\"boss\"}"), ErrorCode.BAD_REQUEST, "roster: must be tech or client");
      refused(tech("{\"type\":\"subscribe\",\"users\":[\"a\",\"b\",\"c\",\"d\"]}"), ErrorCode.BAD_REQUEST,
          "users: at most 3 users per request, got 4");
    }

    @Test
    @DisplayName("unsubscribe and query take the same users; unsubscribing from any roster is allowed")
    void unsubscribeAndQuery() {
      assertEquals(new ClientCommand.UnsubscribeUsers(List.of("a"), null), client("{\"type\":\"unsubscribe\",\"users\":[\"a\"]}"));
      assertEquals(new ClientCommand.UnsubscribeRoster(Role.CLIENT, null), client("{\"type\":\"unsubscribe\",\"roster\":\"client\"}"));
      refused(tech("{\"type\":\"unsubscribe\"}"), ErrorCode.BAD_REQUEST, "unsubscribe needs exactly one of users or roster");
      assertEquals(new ClientCommand.Query(List.of("x", "y"), 1), client("{\"type\":\"query\",\"users\":[\"x\",\"y\"],\"id\":1}"));
      refused(tech("{\"type\":\"query\",\"users\":[]}"), ErrorCode.BAD_REQUEST, "users: must not be empty");
    }

    @Test
    @DisplayName("chat.push: a valid target id, a chat kind and an optional object payload")
    void chatPush() {
      JsonObject payload = new JsonObject().put("text", "hi");
      assertEquals(new ClientCommand.ChatPush("t1", DeliveryKind.CHAT_MESSAGE, payload, 3),
          client("{\"type\":\"chat.push\",\"to\":\"t1\",\"kind\":\"chat.message\",\"payload\":{\"text\":\"hi\"},\"id\":3}"));
      assertEquals(new ClientCommand.ChatPush("t1", DeliveryKind.CHAT_REQUEST, null, null),
          client("{\"type\":\"chat.push\",\"to\":\"t1\",\"kind\":\"chat.request\"}"));
      refused(client("{\"type\":\"chat.push\",\"to\":\"t1\",\"kind\":\"presence\"}"), ErrorCode.BAD_REQUEST,
          "kind: must be chat.request or chat.message");
      refused(client("{\"type\":\"chat.push\",\"to\":\"" + "x".repeat(257) + "\",\"kind\":\"chat.request\"}"),
          ErrorCode.BAD_REQUEST, "to: is longer than 256 characters");
      refused(client("{\"type\":\"chat.push\",\"to\":\"t1\",\"kind\":\"chat.request\",\"payload\":1}"),
          ErrorCode.BAD_REQUEST, "payload: must be an object");
    }

    @Test
    @DisplayName("an unknown type is refused but keeps its type and id (back-pressure answers it by type)")
    void unknownType() {
      ClientCommand.Refused r = refused(tech("{\"type\":\"dance\",\"id\":5}"), ErrorCode.BAD_REQUEST,
          "type: unknown frame type 'dance'");
      assertEquals("dance", r.type());
      assertEquals(5, r.requestId());
      assertFalse(r.endsSession());
    }

    @Test
    @DisplayName("a session still being verified (no role yet) may not set presence or watch the client roster")
    void noRoleYet() {
      refused(commands.decode(new JsonObject("{\"type\":\"presence.set\",\"status\":\"away\"}"), null, NOW),
          ErrorCode.FORBIDDEN, "only techs can set presence; a client's is automatic");
      refused(commands.decode(new JsonObject("{\"type\":\"subscribe\",\"roster\":\"client\"}"), null, NOW),
          ErrorCode.FORBIDDEN, "a client may only watch the tech roster");
    }
  }
}
