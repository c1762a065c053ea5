package com.presencehub.portal;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import com.presencehub.config.OriginPolicy;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.List;

/**
 * The browser face of a node, from the classpath: {@code /presence-client.js} (and its ES-module
 * twin {@code /presence-client.mjs}) always, with the sockjs-client it loads from the WebJar under
 * {@code /webjars/sockjs-client/}; and the demo portal at {@code /} only when dev tokens are on,
 * because it signs anyone in as anyone through {@code /dev/token}.
 *
 * <p>The two client files are the committed build of the npm package {@code @presence-hub/client}
 * ({@code clients/js}). They and the WebJar carry CORS headers for the configured portal origins
 * ({@code allowedOrigins}; {@code "*"}: any), because a module script from another origin is
 * fetched in CORS mode: without {@code Access-Control-Allow-Origin} a portal on its own origin could
 * not {@code import} {@code /presence-client.mjs}.
 */
public final class PortalRoutes {

  /** Files of {@code src/main/resources/webroot} served on every node. */
  static final String CLIENT_FILES = "/presence-client\\.m?js";
  /** Files of the demo portal, served only with dev tokens. */
  static final String DEMO_FILES = "/(index\\.html|demo\\.js|demo\\.css)?";

  private static final int CLIENT_MAX_AGE_S = 300;

  private PortalRoutes() {
  }

  /**
   * @param demo           serve the demo portal (dev tokens on)
   * @param allowedOrigins origins allowed to fetch the client files cross-origin
   *                       ({@code scheme://host[:port]}, or {@code "*"} for any)
   */
  public static void mount(Router router, boolean demo, List<String> allowedOrigins) {
    Handler<RoutingContext> cors = cors(new OriginPolicy(allowedOrigins));
    router.route().method(HttpMethod.GET).method(HttpMethod.HEAD).method(HttpMethod.OPTIONS).pathRegex(CLIENT_FILES).handler(cors);
    router.route("/webjars/sockjs-client/*").method(HttpMethod.GET).method(HttpMethod.HEAD).method(HttpMethod.OPTIONS).handler(cors);
    // Regex routes: StaticHandler then resolves the whole request path under the web root (on a
    // plain exact route it would strip the route's own path and serve the index page instead).
    StaticHandler webroot = StaticHandler.create("webroot").setMaxAgeSeconds(CLIENT_MAX_AGE_S);
    router.route().method(HttpMethod.GET).method(HttpMethod.HEAD).pathRegex(CLIENT_FILES).handler(webroot);
    // Versioned paths, so they may be cached for as long as the StaticHandler default allows.
    router.route("/webjars/sockjs-client/*").method(HttpMethod.GET).method(HttpMethod.HEAD)
        .handler(StaticHandler.create("META-INF/resources/webjars/sockjs-client"));
    if (demo) {
      router.route().method(HttpMethod.GET).method(HttpMethod.HEAD).pathRegex(DEMO_FILES).handler(webroot);
    }
  }

  /**
   * CORS for GET/HEAD of static files, decided by the same {@link OriginPolicy} as the SockJS
   * endpoint: an allowed {@code Origin} gets {@code Access-Control-Allow-Origin} (its canonical form;
   * {@code *} when any origin is allowed), a preflight 204; any other {@code Origin} gets 403, as on
   * {@code /presence}. Requests without {@code Origin} pass untouched.
   */
  static Handler<RoutingContext> cors(OriginPolicy origins) {
    return rc -> {
      String origin = rc.request().getHeader(HttpHeaders.ORIGIN);
      if (origin == null) {
        rc.next();
        return;
      }
      if (!origins.allows(origin, rc.request().getHeader(HttpHeaders.HOST))) {
        rc.response().setStatusCode(403).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
            .end("origin not allowed: see allowedOrigins\n");
        return;
      }
      if (origins.anyOrigin()) {
        rc.response().putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
      } else {
        String canonical = OriginPolicy.canonical(origin);
        rc.response().putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, canonical == null ? origin : canonical)
            .putHeader(HttpHeaders.VARY, HttpHeaders.ORIGIN);
      }
      if (rc.request().method() == HttpMethod.OPTIONS) {
        rc.response().putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_METHODS, "GET, HEAD").setStatusCode(204).end();
        return;
      }
      rc.next();
    };
  }
}
