package com.presencehub.protocol;

import io.vertx.core.json.JsonArray;

/** Sizes of JSON values as the event bus sends them, counted without encoding them (full-state parts, issue 17). */
public final class EncodedSize {

  private EncodedSize() {
  }

  /**
   * The length in bytes of {@code value} as the event bus sends it (UTF-8 JSON written by Vert.x's
   * Jackson codec: no spaces, only {@code "}, {@code \\} and control characters escaped), counted
   * without encoding it: a full state of tens of thousands of entries is cut into parts by this, and
   * encoding each entry apart (a Jackson generator per entry) cost a node most of its CPU while it
   * served full states at a join (bench/join.mjs profile, bench/RESULTS.md). Strings, integers,
   * booleans, null and arrays of them are counted here; anything else is encoded.
   */
  public static int bytes(Object value) {
    if (value == null) {
      return 4;
    }
    if (value instanceof String s) {
      return stringBytes(s);
    }
    if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      long n = ((Number) value).longValue();
      return n == Long.MIN_VALUE ? 20 : (n < 0 ? 1 : 0) + digits(Math.abs(n));
    }
    if (value instanceof Boolean b) {
      return b ? 4 : 5;
    }
    if (value instanceof JsonArray a) {
      int n = 2 + Math.max(0, a.size() - 1);
      for (int i = 0; i < a.size(); i++) {
        n += bytes(a.getValue(i));
      }
      return n;
    }
    return new JsonArray().add(value).toBuffer().length() - 2;
  }

  private static int digits(long n) {
    int d = 1;
    while (n >= 10) {
      n /= 10;
      d++;
    }
    return d;
  }

  /** A JSON string in UTF-8: quotes, short escapes for \b \t \n \f \r, \\u00XX for other controls and surrogates. */
  private static int stringBytes(String s) {
    int n = 2;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        n += 2;
      } else if (c < 0x20) {
        n += c == '\b' || c == '\t' || c == '\n' || c == '\f' || c == '\r' ? 2 : 6;
      } else if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isSurrogate(c)) {
        // Jackson's UTF-8 writer escapes each half of a pair as \\uXXXX (unless told to combine
        // them, which would be 4 bytes for the pair: fewer, so the bound still holds).
        n += 6;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
