package com.presencehub.portal;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The browser face of a node, from the classpath: {@code /presence-client.js} (and its ES-module
 * twin {@code /presence-client.mjs}) always, with the sockjs-client it loads from the WebJar under
 * {@code /webjars/sockjs-client/}; and the demo portal at {@code /} only when dev tokens are on,
 * because it signs anyone in as anyone through {@code /dev/token}.
 */
public final class PortalRoutes {

  /** Files of {@code src/main/resources/webroot} served on every node. */
  static final String CLIENT_FILES = "/presence-client\\.m?js";
  /** Files of the demo portal, served only with dev tokens. */
  static final String DEMO_FILES = "/(index\\.html|demo\\.js|demo\\.css)?";

  private static final int CLIENT_MAX_AGE_S = 300;

  private PortalRoutes() {
  }

  public static void mount(Router router, boolean demo) {
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
}
