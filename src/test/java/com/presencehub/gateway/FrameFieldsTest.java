package com.presencehub.gateway;

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

/** Validated reads of client frame fields: every refusal is a bad_request naming the field. */
@DisplayName("Frame fields")
class FrameFieldsTest {

  private static FrameFields fields(String json) {
    return new FrameFields(new JsonObject(json));
  }

  private static void assertBad(String field, String messagePart, Executable read) {
    BadFrameException e = assertThrows(BadFrameException.class, read);
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
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
    String max = "x".repeat(FrameFields.MAX_ID_LENGTH);
    assertEquals(256, FrameFields.MAX_ID_LENGTH);
    assertEquals(max, new FrameFields(new JsonObject().put("to", max)).requiredId("to"));
    assertBad("to", "longer than 256", () -> new FrameFields(new JsonObject().put("to", max + "x")).requiredId("to"));
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
    String tooLong = "u".repeat(FrameFields.MAX_ID_LENGTH + 1);
    assertBad("users[1]", "longer than 256",
        () -> new FrameFields(new JsonObject().put("users", new JsonArray().add("a").add(tooLong))).userList("users", 10));
  }

  @Test
  @DisplayName("count the limit on the request as sent, duplicates included")
  void limitCountsRawSize() {
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 1_001; i++) {
      many.add("same");
    }
    FrameFields f = new FrameFields(new JsonObject().put("users", new JsonArray(many)));
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
    assertTrue(FrameFields.validUnicode("plain"));
    assertTrue(FrameFields.validUnicode("\uD83D\uDE00 emoji"));
    assertFalse(FrameFields.validUnicode("\uD800"));
    assertFalse(FrameFields.validUnicode("a\uDC00"));
    assertFalse(FrameFields.validUnicode("\uD800x"));
    assertFalse(FrameFields.validUnicode("\uDE00\uD83D"));
    assertBad("users[1]", "not valid Unicode", () -> new FrameFields(new JsonObject("{\"users\":[\"a\",\"b\\udc00\"]}")).userList("users", 10));
    assertBad("to", "not valid Unicode", () -> new FrameFields(new JsonObject("{\"to\":\"\\ud800\"}")).requiredId("to"));
  }

  @Test
  @DisplayName("echo a string or numeric request id and refuse anything else")
  void requestId() {
    assertNull(FrameFields.requestId(new JsonObject()));
    assertEquals("r-1", FrameFields.requestId(new JsonObject("{\"id\":\"r-1\"}")));
    assertEquals(7, FrameFields.requestId(new JsonObject("{\"id\":7}")));
    assertEquals(2.5, FrameFields.requestId(new JsonObject("{\"id\":2.5}")));
    Object big = 12345678901L;
    assertSame(big, FrameFields.requestId(new JsonObject().put("id", big)));
    assertBad("id", "string or a number", () -> FrameFields.requestId(new JsonObject("{\"id\":{}}")));
    assertBad("id", "string or a number", () -> FrameFields.requestId(new JsonObject("{\"id\":[1]}")));
    assertBad("id", "string or a number", () -> FrameFields.requestId(new JsonObject("{\"id\":true}")));
    assertBad("id", "string or a number", () -> FrameFields.requestId(new JsonObject().put("id", Double.NaN)));
    // Issue 11 §3: echoed exactly or refused.
    assertEquals(9007199254740991L, FrameFields.requestId(new JsonObject("{\"id\":9007199254740991}")));
    assertEquals(-9007199254740991L, FrameFields.requestId(new JsonObject("{\"id\":-9007199254740991}")));
    assertBad("id", "string or a number", () -> FrameFields.requestId(new JsonObject("{\"id\":9007199254740992}")));
    assertBad("id", "string or a number", () -> FrameFields.requestId(new JsonObject("{\"id\":18446744073709551616}")));
    assertBad("id", "string or a number", () -> FrameFields.requestId(new JsonObject("{\"id\":1e400}")));
    assertBad("id", "string or a number", () -> FrameFields.requestId(new JsonObject("{\"id\":-9223372036854775808}")));
    assertBad("id", "valid Unicode", () -> FrameFields.requestId(new JsonObject("{\"id\":\"a\\ud800b\"}")));
    assertBad("id", "valid Unicode", () -> FrameFields.requestId(new JsonObject().put("id", "x".repeat(257))));
    assertEquals("\uD83D\uDE00", FrameFields.requestId(new JsonObject("{\"id\":\"\\ud83d\\ude00\"}")));
  }
}
