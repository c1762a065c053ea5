package com.presencehub.gateway.sockjs;

import java.util.List;

/**
 * The SockJS wire format as plain rules (sockjs-protocol 0.3.3, "Framing" and the transports'
 * sections; sockjs-node lib/utils.js and lib/transport/*.js as the reference): the frames
 * ({@code o}, {@code h}, {@code a[…]}, {@code c[code,"reason"]}) and how each HTTP transport wraps
 * them. Strings are JSON-quoted with SockJS's extra escaping: every character a browser or proxy
 * may mangle (controls, U+200C–U+200F, U+2028–U+202F, U+2060–U+206F, U+FFF0–U+FFFF, surrogates)
 * goes out as a lower-case {@code \}{@code uXXXX} escape.
 */
public final class SockJsFrames {

  /** The open frame, first on every session. */
  public static final String OPEN = "o";
  /** The heartbeat frame. */
  public static final String HEARTBEAT = "h";
  /** Answer to a second receiving request while one is attached (the first is left alone). */
  public static final String ANOTHER_CONNECTION = close(2010, "Another connection still open");
  /** The session closed because its receiving request's connection went away before its answer. */
  public static final String INTERRUPTED = close(1002, "Connection interrupted");
  /** SockJS's default close, when the application gives no code. */
  public static final int GO_AWAY_CODE = 3000;
  public static final String GO_AWAY_REASON = "Go away!";

  /** The HTTP transports that receive frames, with how each wraps a frame. */
  public enum Format {
    XHR("xhr", false), XHR_STREAMING("xhr_streaming", true), EVENTSOURCE("eventsource", true),
    HTMLFILE("htmlfile", true), JSONP("jsonp", false);

    private final String transport;
    private final boolean streaming;

    Format(String transport, boolean streaming) {
      this.transport = transport;
      this.streaming = streaming;
    }

    /** The transport's name in request paths. */
    public String transport() {
      return transport;
    }

    /** True when one response carries many frames (up to the response limit). */
    public boolean streaming() {
      return streaming;
    }

    /** The format of a receiving transport named in a path; null for any other name. */
    public static Format of(String transport) {
      for (Format f : values()) {
        if (f.transport.equals(transport)) {
          return f;
        }
      }
      return null;
    }
  }

  private SockJsFrames() {
  }

  /** {@code c[code,"reason"]}. */
  public static String close(int code, String reason) {
    return "c[" + code + "," + quote(reason) + "]";
  }

  /** {@code a[…]}: the messages, each a JSON string, in order. */
  public static String messages(List<String> messages) {
    StringBuilder b = new StringBuilder(16 * messages.size() + 3).append("a[");
    for (int i = 0; i < messages.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      quote(messages.get(i), b);
    }
    return b.append(']').toString();
  }

  /** A JSON string literal with SockJS's extra escaping. */
  public static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 8);
    quote(s, b);
    return b.toString();
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private static void quote(String s, StringBuilder b) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\b' -> b.append("\\b");
        case '\f' -> b.append("\\f");
        default -> {
          if (escaped(c)) {
            b.append("\\u").append(HEX[c >> 12 & 15]).append(HEX[c >> 8 & 15]).append(HEX[c >> 4 & 15]).append(HEX[c & 15]);
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }

  /** sockjs-node utils.quote's escapable set (plus DEL..0x9F controls). */
  static boolean escaped(char c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= '\u200c' && c <= '\u200f') || (c >= '\u2028' && c <= '\u202f')
        || (c >= '\u2060' && c <= '\u206f') || c >= '\ufff0' || Character.isSurrogate(c);
  }

  /** What a receiving response starts with, before any frame (streaming preludes). */
  public static String prelude(Format f, String callback) {
    return switch (f) {
      case XHR_STREAMING -> XHR_PRELUDE;
      case EVENTSOURCE -> "\r\n";
      case HTMLFILE -> htmlfile(callback);
      default -> "";
    };
  }

  /** One frame as the transport carries it. */
  public static String wrap(Format f, String frame, String callback) {
    return switch (f) {
      case XHR, XHR_STREAMING -> frame + "\n";
      case EVENTSOURCE -> "data: " + frame + "\r\n\r\n";
      case HTMLFILE -> "<script>\np(" + quote(frame) + ");\n</script>\r\n";
      case JSONP -> "/**/" + callback + "(" + quote(frame) + ");\r\n";
    };
  }

  /** The response's Content-Type. */
  public static String contentType(Format f) {
    return switch (f) {
      case EVENTSOURCE -> "text/event-stream";
      case HTMLFILE -> "text/html; charset=UTF-8";
      default -> "application/javascript; charset=UTF-8";
    };
  }

  /**
   * Why a jsonp/htmlfile callback is refused (sockjs-node: required, and only {@code
   * [a-zA-Z0-9-_.]}), or null when it is fine.
   */
  public static String callbackProblem(String callback) {
    if (callback == null || callback.isEmpty()) {
      return "\"callback\" parameter required";
    }
    for (int i = 0; i < callback.length(); i++) {
      char c = callback.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
          || c == '.';
      if (!ok) {
        return "invalid \"callback\" parameter";
      }
    }
    return null;
  }

  private static final String XHR_PRELUDE = "h".repeat(2048) + "\n";

  private static String htmlfile(String callback) {
    String head = "<!doctype html>\n<html><head>\n"
        + "  <meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\" />\n"
        + "  <meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\" />\n"
        + "</head><body><h2>Don't panic!</h2>\n"
        + "  <script>\n"
        + "    document.domain = document.domain;\n"
        + "    var c = parent." + callback + ";\n"
        + "    c.start();\n"
        + "    function p(d) {c.message(d);};\n"
        + "    window.onload = function() {c.stop();};\n"
        + "  </script>";
    // Browsers render an htmlfile only once 1 KiB arrived (sockjs-node pads the same way).
    return head + " ".repeat(Math.max(0, 1025 - head.length())) + "\r\n\r\n";
  }

  /** The iframe page of the iframe-based transports; {@code clientUrl} loads sockjs-client. */
  public static String iframe(String clientUrl) {
    return "<!DOCTYPE html>\n<html>\n<head>\n"
        + "  <meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\" />\n"
        + "  <meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\" />\n"
        + "  <script src=\"" + clientUrl + "\"></script>\n"
        + "  <script>\n"
        + "    document.domain = document.domain;\n"
        + "    SockJS.bootstrap_iframe();\n"
        + "  </script>\n"
        + "</head>\n<body>\n"
        + "  <h2>Don't panic!</h2>\n"
        + "  <p>This is a SockJS hidden iframe. It's used for cross domain magic.</p>\n"
        + "</body>\n</html>";
  }
}
