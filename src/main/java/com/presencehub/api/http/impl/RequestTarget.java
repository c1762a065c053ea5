package com.presencehub.api.http.impl;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * Strict checks of a request's raw path and query string (PROTOCOL.md §8), before vertx-web's
 * routing decodes them: Netty's decoders throw on a bad percent-escape (vertx-web then logs a stack
 * trace per request and answers plain text) and turn invalid UTF-8 into U+FFFD silently. Plain
 * Java, no I/O.
 */
public final class RequestTarget {

  /** Query parameters that take one value. */
  private static final Set<String> SINGLE = Set.of("role", "kind");

  private RequestTarget() {
  }

  /**
   * @param path the raw path, {@code /api/v1/tenants/{tenant}/…}
   * @param query the raw query string, without {@code ?}; may be null
   * @return null when both decode cleanly, else the 400 message starting with the field: {@code
   *     tenant}, {@code user} (the path's user of {@code reachable}), {@code path}, a query
   *     parameter's name, or {@code query} when the name itself does not decode; a repeated
   *     {@code role} or {@code kind} is refused too
   */
  public static String problem(String path, String query) {
    String[] segments = path.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      String why = why(segments[i], false);
      if (why != null) {
        String field = i == 4 && "tenants".equals(segments[3]) ? "tenant"
            : i == 6 && "reachable".equals(segments[5]) ? "user" : "path";
        return field + ": " + why;
      }
    }
    if (query == null || query.isEmpty()) {
      return null;
    }
    Set<String> seen = new HashSet<>();
    for (String part : query.split("&", -1)) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String rawName = eq < 0 ? part : part.substring(0, eq);
      String badName = why(rawName, true);
      if (badName != null) {
        return "query: a parameter name " + badName;
      }
      String name = decode(rawName, true);
      String why = eq < 0 ? null : why(part.substring(eq + 1), true);
      if (why != null) {
        return name + ": " + why;
      }
      if (SINGLE.contains(name) && !seen.add(name)) {
        return name + ": give it once";
      }
    }
    return null;
  }

  /**
   * Why {@code raw} does not decode (a raw byte outside printable ASCII, percent-escapes, then
   * UTF-8), or null. Netty reads the request line's bytes one char each (ISO-8859-1), so a raw
   * UTF-8 {@code ü} would otherwise arrive as {@code Ã¼}, a second id for the same user: RFC 3986
   * §2.1 allows only percent-encoded octets there.
   */
  static String why(String raw, boolean plusIsSpace) {
    int bad = rawByte(raw);
    if (bad >= 0) {
      return "has a raw byte outside printable ASCII (0x" + Integer.toHexString(bad) + "): percent-encode it (RFC 3986 §2.1)";
    }
    try {
      decodeStrict(raw, plusIsSpace);
      return null;
    } catch (BadEscape e) {
      return "has a bad percent-escape (%XX with two hex digits)";
    } catch (CharacterCodingException e) {
      return "is not valid UTF-8 once percent-decoded";
    }
  }

  /** The first char of {@code raw} outside printable ASCII (a raw byte of the request line), or -1. */
  public static int rawByte(String raw) {
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return c;
      }
    }
    return -1;
  }

  private static final class BadEscape extends Exception {
    BadEscape() {
      super(null, null, false, false);
    }
  }

  private static String decode(String raw, boolean plusIsSpace) {
    try {
      return decodeStrict(raw, plusIsSpace);
    } catch (BadEscape | CharacterCodingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static String decodeStrict(String raw, boolean plusIsSpace) throws BadEscape, CharacterCodingException {
    if (raw.indexOf('%') < 0 && !(plusIsSpace && raw.indexOf('+') >= 0)) {
      return raw;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); ) {
      int c = raw.codePointAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length()) {
          throw new BadEscape();
        }
        int hi = Character.digit(raw.charAt(i + 1), 16);
        int lo = Character.digit(raw.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw new BadEscape();
        }
        bytes.write(hi * 16 + lo);
        i += 3;
        continue;
      }
      byte[] b = c == '+' && plusIsSpace ? new byte[] {' '} : new String(Character.toChars(c)).getBytes(StandardCharsets.UTF_8);
      bytes.write(b, 0, b.length);
      i += Character.charCount(c);
    }
    return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
  }
}
