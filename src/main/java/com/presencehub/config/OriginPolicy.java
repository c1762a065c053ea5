package com.presencehub.config;

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
    this.allowed = allowedOrigins.stream().filter(o -> !"*".equals(o)).map(OriginPolicy::canonical)
        .filter(java.util.Objects::nonNull).collect(Collectors.toUnmodifiableSet());
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
   * Decides for every route that checks origins (the SockJS endpoint, the client files, the
   * WebJar): one rule, so that no route answers an origin another refuses.
   *
   * @param origin the request's {@code Origin} header, or null
   * @param host the request's {@code Host} header (authority), or null
   * @return true for {@code *}, no {@code Origin}, a listed origin or the hub's own; an {@code
   *     Origin} that is not a serialized origin (a path, a trailing slash, {@code null}) is refused
   */
  public boolean allows(String origin, String host) {
    if (any || origin == null) {
      return true;
    }
    String o = canonical(origin);
    if (o == null) {
      return false;
    }
    if (allowed.contains(o)) {
      return true;
    }
    return host != null && sameAuthority(o, host);
  }

  /**
   * An origin as browsers serialize it (RFC 6454 §6.2): lower case, {@code scheme://host}, the port
   * only when it is not the scheme's default ({@code https://x:443} is {@code https://x}); null when
   * {@code origin} is no such thing (a path or a trailing slash, user info, a query, another scheme,
   * {@code null}).
   */
  public static String canonical(String origin) {
    if (origin == null) {
      return null;
    }
    try {
      URI u = new URI(origin.trim());
      String scheme = u.getScheme() == null ? null : u.getScheme().toLowerCase(Locale.ROOT);
      if (!"http".equals(scheme) && !"https".equals(scheme) || u.getHost() == null || u.getRawUserInfo() != null
          || u.getRawQuery() != null || u.getRawFragment() != null || !(u.getRawPath() == null || u.getRawPath().isEmpty())) {
        return null;
      }
      int port = u.getPort();
      boolean defaultPort = port == -1 || ("https".equals(scheme) && port == 443) || ("http".equals(scheme) && port == 80);
      return scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
    } catch (Exception notAnOrigin) {
      return null;
    }
  }

  /** The page's own host and port: the hub's demo portal, or a portal served through the same proxy. */
  private static boolean sameAuthority(String origin, String host) {
    try {
      URI u = new URI(origin);
      if (u.getHost() == null || u.getScheme() == null) {
        return false;
      }
      int port = u.getPort() != -1 ? u.getPort() : ("https".equals(u.getScheme()) ? 443 : 80);
      String h = host.trim().toLowerCase(Locale.ROOT);
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
}
