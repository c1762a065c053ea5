package com.presencehub.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link ClientFrames#ackText} is byte for byte what {@link ClientFrames#ack} encodes to, for every id a frame may carry. */
class AckTextTest {

  @Test
  @DisplayName("the same text as the JsonObject ack for null, integer, long, double and string ids")
  void sameTextAsTheJsonAck() {
    List<Object> ids = Arrays.asList(null, 0, 1, -1, 42, Integer.MAX_VALUE, Integer.MIN_VALUE,
        FieldRules.MAX_NUMERIC_ID, -FieldRules.MAX_NUMERIC_ID, 3L, 1.5, -0.0, 1e15,
        "", "a", "r-1", "quote\"back\\slash", "line\nbreak\ttab\u0001", "é ü 😀", "</script>");
    for (Object id : ids) {
      String expected = ClientFrames.ack(id).encode();
      assertEquals(expected, ClientFrames.ackText(id), "id " + id);
      // and reads back as the same frame
      assertEquals(new JsonObject(expected), new JsonObject(ClientFrames.ackText(id)), "id " + id);
    }
  }

  @Test
  @DisplayName("an integer id is written as a bare JSON number")
  void integerIdText() {
    assertEquals("{\"type\":\"ack\",\"id\":7}", ClientFrames.ackText(7));
    assertEquals("{\"type\":\"ack\"}", ClientFrames.ackText(null));
  }
}
