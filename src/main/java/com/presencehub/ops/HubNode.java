package com.presencehub.ops;

import com.presencehub.gateway.Gateway;
import com.presencehub.gateway.GatewayVerticle;
import com.presencehub.gateway.TokenVerifier;
import com.presencehub.presence.PresenceTimings;
import com.presencehub.shard.ShardDirectory;
import com.presencehub.shard.ShardVerticle;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One hub node on a Vert.x instance: the shards that own user state, then the gateways that serve
 * sockets. Used by the launcher and by tests, which start real nodes in-process.
 */
public final class HubNode {

  private final Vertx vertx;
  private final HubConfig config;
  private final HubMetrics metrics;
  private final ShardDirectory directory;
  private final AtomicBoolean ready = new AtomicBoolean();
  private String gatewayDeployment;

  private HubNode(Vertx vertx, HubConfig config, PrometheusMeterRegistry registry) {
    this.vertx = vertx;
    this.config = config;
    this.metrics = new HubMetrics(registry);
    this.directory = new ShardDirectory(config.shards());
  }

  /** A Vert.x instance whose own metrics go to {@code registry} beside the hub's. */
  public static Vertx createVertx(PrometheusMeterRegistry registry) {
    VertxOptions options = new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)));
    return Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory(registry)).build();
  }

  public static PrometheusMeterRegistry newRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  public static Future<HubNode> start(Vertx vertx, HubConfig config, PrometheusMeterRegistry registry) {
    if (config.cluster()) {
      return Future.failedFuture(new ConfigException(
          "cluster: clustered mode is not built yet (a single node only for now); unset --cluster / PRESENCE_CLUSTER"));
    }
    HubNode node = new HubNode(vertx, config, registry);
    return node.deployShards()
        .compose(v -> node.deployGateways(registry))
        .map(v -> {
          node.ready.set(true);
          return node;
        });
  }

  private Future<Void> deployShards() {
    PresenceTimings timings = new PresenceTimings(config.idleTimeoutMs(), config.offlineGraceMs());
    List<Future<String>> deployments = new ArrayList<>();
    for (int i = 0; i < config.shards(); i++) {
      deployments.add(vertx.deployVerticle(new ShardVerticle(directory, i, timings, config.sweepIntervalMs(), metrics)));
    }
    return Future.all(deployments).mapEmpty();
  }

  private Future<Void> deployGateways(PrometheusMeterRegistry registry) {
    Gateway gateway = new Gateway(vertx, config, TokenVerifier.create(vertx, config), directory, metrics);
    return vertx.deployVerticle(
            () -> new GatewayVerticle(gateway, router -> OpsRoutes.mount(router, vertx, config, registry, ready::get)),
            new DeploymentOptions().setInstances(config.gatewayInstances()))
        .onSuccess(id -> gatewayDeployment = id)
        .mapEmpty();
  }

  /** Closes every session with 4503, then stops serving. The Vert.x instance stays the caller's. */
  public Future<Void> stop() {
    ready.set(false);
    return gatewayDeployment == null ? Future.succeededFuture() : vertx.undeploy(gatewayDeployment);
  }

  public HubConfig config() {
    return config;
  }

  public HubMetrics metrics() {
    return metrics;
  }

  public ShardDirectory directory() {
    return directory;
  }

  public boolean ready() {
    return ready.get();
  }
}
