package com.presencehub.node;

import com.presencehub.config.HubConfig;
import com.presencehub.config.ConfigException;
import com.presencehub.logging.LogLimiter;

import com.hazelcast.core.HazelcastInstance;
import com.presencehub.api.PresenceApiVerticle;
import com.presencehub.api.impl.PresenceRequests;
import com.presencehub.api.http.HttpApi;
import com.presencehub.api.http.impl.HttpErrors;
import com.presencehub.cluster.ChangePublisher;
import com.presencehub.cluster.ClusterSetup;
import com.presencehub.cluster.HazelcastMembership;
import com.presencehub.cluster.NodeDeliveryVerticle;
import com.presencehub.cluster.ReplicationVerticle;
import com.presencehub.delivery.Courier;
import com.presencehub.delivery.RemoteSessions;
import com.presencehub.gateway.Gateway;
import com.presencehub.gateway.GatewayVerticle;
import com.presencehub.gateway.MountedRoutes;
import com.presencehub.gateway.TokenVerifier;
import com.presencehub.gateway.impl.ConnectionGuard;
import com.presencehub.config.TimingOptions;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One hub node on a Vert.x instance, and the composition root of the hub: it builds each part's
 * options from the {@link HubConfig}, constructs the parts with their dependencies, deploys them
 * (the shards that own user state, clustered the replication, then the HTTP API, the gateways that
 * serve sockets and the event-bus API) and stops them in the order that loses no session. Nothing
 * calls back into it: every part gets what it needs through its constructor. Used by the launcher
 * and by tests, which start real nodes in-process.
 */
public final class HubNode {

  private static final Logger LOG = LoggerFactory.getLogger(HubNode.class);
  private static final LogLimiter UNCAUGHT_LINES = new LogLimiter(5, 10_000);

  /** What {@link #start} deployed, taken down by {@link #stop}; {@code replication} null when standalone. */
  private record Deployed(String replication, HttpApi httpApi, String gateways, String api) {
  }

  private final Vertx vertx;
  private final HubConfig config;
  private final PrometheusMeterRegistry registry;
  private final HubMetrics metrics;
  private final ShardDirectory directory;
  /** This node's id in the cluster ({@code local} when standalone). */
  private final String self;
  private final ChangePublisher publisher;
  /** Null when standalone. */
  private final ReplicationVerticle replicator;
  private final Courier courier;
  private final Gateway gateway;
  private final ConnectionGuard.Counts connections = new ConnectionGuard.Counts();
  private final AtomicBoolean ready = new AtomicBoolean();
  /** Set once start completes, cleared by stop. */
  private volatile Deployed deployed;

  private HubNode(Vertx vertx, HubConfig config, PrometheusMeterRegistry registry) {
    this.vertx = vertx;
    this.config = config;
    this.registry = registry;
    this.metrics = new HubMetrics(registry);
    this.directory = new ShardDirectory(config.shards());
    if (vertx.isClustered()) {
      ClusterManager manager = ((VertxInternal) vertx).clusterManager();
      self = manager.getNodeId();
      publisher = new ChangePublisher(vertx.eventBus(), self, false);
      HazelcastInstance hz = ((HazelcastClusterManager) manager).getHazelcastInstance();
      replicator = new ReplicationVerticle(config.replicationOptions(), directory, new HazelcastMembership(hz), self,
          publisher, metrics);
      courier = new Courier(directory, NodeDeliveryVerticle.remoteSessions(vertx.eventBus(), config.clusterSyncTimeoutMs()));
    } else {
      self = "local";
      publisher = new ChangePublisher(vertx.eventBus(), self, true);
      replicator = null;
      courier = new Courier(directory, RemoteSessions.NONE);
    }
    this.gateway = new Gateway(vertx, config.gatewayOptions(),
        TokenVerifier.create(vertx, config.jwtOptions(), config.tenantScope()), directory, metrics, courier);
  }

  /** A Vert.x instance whose own metrics go to {@code registry} beside the hub's. */
  public static Vertx createVertx(PrometheusMeterRegistry registry) {
    return Vertx.builder().with(vertxOptions()).withMetrics(new MicrometerMetricsFactory(registry)).build();
  }

