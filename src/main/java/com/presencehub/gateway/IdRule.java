package com.presencehub.gateway;

/**
 * What a user or tenant id may be (PROTOCOL.md §3): a non-empty string of at most {@value #MAX_CHARACTERS}
 * characters, counted as Unicode code points (an emoji is one character, as a person counts it,
 * not the two UTF-16 units Java's {@code length()} counts), valid Unicode (no lone surrogate), and
 * no control character (U+0000–U+001F, U+007F–U+009F: a NUL or a newline in an id would forge log
 * lines and look like another id when printed). The one rule for every validator: frames
 * ({@link FrameFields}), token claims ({@link TokenClaims}) and the HTTP API's request fields.
 */
public final class IdRule {

  /** Longest id, in characters (code points). */
  public static final int MAX_CHARACTERS = 256;

  private IdRule() {
  }

  /**
   * @param s a non-empty string
   * @return what is wrong with {@code s} as an id, phrased to follow the field's name ("is longer
   *     than 256 characters"), or null when it is a valid id
   */
  public static String problem(String s) {
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
    if (characters > MAX_CHARACTERS) {
      return "is longer than " + MAX_CHARACTERS + " characters";
    }
    return null;
  }

  /** The length of {@code s} in characters (code points), as the id limit counts it. */
  public static int characters(String s) {
    return s.codePointCount(0, s.length());
  }
}
