package com.presencehub.gateway.sockjs;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a request path under a SockJS prefix asks for (sockjs-protocol 0.3.3, "Base URL", "Iframe
 * page", "Session URLs"): the greeting ({@code /prefix} or {@code /prefix/}), {@code /info}, the
 * iframe page, the raw WebSocket ({@code /websocket}), or a session's transport ({@code
 * /<server>/<session>/<transport>}, neither part empty nor holding a dot). Paths are matched as
 * sent (percent-encoded).
 */
public final class SockJsPaths {

  /** The kinds of SockJS request. */
  public enum Kind { GREETING, INFO, IFRAME, RAW_WEBSOCKET, SESSION, NOT_FOUND }

  /** One parsed path; {@code session} and {@code transport} are set for {@link Kind#SESSION} only. */
  public record Route(Kind kind, String session, String transport) {
  }

  /** Transports a session path may name. */
  private static final Pattern SESSION =
      Pattern.compile("^/([^/.]+)/([^/.]+)/(websocket|xhr|xhr_send|xhr_streaming|eventsource|htmlfile|jsonp|jsonp_send)$");
  private static final Pattern IFRAME = Pattern.compile("^/iframe[0-9a-z.\\-_]*\\.html$");
  private static final Route NOT_FOUND = new Route(Kind.NOT_FOUND, null, null);

  private SockJsPaths() {
  }

  /** True when {@code path} is the prefix itself or under it. */
  public static boolean under(String prefix, String path) {
    return path.startsWith(prefix) && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
  }

  /** @param path the request path without query, starting with {@code prefix} */
  public static Route parse(String prefix, String path) {
    if (!under(prefix, path)) {
      return NOT_FOUND;
    }
    String rest = path.substring(prefix.length());
    if (rest.isEmpty() || rest.equals("/")) {
      return new Route(Kind.GREETING, null, null);
    }
    if (rest.equals("/info")) {
      return new Route(Kind.INFO, null, null);
    }
    if (rest.equals("/websocket")) {
      return new Route(Kind.RAW_WEBSOCKET, null, null);
    }
    if (IFRAME.matcher(rest).matches()) {
      return new Route(Kind.IFRAME, null, null);
    }
    Matcher m = SESSION.matcher(rest);
    if (m.matches()) {
      return new Route(Kind.SESSION, m.group(2), m.group(3));
    }
    return NOT_FOUND;
  }
}
