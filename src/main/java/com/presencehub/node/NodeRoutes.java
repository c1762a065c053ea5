package com.presencehub.node;

import com.presencehub.api.http.HttpApi;
import com.presencehub.config.HubConfig;
import com.presencehub.gateway.HttpRoutes;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.function.BooleanSupplier;

/**
 * What a node serves on the gateway's server beside SockJS: {@link OpsRoutes} (health, metrics,
 * dev tokens, the browser client and portal) and the HTTP API under {@link HttpApi#BASE}.
 */
record NodeRoutes(Vertx vertx, HubConfig config, PrometheusMeterRegistry registry, BooleanSupplier ready, HttpApi api)
    implements HttpRoutes {

  @Override
  public void mount(Router router) {
    OpsRoutes.mount(router, vertx, config, registry, ready);
    api.mount(router);
  }

  @Override
  public boolean answerFailure(RoutingContext rc, int status) {
    return HttpApi.answerOutsideRouter(rc, status);
  }

  @Override
  public int maxRequestLine() {
    return HttpApi.MAX_REQUEST_LINE;
  }
}
