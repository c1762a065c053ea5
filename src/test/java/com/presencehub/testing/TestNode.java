package com.presencehub.testing;

import com.presencehub.config.HubConfig;
import com.presencehub.node.HubNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * A real hub node in this JVM, on a free loopback port, with the short timings tests use
 * (idle 1.5 s, grace 1 s, auth timeout 1 s), two shards, and the production default of one gateway loop.
 */
public final class TestNode {

  private final HubNode node;
  private final PrometheusMeterRegistry registry;

  private TestNode(HubNode node, PrometheusMeterRegistry registry) {
    this.node = node;
    this.registry = registry;
  }

  public static JsonObject defaults() {
    return new JsonObject()
        .put("httpHost", "127.0.0.1")
        .put("httpPort", freePort())
        .put("jwtSecret", TestTokens.SECRET)
        .put("idleTimeoutMs", 1500)
        .put("offlineGraceMs", 1000)
        .put("authTimeoutMs", 1000)
        .put("sweepIntervalMs", 50)
        .put("shards", 2)
        .put("devTokens", true);
  }

  /** Starts a node with {@link #defaults()} overridden by {@code overrides}. */
  public static Future<TestNode> start(Vertx vertx, JsonObject overrides) {
    HubConfig config = HubConfig.fromJson(defaults().mergeIn(overrides));
    PrometheusMeterRegistry registry = HubNode.newRegistry();
    return HubNode.start(vertx, config, registry).map(node -> new TestNode(node, registry));
  }

  /**
   * Starts a clustered node (its own clustered Vert.x, Hazelcast on 127.0.0.1) with {@link
   * #defaults()} overridden by {@code overrides}, which must carry the cluster keys.
   */
  public static Future<TestNode> startClustered(JsonObject overrides) {
    HubConfig config = HubConfig.fromJson(defaults().put("cluster", true).put("clusterHost", "127.0.0.1")
        .put("clusterFailureTimeoutMs", 2000).put("clusterDigestIntervalMs", 250).mergeIn(overrides));
    PrometheusMeterRegistry registry = HubNode.newRegistry();
    return HubNode.createClusteredVertx(config, registry)
        .compose(vertx -> HubNode.start(vertx, config, registry))
        .map(node -> new TestNode(node, registry));
  }

  public static Future<TestNode> start(Vertx vertx) {
    return start(vertx, new JsonObject());
  }

  public int port() {
    return node.config().httpPort();
  }

  public HubNode node() {
    return node;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public Future<Void> stop() {
    return node.stop();
  }

  /** A port nothing is bound to, outside the ephemeral range: {@link TestPorts#next()}. */
  public static int freePort() {
    return TestPorts.next();
  }
}
