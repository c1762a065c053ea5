package com.presencehub.gateway.sockjs;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a SockJS send body ({@code xhr_send}, {@code jsonp_send}) must be: a JSON array of strings
 * (or one string), each string one client frame (sockjs-protocol 0.3.3, xhr_send). A body with any
 * other element is refused whole with a 400 that says why ({@link #problem}); a body that is not
 * JSON at all gets SockJS's 500 "Broken JSON encoding." ({@link #parse}).
 */
public final class SockJsBodies {

  private static final JsonFactory JSON = new JsonFactory();

  private SockJsBodies() {
  }

  /** @return why the body is refused, or null to let SockJS have it */
  public static String problem(String body) {
    try (JsonParser p = JSON.createParser(body)) {
      JsonToken first = p.nextToken();
      if (first != JsonToken.START_ARRAY) {
        return null;
      }
      int index = 0;
      for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken(), index++) {
        if (t == null) {
          return null;
        }
        if (t != JsonToken.VALUE_STRING) {
          return "element " + index + " of the SockJS send body is " + describe(t)
              + ": the body must be a JSON array of strings, one frame each";
        }
      }
      return null;
    } catch (IOException | RuntimeException notJson) {
      return null;
    }
  }

  /**
   * The messages of a send body, or of one WebSocket text message.
   *
   * @return the strings in order (empty for {@code []} or a blank body)
   * @throws IllegalArgumentException when the body is not JSON, or holds a non-string element
   */
  public static List<String> parse(String body) {
    List<String> out = new ArrayList<>();
    try (JsonParser p = JSON.createParser(body)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        return out;
      }
      if (first == JsonToken.VALUE_STRING) {
        out.add(p.getText());
      } else if (first == JsonToken.START_ARRAY) {
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
          if (t != JsonToken.VALUE_STRING) {
            throw new IllegalArgumentException(t == null ? "unterminated array" : "element is " + describe(t));
          }
          out.add(p.getText());
        }
      } else {
        throw new IllegalArgumentException("not an array of strings");
      }
      if (p.nextToken() != null) {
        throw new IllegalArgumentException("trailing data");
      }
      return out;
    } catch (IOException e) {
      throw new IllegalArgumentException("broken JSON: " + e.getMessage(), e);
    }
  }

  private static String describe(JsonToken t) {
    return switch (t) {
      case VALUE_NULL -> "null";
      case START_ARRAY -> "an array";
      case START_OBJECT -> "an object";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      default -> "not a string";
    };
  }
}