  public static PrometheusMeterRegistry newRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /**
   * A clustered Vert.x for {@code config} (Hazelcast built from it, see {@link ClusterSetup}); its
   * metrics go to {@code registry} like {@link #createVertx}'s.
   */
  public static Future<Vertx> createClusteredVertx(HubConfig config, PrometheusMeterRegistry registry) {
    return ClusterSetup.clusteredVertx(Vertx.builder().withMetrics(new MicrometerMetricsFactory(registry)), vertxOptions(),
        config.clusterOptions(), System.currentTimeMillis());
  }

  private static VertxOptions vertxOptions() {
    return new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)))
        // Linux epoll where it loads (TCP_USER_TIMEOUT for dead peers, GatewayVerticle); NIO elsewhere.
        .setPreferNativeTransport(true);
  }

  public static Future<HubNode> start(Vertx vertx, HubConfig config, PrometheusMeterRegistry registry) {
    if (config.cluster() != vertx.isClustered()) {
      return Future.failedFuture(new ConfigException(config.cluster()
          ? "cluster: clustered mode needs a clustered Vert.x (HubNode.createClusteredVertx)"
          : "cluster: false, but the Vert.x instance is clustered"));
    }
    HubNode node;
    try {
      node = new HubNode(vertx, config, registry);
    } catch (RuntimeException e) {
      // A key the JWT library refuses (say) fails the start like any deployment does.
      return Future.failedFuture(e);
    }
    warnAboutMode(config);
    // A handler that throws (a bug in a route or a session handler) would otherwise log a
    // stack trace per input: one short line, rate-limited; the trace at debug.
    vertx.exceptionHandler(err -> {
      String suffix = UNCAUGHT_LINES.admit(System.currentTimeMillis());
      if (suffix != null) {
        LOG.warn("unhandled exception in a handler: " + err.getClass().getSimpleName() + suffix);
      }
      LOG.debug("unhandled exception in a handler", err);
    });
    return node.deploy().map(d -> {
      node.deployed = d;
      node.ready.set(true);
      return node;
    });
  }

  /**
   * Shards, then (clustered) the replication and this node's delivery address, then the HTTP API,
   * the gateways and the event-bus API. Clustered, nothing is served before the node holds the
   * whole view: open-source proxies only notice a node by whether it accepts connections, not by
   * /health/ready. Nor before the shards have applied it: the replication loop hands each full
   * state to the shards as tasks, and a query served before they ran would wait behind them (12-398
   * ms at 50,000 users under load, bench/join.mjs, issue 17).
   */
  private Future<Deployed> deploy() {
    // Parsed while the cluster sync runs: nothing waits for it until the node holds the whole view.
    Future<HttpApi.Contract> contract = HttpApi.loadContract(vertx);
    return deployShards()
        .compose(v -> deployCluster())
        .compose(replication -> (replicator == null ? Future.<Void>succeededFuture()
                : replicator.wholeView().compose(v -> shardsApplied()))
            .compose(v -> contract)
            .compose(document -> HttpApi.start(vertx, document, config.httpApiOptions(), config.jwtOptions(),
                config.tenantScope(), directory, courier, registry))
            // Sockets and the event-bus API at once: each waits on its own (listen; the consumers'
            // registration in Hazelcast), neither on the other.
            .compose(http -> {
              Future<String> gateways = deployGateways(http);
              Future<String> api = deployEventBusApi();
              // Both settle before a failure is reported, and the one that came up is taken down again.
              return Future.join(gateways, api).map(v -> new Deployed(replication, http, gateways.result(), api.result()))
                  .recover(err -> Future.join(undeployIfUp(gateways), undeployIfUp(api)).transform(v -> Future.failedFuture(err)));
            }));
  }

  /**
   * Completes once the shards ran every task queued before, the whole view's shares among them; logs
   * how long that took, the last phase of a join (bench/join.mjs reads it).
   */
  private Future<Void> shardsApplied() {
    long since = System.nanoTime();
    return directory.barrier().onSuccess(v -> LOG.info("the shards applied the whole view ("
        + (System.nanoTime() - since) / 1_000_000 + " ms after the replication held it)"));
  }

  private Future<Void> undeployIfUp(Future<String> deployment) {
    return deployment.succeeded() ? vertx.undeploy(deployment.result()) : Future.succeededFuture();
  }

  /** §5 on the event bus, with the limits of a subscribe frame. */
  private Future<String> deployEventBusApi() {
    return vertx.deployVerticle(new PresenceApiVerticle(
        new PresenceRequests(directory, courier, config.maxUsersPerSubscribe(), config.maxFrameBytes()),
        config.tenantScope()));
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
    TimingOptions timings = config.timingOptions();
    ReplicationSink sink = replicator == null ? ReplicationSink.NONE : replicator;
    List<Future<String>> deployments = new ArrayList<>();
    for (int i = 0; i < config.shards(); i++) {
      deployments.add(vertx.deployVerticle(
          new ShardVerticle(directory, i, timings.presence(), timings.sweepIntervalMs(), metrics, sink, publisher)));
    }
    return Future.all(deployments).mapEmpty();
  }

  /** Clustered: the replicated view and this node's delivery address; the replication's deployment id (null standalone). */
  private Future<String> deployCluster() {
    if (replicator == null) {
      return Future.succeededFuture();
    }
    return vertx.deployVerticle(replicator)
        .compose(id -> vertx.deployVerticle(new NodeDeliveryVerticle(self, courier)).map(id));
  }

  private Future<String> deployGateways(HttpApi httpApi) {
    return vertx.deployVerticle(
        () -> new GatewayVerticle(gateway, new MountedRoutes(router -> {
          OpsRoutes.mount(router, vertx, config, registry, ready::get);
          httpApi.mount(router);
        }, HttpApi.BASE, HttpErrors::outsideRouter, HttpApi.MAX_REQUEST_LINE), connections),
        new DeploymentOptions().setInstances(config.gatewayInstances()));
  }

  /**
   * Closes every session with 4503, then stops serving. Clustered, the sessions' ends are handed
   * to the other nodes before this returns, so users who reconnect elsewhere never show offline.
   * The Vert.x instance (and leaving the cluster) stays the caller's.
   */
  public Future<Void> stop() {
    ready.set(false);
    metrics.close();
    Deployed d = deployed;
    deployed = null;
    if (d == null) {
      return Future.succeededFuture();
    }
    // The event-bus API first: a stopping node must not answer services from a view that no
    // longer updates (another node answers instead).
    Future<Void> gateways = vertx.undeploy(d.api())
        .compose(v -> d.httpApi().stop())
        .compose(v -> vertx.undeploy(d.gateways()));
    if (d.replication() == null) {
      return gateways;
    }
    // The shards turn the closed sessions into shares to replicate once their queue is drained;
    // flushing them explicitly, then stopping the replicator (which flushes), sends the last delta.
    return gateways
        .compose(v -> directory.flush())
        .compose(v -> vertx.undeploy(d.replication()));
  }

  /** HTTP connections open on this node now (WebSockets included). */
  public int openConnections() {
    return connections.open();
  }

  /** Members of the cluster as this node sees it now, itself included (1 when standalone). */
  public int clusterMembers() {
    return vertx.isClustered() ? ((VertxInternal) vertx).clusterManager().getNodes().size() : 1;
  }

  /** Client sessions open on this node now, authenticated or not. */
  public int openSessions() {
    return gateway.openSessions();
  }

  /** The HTTP API (PROTOCOL.md §8), for tests; null before start and after stop. */
  public HttpApi httpApi() {
    Deployed d = deployed;
    return d == null ? null : d.httpApi();
  }

  /** This node's id in the cluster ({@code local} when standalone). */
  public String nodeId() {
    return self;
  }

  public HubConfig config() {
    return config;
  }

  /** What every session of this node shares (the SockJS session counts, for tests and ops). */
  public Gateway gateway() {
    return gateway;
  }

  public HubMetrics metrics() {
    return metrics;
  }

  public Vertx vertx() {
    return vertx;
  }

  public boolean ready() {
    return ready.get();
  }
}
