package com.presencehub.gateway.impl;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * What a SockJS send body ({@code xhr_send}, {@code jsonp_send}) must be: a JSON array of strings
 * (or one string), each string one client frame. vertx-web's SockJS reads any other element as
 * null and fails on it with a logged stack trace, dropping the rest of the batch; such a body is
 * refused whole here instead, with a 400 that says why. Bodies that are not JSON at all are left to
 * SockJS, which answers them as its protocol says (500 "Broken JSON encoding.").
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
