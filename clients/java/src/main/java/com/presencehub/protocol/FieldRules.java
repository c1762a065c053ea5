package com.presencehub.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The one field validator of the contract: typed, validated reads of a client frame's (PROTOCOL.md
 * §4) or a request's (§5, §8) fields, and the one rule for ids (§3). Every refusal is a {@link
 * FieldError} naming the field ({@code users[2]}, {@code from.id}) with one set of messages, so a
 * portal client and a service are held to the same names and read the same words; each edge maps
 * the error to its own form (error frame, {@code ReplyException} 400, HTTP 400).
 *
 * <p>Ids (user, tenant, platform, token {@code sub}): a non-empty string of at most {@value
 * #MAX_ID_LENGTH} characters, counted as Unicode code points (an emoji is one character, as a
 * person counts it, not the two UTF-16 units of {@code length()}), valid Unicode (no lone
 * surrogate) and no control character (U+0000–U+001F, U+007F–U+009F: a NUL or a newline in an id
 * would forge log lines and look like another id when printed).
 */
public final class FieldRules {

  /** Longest id, in characters (code points). */
  public static final int MAX_ID_LENGTH = 256;
  /** Largest request id magnitude: JavaScript's safe integers, so a browser reads back exactly what it sent. */
  public static final long MAX_NUMERIC_ID = (1L << 53) - 1;

  private final JsonObject body;
  private final String prefix;

  private FieldRules(JsonObject body, String prefix) {
    this.body = body;
    this.prefix = prefix;
  }

  /** The fields of a client frame or of a request already known to be an object. */
  public static FieldRules of(JsonObject body) {
    return new FieldRules(body, "");
  }

  /** The fields of a request body, which must be a JSON object ({@code request: must be a JSON object, got …}). */
  public static FieldRules request(Object body) {
    if (!(body instanceof JsonObject o)) {
      throw new FieldError("request", "must be a JSON object, got "
          + (body == null ? "nothing" : body.getClass().getSimpleName()));
    }
    return new FieldRules(o, "");
  }

  public JsonObject body() {
    return body;
  }

  private String name(String field) {
    return prefix + field;
  }

  private FieldError error(String field, String reason) {
    return new FieldError(name(field), reason);
  }

  public boolean has(String field) {
    return body.getValue(field) != null;
  }

  public String requiredString(String field) {
    Object v = body.getValue(field);
    if (v == null) {
      throw error(field, "is required");
    }
    if (!(v instanceof String s)) {
      throw error(field, "must be a string");
    }
    if (s.isEmpty()) {
      throw error(field, "must not be empty");
    }
    return s;
  }

  /** A user or tenant id (see the class comment). */
  public String requiredId(String field) {
    return checkedId(field, requiredString(field));
  }

  /**
   * An id whose wrong type and emptiness read as one refusal, {@code must be a non-empty string}
   * (the words of an id inside a list); used where callers were promised that wording ({@code chat.route}).
   */
  public String requiredNonEmptyId(String field) {
    Object v = body.getValue(field);
    if (v == null) {
      throw error(field, "is required");
    }
    if (!(v instanceof String s) || s.isEmpty()) {
      throw error(field, "must be a non-empty string");
    }
    return checkedId(field, s);
  }

  private String checkedId(String field, String s) {
    String problem = idProblem(s);
    if (problem != null) {
      throw error(field, problem);
    }
    return s;
  }

  /** @return the string, or null when absent */
  public String optionalString(String field) {
    Object v = body.getValue(field);
    if (v != null && !(v instanceof String)) {
      throw error(field, "must be a string");
    }
    return (String) v;
  }

  /** @return the value, or {@code -1} when absent */
  public long optionalNonNegativeLong(String field) {
    Object v = body.getValue(field);
    if (v == null) {
      return -1;
    }
    if ((v instanceof Integer || v instanceof Long) && ((Number) v).longValue() >= 0) {
      return ((Number) v).longValue();
    }
    throw error(field, "must be a non-negative integer");
  }

