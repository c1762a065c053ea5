package com.presencehub.gateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Typed, validated reads of a client frame's fields. Every failure is a {@code bad_request} that
 * names the field, so a client author sees exactly what to fix.
 */
final class FrameFields {

  /** Longest user id, tenant or platform name accepted. */
  static final int MAX_ID_LENGTH = IdRule.MAX_CHARACTERS;

  private final JsonObject frame;

  FrameFields(JsonObject frame) {
    this.frame = frame;
  }

  String requiredString(String field) {
    Object v = frame.getValue(field);
    if (v == null) {
      throw BadFrameException.badRequest(field, "is required");
    }
    if (!(v instanceof String s)) {
      throw BadFrameException.badRequest(field, "must be a string");
    }
    if (s.isEmpty()) {
      throw BadFrameException.badRequest(field, "must not be empty");
    }
    return s;
  }

  /** A user or tenant id ({@link IdRule}). */
  String requiredId(String field) {
    String s = requiredString(field);
    String problem = IdRule.problem(s);
    if (problem != null) {
      throw BadFrameException.badRequest(field, problem);
    }
    return s;
  }

  /**
   * False for a string with a lone UTF-16 surrogate: JSON's {@code \uD800} escapes allow one, but it
   * has no UTF-8 form, so it would be written back as {@code ?} and two different ids would look alike.
   */
  static boolean validUnicode(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /** @return the value, or {@code -1} when absent */
  long optionalNonNegativeLong(String field) {
    Object v = frame.getValue(field);
    if (v == null) {
      return -1;
    }
    if ((v instanceof Integer || v instanceof Long) && ((Number) v).longValue() >= 0) {
      return ((Number) v).longValue();
    }
    throw BadFrameException.badRequest(field, "must be a non-negative integer");
  }

  JsonObject optionalObject(String field) {
    Object v = frame.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof JsonObject o)) {
      throw BadFrameException.badRequest(field, "must be an object");
    }
    return o;
  }

  /** A non-empty list of distinct user ids, at most {@code max}. */
  List<String> userList(String field, int max) {
    Object v = frame.getValue(field);
    if (v == null) {
      throw BadFrameException.badRequest(field, "is required");
    }
    if (!(v instanceof JsonArray a)) {
      throw BadFrameException.badRequest(field, "must be an array of user ids");
    }
    if (a.isEmpty()) {
      throw BadFrameException.badRequest(field, "must not be empty");
    }
    if (a.size() > max) {
      throw BadFrameException.badRequest(field, "at most " + max + " users per request, got " + a.size());
    }
    Set<String> out = new LinkedHashSet<>();
    for (int i = 0; i < a.size(); i++) {
      Object o = a.getValue(i);
      if (!(o instanceof String s) || s.isEmpty()) {
        throw BadFrameException.badRequest(field + "[" + i + "]", "must be a non-empty string");
      }
      String problem = IdRule.problem(s);
      if (problem != null) {
        throw BadFrameException.badRequest(field + "[" + i + "]", problem);
      }
      out.add(s);
    }
    return new ArrayList<>(out);
  }

  boolean has(String field) {
    return frame.getValue(field) != null;
  }

  /** Largest request id magnitude: JavaScript's safe integers, so a browser reads back exactly what it sent. */
  static final long MAX_NUMERIC_ID = (1L << 53) - 1;

  /**
   * The request id, echoed exactly on replies: a string of valid Unicode of at most {@value
   * #MAX_ID_LENGTH} characters, or a finite number within ±(2^53 − 1). Anything that could not come
   * back unchanged (2^64, 1e400, a lone surrogate) is refused.
   */
  static Object requestId(JsonObject frame) {
    Object id = frame.getValue("id");
    if (id == null) {
      return null;
    }
    if (id instanceof String s) {
      if (IdRule.characters(s) > MAX_ID_LENGTH || !validUnicode(s)) {
        throw BadFrameException.badRequest("id", "must be a string or a number; a string id must be valid Unicode of at most "
            + MAX_ID_LENGTH + " characters");
      }
      return s;
    }
    boolean exact = (id instanceof Integer || id instanceof Long)
        ? ((Number) id).longValue() >= -MAX_NUMERIC_ID && ((Number) id).longValue() <= MAX_NUMERIC_ID
        : id instanceof Double d && Double.isFinite(d) && Math.abs(d) <= MAX_NUMERIC_ID;
    if (!exact) {
      throw BadFrameException.badRequest("id", "must be a string or a number between -" + MAX_NUMERIC_ID + " and "
          + MAX_NUMERIC_ID + " (so that it comes back exactly)");
    }
    return id;
  }

}
