package com.presencehub.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.testing.SockJsTestClient;
import com.presencehub.testing.SockJsTestClient.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Ids a client sends come back exactly or are refused (issue 11 §3), on a real node over every transport. */
@ExtendWith(VertxExtension.class)
@Timeout(90)
@DisplayName("Ids: user ids and request ids are exact or refused")
class IdsOnTheWireTest {

  private LiveHub hub;

  @BeforeEach
  void start(Vertx vertx) {
    hub = LiveHub.start(vertx, LiveHub.noIdle());
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("A user id with a lone surrogate gets bad_request naming the field; the session stays")
  void loneSurrogateIds(Transport transport) {
    SockJsTestClient c = hub.login(transport, "acme", "t-1", "tech");
    c.sendRaw("{\"type\":\"query\",\"id\":\"q\",\"users\":[\"ok\",\"a\\ud800\"]}");
    assertBad(c.reply("q"), "users[1]", "Unicode");
    c.sendRaw("{\"type\":\"subscribe\",\"id\":\"s\",\"users\":[\"\\udc00\"]}");
    assertBad(c.reply("s"), "users[0]", "Unicode");
    c.sendRaw("{\"type\":\"chat.push\",\"id\":\"p\",\"to\":\"x\\ud800\",\"kind\":\"chat.request\"}");
    assertBad(c.reply("p"), "to", "Unicode");
    // A valid surrogate pair (an emoji) is an ordinary id.
    c.sendRaw("{\"type\":\"query\",\"id\":\"e\",\"users\":[\"\\ud83d\\ude00\"]}");
    assertEquals("\uD83D\uDE00", c.reply("e").getJsonArray("updates").getJsonObject(0).getString("user"));
    c.assertStaysOpen(Duration.ofMillis(100));
  }

  @Test
  @DisplayName("A user id with a control character gets bad_request naming the field; 256 emoji are an id, 257 are not")
  void controlCharactersAndCodePoints() {
    SockJsTestClient c = hub.login(Transport.RAW_WEBSOCKET, "acme", "t-1", "tech");
    c.sendRaw("{\"type\":\"query\",\"id\":\"q\",\"users\":[\"ok\",\"bob\\nadmin\"]}");
    assertBad(c.reply("q"), "users[1]", "control characters");
    c.sendRaw("{\"type\":\"subscribe\",\"id\":\"s\",\"users\":[\"a\\u0000\"]}");
    assertBad(c.reply("s"), "users[0]", "control characters");
    String emoji256 = "\uD83D\uDE00".repeat(256);
    c.send(new JsonObject().put("type", "query").put("id", "e").put("users", new io.vertx.core.json.JsonArray().add(emoji256)));
    assertEquals(emoji256, c.reply("e").getJsonArray("updates").getJsonObject(0).getString("user"));
    c.send(new JsonObject().put("type", "query").put("id", "f").put("users", new io.vertx.core.json.JsonArray().add(emoji256 + "x")));
    assertBad(c.reply("f"), "users[0]", "longer than 256 characters");
    c.assertStaysOpen(Duration.ofMillis(100));
  }

  @Test
  @DisplayName("Request ids come back exactly; 2^64, 1e400, 2^53 and a lone surrogate get bad_request naming id")
  void requestIds() {
    SockJsTestClient c = hub.login(Transport.RAW_WEBSOCKET, "acme", "t-1", "tech");
    for (String id : List.of("9007199254740991", "-9007199254740991", "0", "2.5", "\"r-1\"", "\"\\ud83d\\ude00\"")) {
      c.sendRaw("{\"type\":\"activity\",\"id\":" + id + "}");
      Object expected = new JsonObject("{\"id\":" + id + "}").getValue("id");
      JsonObject ack = c.await(f -> "ack".equals(f.getString("type")) && expected.equals(f.getValue("id")));
      assertEquals(expected, ack.getValue("id"));
    }
    for (String id : List.of("18446744073709551616", "1e400", "9007199254740992", "\"a\\ud800\"", "{}", "[1]", "true")) {
      c.sendRaw("{\"type\":\"activity\",\"id\":" + id + ",\"n\":\"" + id.replace("\"", "'") + "\"}");
      JsonObject err = c.await(f -> "error".equals(f.getString("type")));
      assertBad(err, "id", "");
      assertTrue(!err.containsKey("id"), "an unusable id was echoed: " + err.encode());
    }
  }

  private static void assertBad(JsonObject err, String field, String part) {
    assertEquals("error", err.getString("type"), err.encode());
    assertEquals("bad_request", err.getString("code"), err.encode());
    assertTrue(err.getString("message").startsWith(field + ": ") && err.getString("message").contains(part), err.encode());
  }
}
