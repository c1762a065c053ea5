package com.presencehub.portal;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.CorsHandler;
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
    CorsHandler cors = cors(allowedOrigins);
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

  /** A CORS handler for GET/HEAD of static files; {@code "*"} in the list allows any origin. */
  static CorsHandler cors(List<String> allowedOrigins) {
    CorsHandler cors = CorsHandler.create().allowedMethod(HttpMethod.GET).allowedMethod(HttpMethod.HEAD);
    if (!allowedOrigins.contains("*")) {
      cors.addOrigins(allowedOrigins);
    }
    return cors;
  }
}
