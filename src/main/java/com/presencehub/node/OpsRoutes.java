package com.presencehub.node;

import com.presencehub.config.HubConfig;

import com.presencehub.portal.PortalRoutes;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.function.BooleanSupplier;

/**
 * {@code /health/live}, {@code /health/ready}, {@code /metrics}, the browser client and, when enabled,
 * {@code /dev/token} and the demo portal.
 */
final class OpsRoutes {

  private OpsRoutes() {
  }

  static void mount(Router router, Vertx vertx, HubConfig config, PrometheusMeterRegistry registry, BooleanSupplier ready) {
    HealthChecks live = HealthChecks.create(vertx)
        .register("event-loop", promise -> promise.complete(Status.OK()));
    // Ready once every shard and gateway is deployed (and, clustered, once the view is whole).
    HealthChecks readiness = HealthChecks.create(vertx)
        .register("presence-view", promise -> promise.complete(ready.getAsBoolean() ? Status.OK() : Status.KO()));
    router.get("/health/live").handler(HealthCheckHandler.createWithHealthChecks(live));
    router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(readiness));
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    if (config.devTokens()) {
      DevTokens tokens = new DevTokens(vertx, config.jwtOptions());
      router.get("/dev/token").handler(tokens::handle);
    }
    PortalRoutes.mount(router, config.devTokens(), config.allowedOrigins());
  }
}
