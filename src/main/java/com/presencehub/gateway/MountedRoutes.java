package com.presencehub.gateway;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * What a node serves beside the SockJS endpoint on the gateway's HTTP server (health, metrics, the
 * HTTP API), handed in by the node so that the gateway knows none of them.
 *
 * @param mount adds the routes to each gateway instance's router
 * @param ownPrefix a path prefix (e.g. {@code /api/v1}) whose requests that fail or match no route
 *     are answered by {@code failures} instead of the gateway's plain-text status; null for none
 * @param failures the answer for those, given the status (400–599) the router settled on
 * @param maxRequestLine the longest request line the routes accept, bytes (the HTTP server answers
 *     414 beyond)
 */
public record MountedRoutes(Consumer<Router> mount, String ownPrefix, BiConsumer<RoutingContext, Integer> failures,
    int maxRequestLine) {

  /** Whether {@code failures} answers a failed request for {@code path}. */
  boolean owns(String path) {
    return ownPrefix != null && path != null && path.startsWith(ownPrefix + "/");
  }
}
