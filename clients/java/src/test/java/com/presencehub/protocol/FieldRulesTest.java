package com.presencehub.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The one field validator (moved from the gateway's FrameFields test, with the event-bus rules added):
 * every refusal is a FieldError naming the field.
 */
@DisplayName("Field rules")
class FieldRulesTest {

  private static FieldRules fields(String json) {
    return FieldRules.of(new JsonObject(json));
  }

  private static void assertBad(String field, String messagePart, Executable read) {
    FieldError e = assertThrows(FieldError.class, read);
    assertEquals(field, e.field());
    assertTrue(e.getMessage().startsWith(field + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(messagePart), e.getMessage());
  }

  @Test
  @DisplayName("read a required string, refusing it missing, null, of another type or empty")
  void requiredString() {
    assertEquals("abc", fields("{\"token\":\"abc\"}").requiredString("token"));
    assertBad("token", "is required", () -> fields("{}").requiredString("token"));
    assertBad("token", "is required", () -> fields("{\"token\":null}").requiredString("token"));
    assertBad("token", "must be a string", () -> fields("{\"token\":5}").requiredString("token"));
    assertBad("token", "must be a string", () -> fields("{\"token\":{}}").requiredString("token"));
    assertBad("token", "must be a string", () -> fields("{\"token\":[\"a\"]}").requiredString("token"));
    assertBad("token", "must not be empty", () -> fields("{\"token\":\"\"}").requiredString("token"));
  }

  @Test
  @DisplayName("read an id of up to 256 characters and refuse a longer one")
  void requiredId() {
    String max = "x".repeat(FieldRules.MAX_ID_LENGTH);
    assertEquals(256, FieldRules.MAX_ID_LENGTH);
    assertEquals(max, FieldRules.of(new JsonObject().put("to", max)).requiredId("to"));
    assertBad("to", "longer than 256", () -> FieldRules.of(new JsonObject().put("to", max + "x")).requiredId("to"));
    assertBad("to", "is required", () -> fields("{}").requiredId("to"));
  }

  @Test
  @DisplayName("read an optional non-negative integer, -1 when absent")
  void optionalNonNegativeLong() {
    assertEquals(-1, fields("{}").optionalNonNegativeLong("idleMs"));
    assertEquals(-1, fields("{\"idleMs\":null}").optionalNonNegativeLong("idleMs"));
    assertEquals(0, fields("{\"idleMs\":0}").optionalNonNegativeLong("idleMs"));
    assertEquals(1500, fields("{\"idleMs\":1500}").optionalNonNegativeLong("idleMs"));
    assertEquals(1_763_900_000_000L, fields("{\"until\":1763900000000}").optionalNonNegativeLong("until"));
    assertBad("idleMs", "non-negative integer", () -> fields("{\"idleMs\":-1}").optionalNonNegativeLong("idleMs"));
    assertBad("idleMs", "non-negative integer", () -> fields("{\"idleMs\":1.5}").optionalNonNegativeLong("idleMs"));
    assertBad("idleMs", "non-negative integer", () -> fields("{\"idleMs\":\"100\"}").optionalNonNegativeLong("idleMs"));
    assertBad("idleMs", "non-negative integer", () -> fields("{\"idleMs\":true}").optionalNonNegativeLong("idleMs"));
    assertBad("idleMs", "non-negative integer", () -> fields("{\"idleMs\":99999999999999999999999}").optionalNonNegativeLong("idleMs"));
  }

  @Test
  @DisplayName("read an optional object, refusing any other type")
  void optionalObject() {
    assertNull(fields("{}").optionalObject("client"));
    assertEquals(new JsonObject().put("platform", "web"), fields("{\"client\":{\"platform\":\"web\"}}").optionalObject("client"));
    assertBad("client", "must be an object", () -> fields("{\"client\":\"web\"}").optionalObject("client"));
    assertBad("client", "must be an object", () -> fields("{\"client\":[]}").optionalObject("client"));
  }

  @Test
  @DisplayName("read a user list: non-empty, distinct in first-seen order, at most the limit")
  void userList() {
    assertEquals(List.of("u1", "u2"), fields("{\"users\":[\"u1\",\"u2\",\"u1\"]}").userList("users", 10));
    assertEquals(List.of("a", "b"), fields("{\"users\":[\"a\",\"b\"]}").userList("users", 2), "exactly the limit is fine");
    assertBad("users", "is required", () -> fields("{}").userList("users", 10));
    assertBad("users", "must be an array", () -> fields("{\"users\":\"u1\"}").userList("users", 10));
    assertBad("users", "must not be empty", () -> fields("{\"users\":[]}").userList("users", 10));
    assertBad("users", "at most 2 users per request, got 3", () -> fields("{\"users\":[\"a\",\"b\",\"c\"]}").userList("users", 2));
    assertBad("users[1]", "non-empty string", () -> fields("{\"users\":[\"a\",5]}").userList("users", 10));
    assertBad("users[0]", "non-empty string", () -> fields("{\"users\":[\"\"]}").userList("users", 10));
    assertBad("users[0]", "non-empty string", () -> fields("{\"users\":[null]}").userList("users", 10));
    String tooLong = "u".repeat(FieldRules.MAX_ID_LENGTH + 1);
    assertBad("users[1]", "longer than 256",
        () -> FieldRules.of(new JsonObject().put("users", new JsonArray().add("a").add(tooLong))).userList("users", 10));
  }

  @Test
  @DisplayName("count the limit on the request as sent, duplicates included")
  void limitCountsRawSize() {
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 1_001; i++) {
      many.add("same");
    }
    FieldRules f = FieldRules.of(new JsonObject().put("users", new JsonArray(many)));
    assertBad("users", "at most 1000", () -> f.userList("users", 1_000));
  }

  @Test
  @DisplayName("tell whether a field is present and not null")
  void has() {
    assertTrue(fields("{\"until\":5}").has("until"));
    assertFalse(fields("{\"until\":null}").has("until"));
    assertFalse(fields("{}").has("until"));
  }

  @Test
  @DisplayName("tell valid Unicode from strings with a lone surrogate")
  void unicode() {
    assertTrue(FieldRules.validUnicode("plain"));
    assertTrue(FieldRules.validUnicode("\uD83D\uDE00 emoji"));
    assertFalse(FieldRules.validUnicode("\uD800"));
    assertFalse(FieldRules.validUnicode("a\uDC00"));
    assertFalse(FieldRules.validUnicode("\uD800x"));
    assertFalse(FieldRules.validUnicode("\uDE00\uD83D"));
    assertBad("users[1]", "not valid Unicode", () -> FieldRules.of(new JsonObject("{\"users\":[\"a\",\"b\\udc00\"]}")).userList("users", 10));
    assertBad("to", "not valid Unicode", () -> FieldRules.of(new JsonObject("{\"to\":\"\\ud800\"}")).requiredId("to"));
  }

  @Test
  @DisplayName("echo a string or numeric request id and refuse anything else")
  void requestId() {
    assertNull(FieldRules.requestId(new JsonObject()));
    assertEquals("r-1", FieldRules.requestId(new JsonObject("{\"id\":\"r-1\"}")));
    assertEquals(7, FieldRules.requestId(new JsonObject("{\"id\":7}")));
    assertEquals(2.5, FieldRules.requestId(new JsonObject("{\"id\":2.5}")));
    Object big = 12345678901L;
    assertSame(big, FieldRules.requestId(new JsonObject().put("id", big)));
    assertBad("id", "string or a number", () -> FieldRules.requestId(new JsonObject("{\"id\":{}}")));
    assertBad("id", "string or a number", () -> FieldRules.requestId(new JsonObject("{\"id\":[1]}")));
    assertBad("id", "string or a number", () -> FieldRules.requestId(new JsonObject("{\"id\":true}")));
    assertBad("id", "string or a number", () -> FieldRules.requestId(new JsonObject().put("id", Double.NaN)));
    // Issue 11 §3: echoed exactly or refused.
    assertEquals(9007199254740991L, FieldRules.requestId(new JsonObject("{\"id\":9007199254740991}")));
    assertEquals(-9007199254740991L, FieldRules.requestId(new JsonObject("{\"id\":-9007199254740991}")));
    assertBad("id", "string or a number", () -> FieldRules.requestId(new JsonObject("{\"id\":9007199254740992}")));
    assertBad("id", "string or a number", () -> FieldRules.requestId(new JsonObject("{\"id\":18446744073709551616}")));
    assertBad("id", "string or a number", () -> FieldRules.requestId(new JsonObject("{\"id\":1e400}")));
    assertBad("id", "string or a number", () -> FieldRules.requestId(new JsonObject("{\"id\":-9223372036854775808}")));
    assertBad("id", "valid Unicode", () -> FieldRules.requestId(new JsonObject("{\"id\":\"a\\ud800b\"}")));
    assertBad("id", "valid Unicode", () -> FieldRules.requestId(new JsonObject().put("id", "x".repeat(257))));
    assertEquals("\uD83D\uDE00", FieldRules.requestId(new JsonObject("{\"id\":\"\\ud83d\\ude00\"}")));
  }

  @Test
  @DisplayName("a request body must be a JSON object, named request")
  void requestBody() {
    assertBad("request", "must be a JSON object, got String", () -> FieldRules.request("not json"));
    assertBad("request", "must be a JSON object, got nothing", () -> FieldRules.request(null));
    assertEquals("acme", FieldRules.request(new JsonObject().put("tenant", "acme")).requiredId("tenant"));
  }

  @Test
  @DisplayName("a nested object's refusals name it as field.sub")
  void nested() {
    FieldRules from = fields("{\"from\":{\"id\":\"b\",\"name\":3}}").requiredObject("from");
    assertEquals("b", from.requiredId("id"));
    assertBad("from.name", "must be a string", () -> from.optionalString("name"));
    assertBad("from.id", "is required", () -> fields("{\"from\":{}}").requiredObject("from").requiredId("id"));
    assertBad("from", "is required", () -> fields("{}").requiredObject("from"));
    assertBad("from", "must be an object", () -> fields("{\"from\":\"c-1\"}").requiredObject("from"));
    assertNull(fields("{}").optionalString("name"));
  }

  @Test
  @DisplayName("an optional array is null when absent, refused empty or of another type with the caller's words")
  void optionalArray() {
    assertNull(fields("{}").optionalArray("status", "must be an array of statuses"));
    assertEquals(new JsonArray().add("online"), fields("{\"status\":[\"online\"]}").optionalArray("status", "x"));
    assertBad("status", "must not be empty", () -> fields("{\"status\":[]}").optionalArray("status", "x"));
    assertBad("status", "must be an array of statuses", () -> fields("{\"status\":\"online\"}")
        .optionalArray("status", "must be an array of statuses"));
  }

  @Test
  @DisplayName("the chat.route wording: an id of the wrong type or empty must be a non-empty string, and the id rule holds")
  void nonEmptyId() {
    assertEquals("acme", fields("{\"tenant\":\"acme\"}").requiredNonEmptyId("tenant"));
    assertBad("tenant", "must be a non-empty string", () -> fields("{\"tenant\":3}").requiredNonEmptyId("tenant"));
    assertBad("tenant", "must be a non-empty string", () -> fields("{\"tenant\":\"\"}").requiredNonEmptyId("tenant"));
    assertBad("tenant", "is required", () -> fields("{}").requiredNonEmptyId("tenant"));
    assertBad("tenant", "longer than 256", () -> FieldRules.of(new JsonObject().put("tenant", "t".repeat(257)))
        .requiredNonEmptyId("tenant"));
  }

  @Test
  @DisplayName("a FieldError keeps field and reason apart; a whole-request refusal has no field")
  void fieldError() {
    FieldError e = new FieldError("users[2]", "must be a non-empty string");
    assertEquals("users[2]", e.field());
    assertEquals("must be a non-empty string", e.reason());
    assertEquals("users[2]: must be a non-empty string", e.getMessage());
    FieldError whole = new FieldError(null, "subscribe needs exactly one of users or roster");
    assertNull(whole.field());
    assertEquals("subscribe needs exactly one of users or roster", whole.getMessage());
    assertTrue(FieldRules.isId("u-1"));
    assertFalse(FieldRules.isId(""));
    assertFalse(FieldRules.isId(5));
    assertFalse(FieldRules.isId("a\nb"));
  }
}
