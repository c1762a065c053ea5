package com.presencehub.gateway;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which browser origins may open a session (the {@code allowedOrigins} key, PROTOCOL.md §4
 * transport): {@code *} for any, or a list of {@code scheme://host[:port]} origins. A page served by
 * the hub itself (its {@code Origin} names the same host and port as the request's {@code Host}) is
 * always allowed. Requests without an {@code Origin} header come from programs, not from a browser
 * page that could be hijacked, and are not origin-checked.
 */
public final class OriginPolicy {

  private final boolean any;
  private final Set<String> allowed;

  public OriginPolicy(List<String> allowedOrigins) {
    this.any = allowedOrigins.contains("*");
    this.allowed = allowedOrigins.stream().map(OriginPolicy::normalise).collect(Collectors.toUnmodifiableSet());
  }

  /** @return why the configured list is unusable, or null */
  public static String problem(List<String> origins) {
    if (origins.isEmpty()) {
      return "must not be empty (use * for any origin)";
    }
    if (origins.contains("*")) {
      return origins.size() == 1 ? null : "* cannot be combined with listed origins";
    }
    for (String o : origins) {
      if (!o.matches("(?i)https?://[a-z0-9.\\-]+(:\\d{1,5})?|(?i)https?://\\[[0-9a-f:.]+\\](:\\d{1,5})?")) {
        return "'" + o + "' is not an origin of the form scheme://host[:port] (no path, no trailing slash)";
      }
    }
    return null;
  }

  public boolean anyOrigin() {
    return any;
  }

  /**
   * @param origin the request's {@code Origin} header, or null
   * @param host the request's {@code Host} header (authority), or null
   */
  public boolean allows(String origin, String host) {
    if (any || origin == null) {
      return true;
    }
    String o = normalise(origin);
    if (allowed.contains(o)) {
      return true;
    }
    return host != null && sameAuthority(o, host);
  }

  /** The page's own host and port: the hub's demo portal, or a portal served through the same proxy. */
  private static boolean sameAuthority(String origin, String host) {
    try {
      URI u = new URI(origin);
      if (u.getHost() == null || u.getScheme() == null) {
        return false;
      }
      int port = u.getPort() != -1 ? u.getPort() : ("https".equals(u.getScheme()) ? 443 : 80);
      String h = host.toLowerCase(Locale.ROOT);
      String hostOnly = h;
      int hostPort;
      int colon = h.lastIndexOf(':');
      if (colon > h.lastIndexOf(']') && colon > 0) {
        hostOnly = h.substring(0, colon);
        hostPort = Integer.parseInt(h.substring(colon + 1));
      } else {
        hostPort = port == 443 && "https".equals(u.getScheme()) ? 443 : 80;
      }
      return hostOnly.equals(u.getHost()) && hostPort == port;
    } catch (Exception notAnOrigin) {
      return false;
    }
  }

  private static String normalise(String origin) {
    return origin.trim().toLowerCase(Locale.ROOT);
  }
}