  /** @return the object, or null when absent */
  public JsonObject optionalObject(String field) {
    Object v = body.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof JsonObject o)) {
      throw error(field, "must be an object");
    }
    return o;
  }

  /** The fields of a nested object, whose refusals name it as {@code field.sub}. */
  public FieldRules requiredObject(String field) {
    Object v = body.getValue(field);
    if (v == null) {
      throw error(field, "is required");
    }
    if (!(v instanceof JsonObject o)) {
      throw error(field, "must be an object");
    }
    return new FieldRules(o, name(field) + ".");
  }

  /** A non-empty list of distinct user ids, at most {@code max}, in the order given. */
  public List<String> userList(String field, int max) {
    JsonArray a = requiredArray(field, "must be an array of user ids");
    if (a.size() > max) {
      throw error(field, "at most " + max + " users per request, got " + a.size());
    }
    Set<String> out = new LinkedHashSet<>();
    for (int i = 0; i < a.size(); i++) {
      Object o = a.getValue(i);
      if (!(o instanceof String s) || s.isEmpty()) {
        throw error(field + "[" + i + "]", "must be a non-empty string");
      }
      String problem = idProblem(s);
      if (problem != null) {
        throw error(field + "[" + i + "]", problem);
      }
      out.add(s);
    }
    return new ArrayList<>(out);
  }

  /**
   * @param shape the refusal of a value that is not an array ({@code must be an array of statuses})
   * @return the array, or null when absent; never empty
   */
  public JsonArray optionalArray(String field, String shape) {
    return body.getValue(field) == null ? null : requiredArray(field, shape);
  }

  private JsonArray requiredArray(String field, String shape) {
    Object v = body.getValue(field);
    if (v == null) {
      throw error(field, "is required");
    }
    if (!(v instanceof JsonArray a)) {
      throw error(field, shape);
    }
    if (a.isEmpty()) {
      throw error(field, "must not be empty");
    }
    return a;
  }

  /**
   * A client frame's request id, echoed exactly on replies (PROTOCOL.md §4): a string of valid
   * Unicode of at most {@value #MAX_ID_LENGTH} characters, or a finite number within ±(2^53 − 1).
   * Anything that could not come back unchanged (2^64, 1e400, a lone surrogate) is refused.
   *
   * @return the id, or null when the frame has none
   */
  public static Object requestId(JsonObject frame) {
    Object id = frame.getValue("id");
    if (id == null) {
      return null;
    }
    if (id instanceof String s) {
      if (characters(s) > MAX_ID_LENGTH || !validUnicode(s)) {
        throw new FieldError("id", "must be a string or a number; a string id must be valid Unicode of at most "
            + MAX_ID_LENGTH + " characters");
      }
      return s;
    }
    boolean exact = (id instanceof Integer || id instanceof Long)
        ? ((Number) id).longValue() >= -MAX_NUMERIC_ID && ((Number) id).longValue() <= MAX_NUMERIC_ID
        : id instanceof Double d && Double.isFinite(d) && Math.abs(d) <= MAX_NUMERIC_ID;
    if (!exact) {
      throw new FieldError("id", "must be a string or a number between -" + MAX_NUMERIC_ID + " and "
          + MAX_NUMERIC_ID + " (so that it comes back exactly)");
    }
    return id;
  }

  /**
   * The id rule (§3) on its own, for ids that do not come from a JSON field (token claims, path
   * segments, configuration).
   *
   * @param s a non-empty string
   * @return what is wrong with {@code s} as an id, phrased to follow the field's name ("is longer
   *     than 256 characters"), or null when it is a valid id
   */
  public static String idProblem(String s) {
    int characters = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return "is not valid Unicode (lone surrogate)";
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return "is not valid Unicode (lone surrogate)";
      } else if (Character.isISOControl(c)) {
        return String.format("must not contain control characters (U+%04X at character %d)", (int) c, characters + 1);
      }
      characters++;
    }
    if (characters > MAX_ID_LENGTH) {
      return "is longer than " + MAX_ID_LENGTH + " characters";
    }
    return null;
  }

  /** Whether {@code s} is a non-empty string that passes {@link #idProblem}. */
  public static boolean isId(Object s) {
    return s instanceof String str && !str.isEmpty() && idProblem(str) == null;
  }

  /** The length of {@code s} in characters (code points), as the id limit counts it. */
  public static int characters(String s) {
    return s.codePointCount(0, s.length());
  }

  /**
   * False for a string with a lone UTF-16 surrogate: JSON's {@code \uD800} escapes allow one, but it
   * has no UTF-8 form, so it would be written back as {@code ?} and two different ids would look alike.
   */
  public static boolean validUnicode(String s) {
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
}
