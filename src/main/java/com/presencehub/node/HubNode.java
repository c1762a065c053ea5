package com.presencehub.node;

import com.presencehub.config.HubConfig;
import com.presencehub.config.ConfigException;
import com.presencehub.logging.LogLimiter;

import com.hazelcast.core.HazelcastInstance;
import com.presencehub.api.PresenceApiVerticle;
import com.presencehub.api.http.HttpApi;
import com.presencehub.api.http.impl.HttpErrors;
import com.presencehub.cluster.ChangePublisher;
import com.presencehub.cluster.ClusterSetup;
import com.presencehub.cluster.NodeDeliveryVerticle;
import com.presencehub.cluster.ReplicationVerticle;
import com.presencehub.delivery.Courier;
import com.presencehub.delivery.RemoteSessions;
import com.presencehub.gateway.Gateway;
import com.presencehub.gateway.GatewayVerticle;
import com.presencehub.gateway.MountedRoutes;
import com.presencehub.gateway.TokenVerifier;
import com.presencehub.gateway.impl.ConnectionGuard;
import com.presencehub.presence.PresenceTimings;
import com.presencehub.shard.ReplicationSink;
import com.presencehub.shard.ShardDirectory;
import com.presencehub.shard.ShardVerticle;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.logging.Logger;
import io.vertx.core.internal.logging.LoggerFactory;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
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

  private static final Logger LOG = LoggerFactory.getLogger(HubNode.class);
  private static final LogLimiter UNCAUGHT_LINES = new LogLimiter(5, 10_000);

  private final Vertx vertx;
  private final HubConfig config;
  private final HubMetrics metrics;
  private final ShardDirectory directory;
  private Courier courier;
  private String self;
  private ChangePublisher publisher;
  private ReplicationVerticle replicator;
  private String replicatorDeployment;
  private final AtomicBoolean ready = new AtomicBoolean();
  private String gatewayDeployment;
  private String apiDeployment;
  private HttpApi httpApi;
  private final ConnectionGuard.Counts connections = new ConnectionGuard.Counts();
  private volatile Gateway gateway;

  private HubNode(Vertx vertx, HubConfig config, PrometheusMeterRegistry registry) {
    this.vertx = vertx;
    this.config = config;
    this.metrics = new HubMetrics(registry);
    this.directory = new ShardDirectory(config.shards());
  }

  /** A Vert.x instance whose own metrics go to {@code registry} beside the hub's. */
  public static Vertx createVertx(PrometheusMeterRegistry registry) {
    VertxOptions options = new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)))
        // Linux epoll where it loads (TCP_USER_TIMEOUT for dead peers, GatewayVerticle); NIO elsewhere.
        .setPreferNativeTransport(true);
    return Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory(registry)).build();
  }

  public static PrometheusMeterRegistry newRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /**
   * A clustered Vert.x for {@code config} (Hazelcast built from it, see {@link ClusterSetup}); its
   * metrics go to {@code registry} like {@link #createVertx}'s.
   */
  public static Future<Vertx> createClusteredVertx(HubConfig config, PrometheusMeterRegistry registry) {
    VertxOptions options = new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)))
        // Linux epoll where it loads (TCP_USER_TIMEOUT for dead peers, GatewayVerticle); NIO elsewhere.
        .setPreferNativeTransport(true);
    return ClusterSetup.clusteredVertx(Vertx.builder().withMetrics(new MicrometerMetricsFactory(registry)), options,
        config, System.currentTimeMillis());
  }

  public static Future<HubNode> start(Vertx vertx, HubConfig config, PrometheusMeterRegistry registry) {
    if (config.cluster() != vertx.isClustered()) {
      return Future.failedFuture(new ConfigException(config.cluster()
          ? "cluster: clustered mode needs a clustered Vert.x (HubNode.createClusteredVertx)"
          : "cluster: false, but the Vert.x instance is clustered"));
    }
    HubNode node = new HubNode(vertx, config, registry);
    warnAboutMode(config);
    // A handler that throws (vertx-web's SockJS on a batch like ["a",null]) would otherwise log a
    // stack trace per input: one short line, rate-limited; the trace at debug.
    vertx.exceptionHandler(err -> {
      String suffix = UNCAUGHT_LINES.admit(System.currentTimeMillis());
      if (suffix != null) {
        LOG.warn("unhandled exception in a handler: " + err.getClass().getSimpleName() + suffix);
      }
      LOG.debug("unhandled exception in a handler", err);
    });
    // Clustered, nothing is served before the node holds the whole view: open-source proxies only
    // notice a node by whether it accepts connections, not by /health/ready.
    return node.deployShards()
        .compose(v -> node.deployCluster())
        .compose(v -> node.replicator == null ? Future.succeededFuture() : node.replicator.wholeView())
        .compose(v -> HttpApi.start(node, registry).onSuccess(api -> node.httpApi = api))
        .compose(v -> node.deployGateways(registry))
        .compose(v -> PresenceApiVerticle.deploy(node).onSuccess(id -> node.apiDeployment = id))
        .map(v -> {
          node.ready.set(true);
          return node;
        });
  }

  /** §7: one WARN line when the node runs in development mode, or serves dev tokens in production. */
  private static void warnAboutMode(HubConfig config) {
    if (config.devMode()) {
      LOG.warn("DEVELOPMENT MODE: no JWT key configured (" + HubConfig.envName("jwtSecret") + " / "
          + HubConfig.envName("jwtPublicKey") + "), so this node listens on " + config.httpHost()
          + " only, signs with a random secret made for this boot"
          + (config.devTokens() ? ", and serves /dev/token and the demo portal to anyone who can connect" : "")
          + "; configure a key for production");
    } else if (config.devTokens()) {
      LOG.warn("devTokens is on with a configured JWT key: GET /dev/token mints a token for any user to anyone who can"
          + " reach " + config.httpHost() + ":" + config.httpPort() + "; never in production");
    }
  }

  private Future<Void> deployShards() {
    PresenceTimings timings = new PresenceTimings(config.idleTimeoutMs(), config.offlineGraceMs(),
        config.offlineRetentionMs(), config.maxSessionsPerUser());
    ReplicationSink sink = ReplicationSink.NONE;
    if (vertx.isClustered()) {
      ClusterManager manager = ((VertxInternal) vertx).clusterManager();
      self = manager.getNodeId();
      publisher = new ChangePublisher(vertx.eventBus(), self, false);
      HazelcastInstance hz = ((HazelcastClusterManager) manager).getHazelcastInstance();
      replicator = new ReplicationVerticle(config, directory, hz, self, publisher);
      sink = replicator;
      courier = new Courier(directory, NodeDeliveryVerticle.remoteSessions(vertx.eventBus(), config.clusterSyncTimeoutMs()));
    } else {
      self = "local";
      publisher = new ChangePublisher(vertx.eventBus(), self, true);
      courier = new Courier(directory, RemoteSessions.NONE);
    }
    List<Future<String>> deployments = new ArrayList<>();
    for (int i = 0; i < config.shards(); i++) {
      deployments.add(vertx.deployVerticle(
          new ShardVerticle(directory, i, timings, config.sweepIntervalMs(), metrics, sink, publisher)));
    }
    return Future.all(deployments).mapEmpty();
  }

  /** Clustered: the replicated view and this node's delivery address. */
  private Future<Void> deployCluster() {
    if (replicator == null) {
      return Future.succeededFuture();
    }
    return vertx.deployVerticle(replicator)
        .onSuccess(id -> replicatorDeployment = id)
        .compose(v -> vertx.deployVerticle(new NodeDeliveryVerticle(self, courier)))
        .mapEmpty();
  }

  /** HTTP connections open on this node now (WebSockets included). */
  public int openConnections() {
    return connections.open();
  }

  /** Client sessions open on this node now, authenticated or not; 0 before the gateway runs. */
  public int openSessions() {
    Gateway g = gateway;
    return g == null ? 0 : g.openSessions();
  }

  private Future<Void> deployGateways(PrometheusMeterRegistry registry) {
    Gateway gateway = new Gateway(vertx, config.gatewayOptions(), TokenVerifier.create(vertx, config), directory,
        metrics, courier);
    this.gateway = gateway;
    ConnectionGuard.Counts pending = connections;
    return vertx.deployVerticle(
            () -> new GatewayVerticle(gateway, new MountedRoutes(router -> {
              OpsRoutes.mount(router, vertx, config, registry, ready::get);
              httpApi.mount(router);
            }, HttpApi.BASE, HttpErrors::outsideRouter, HttpApi.MAX_REQUEST_LINE), pending),
            new DeploymentOptions().setInstances(config.gatewayInstances()))
        .onSuccess(id -> gatewayDeployment = id)
        .mapEmpty();
  }

  /**
   * Closes every session with 4503, then stops serving. Clustered, the sessions' ends are handed
   * to the other nodes before this returns, so users who reconnect elsewhere never show offline.
   * The Vert.x instance (and leaving the cluster) stays the caller's.
   */
  public Future<Void> stop() {
    ready.set(false);
    metrics.close();
    // The event-bus API first: a stopping node must not answer services from a view that no
    // longer updates (another node answers instead).
    Future<Void> api = apiDeployment == null ? Future.succeededFuture() : vertx.undeploy(apiDeployment);
    apiDeployment = null;
    HttpApi http = httpApi;
    httpApi = null;
    if (http != null) {
      api = api.compose(v -> http.stop());
    }
    String gatewayId = gatewayDeployment;
    gatewayDeployment = null;
    Future<Void> gateways = api.compose(v -> gatewayId == null ? Future.succeededFuture() : vertx.undeploy(gatewayId));
    if (replicatorDeployment == null) {
      return gateways;
    }
    String replication = replicatorDeployment;
    replicatorDeployment = null;
    // The shards turn the closed sessions into shares to replicate once their queue is drained;
    // flushing them explicitly, then stopping the replicator (which flushes), sends the last delta.
    return gateways
        .compose(v -> directory.flush())
        .compose(v -> vertx.undeploy(replication));
  }

  /** The HTTP API (PROTOCOL.md §8); null before start and after stop. */
  public HttpApi httpApi() {
    return httpApi;
  }

  /** This node's id in the cluster ({@code local} when standalone). */
  public String nodeId() {
    return self;
  }

  /** Null when standalone. */
  public ReplicationVerticle replicator() {
    return replicator;
  }

  public ChangePublisher publisher() {
    return publisher;
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

  /** Delivers to a user's sessions wherever they are connected. */
  public Courier courier() {
    return courier;
  }

  public Vertx vertx() {
    return vertx;
  }

  public boolean ready() {
    return ready.get();
  }
}
