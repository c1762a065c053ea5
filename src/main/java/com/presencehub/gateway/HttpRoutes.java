package com.presencehub.gateway;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * What the node serves on the gateway's HTTP server beside SockJS (health, metrics, the HTTP API),
 * handed to {@link GatewayVerticle} by the composition root: the gateway knows nothing else of it.
 */
public interface HttpRoutes {

  /** Adds the routes to one gateway instance's router; called once per instance, on its loop. */
  void mount(Router router);

  /**
   * Answers a request that failed with {@code status} outside any failure handler of its own (no
   * match, a path vertx-web cannot normalise) the way its API answers; false to leave it to the
   * gateway's plain-text answer.
   */
  boolean answerFailure(RoutingContext rc, int status);

  /** The longest request line the server takes, bytes (414 beyond). */
  int maxRequestLine();
}
