package com.presencehub.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Every configuration key with its default, and the names a key takes in the environment and in
 * system properties. The table's order is the order of the README's table; a null default means
 * the value depends on another key (resolved in {@link HubConfig#fromLayers}).
 */
final class ConfigDefaults {

  /** Every key, with its default. */
  static final Map<String, Object> DEFAULTS = defaults();

  private ConfigDefaults() {
  }

  private static Map<String, Object> defaults() {
    int cores = Runtime.getRuntime().availableProcessors();
    Map<String, Object> d = new LinkedHashMap<>();
    // Unset: 0.0.0.0 in production, 127.0.0.1 in development mode (no JWT key configured).
    d.put("httpHost", null);
    d.put("httpPort", 8080);
    d.put("idleTimeoutMs", 300_000L);
    d.put("offlineGraceMs", 5_000L);
    d.put("authTimeoutMs", 10_000L);
    d.put("jwtSecret", null);
    d.put("jwtPublicKey", null);
    d.put("jwtIssuer", null);
    d.put("jwtAudience", null);
    d.put("cluster", false);
    d.put("clusterName", "presence-hub");
    d.put("clusterHost", "127.0.0.1");
    d.put("clusterPort", 5701);
    d.put("clusterMembers", List.of());
    // This node's name in the cluster; with the boot time it tells a restarted node from its past.
    // Unset: the host name and the HTTP port, which is unique among the nodes of one host.
    d.put("nodeId", null);
    d.put("clusterBusPort", 0);
    // Hazelcast's own default is 60 s without a heartbeat: far too slow for presence (§6: offline
    // within 10 s of a crash, grace included).
    d.put("clusterFailureTimeoutMs", 3_000L);
    d.put("clusterMergeIntervalMs", 5_000L);
    // Hazelcast's own default, which every member of the cluster must share (services included).
    d.put("clusterPartitions", 271);
    d.put("clusterDigestIntervalMs", 1_000L);
    d.put("clusterSyncTimeoutMs", 5_000L);
    d.put("maxFrameBytes", 65_536);
    d.put("rateLimitPerSecond", 50);
    d.put("rateLimitBurst", 100);
    d.put("rateLimitCloseAfter", 100);
    d.put("maxUsersPerSubscribe", 1_000);
    d.put("writeQueueMaxChars", 262_144);
    d.put("sweepIntervalMs", 200L);
    d.put("shards", cores);
    // Every core serves sockets (issue 15): the hub's SockJS layer hands each request of a session
    // to the loop that owns the session, wherever it arrives.
    d.put("gatewayInstances", defaultGatewayInstances(cores));
    d.put("heartbeatIntervalMs", 25_000L);
    d.put("sockjsSessionTimeoutMs", 5_000L);
    // Unset: on in development mode, off in production.
    d.put("devTokens", null);
    // §4 Liveness: a session whose peer has not proved itself (pong, poll, frame) for this long is
    // closed like any non-bye end.
    d.put("livenessTimeoutMs", 45_000L);
    // §2 Retention: an offline user's record (its lastActiveAt) is forgotten after this long.
    d.put("offlineRetentionMs", 86_400_000L);
    // §4 limits: users watched by one session, sessions of one user.
    d.put("maxWatchedUsers", 10_000);
    d.put("maxSessionsPerUser", 32);
    // Origins allowed on the WebSocket upgrade and in SockJS's CORS answers; "*" is any.
    d.put("allowedOrigins", List.of("*"));
    // How a clustered node finds the others (ClusterSetup): auto, tcp (clusterMembers), multicast, or
    // kubernetes (Hazelcast's discovery: the pods behind clusterKubernetesServiceName in
    // clusterKubernetesNamespace through the Kubernetes API, or clusterKubernetesServiceDns by DNS).
    d.put("clusterJoin", "auto");
    d.put("clusterKubernetesServiceName", null);
    // Unset: the pod's own namespace (Hazelcast reads it from the service account).
    d.put("clusterKubernetesNamespace", null);
    d.put("clusterKubernetesServiceDns", null);
    // Connections that are not (yet) a session: a whole request header within this long of
    // connecting, and no longer than this idle between two requests (keep-alive).
    d.put("httpHeaderTimeoutMs", 10_000L);
    d.put("httpIdleTimeoutMs", 30_000L);
    // Such connections open at once from one source address; more are closed on accept.
    d.put("maxPendingConnectionsPerAddress", 64);
    // §8 HTTP API: requests per second (and burst) per service token; 429 beyond.
    d.put("httpApiRateLimitPerSecond", 100);
    d.put("httpApiRateLimitBurst", 200);
    // §8 change stream: transitions a node keeps for Last-Event-ID replay; heartbeat comment period.
    d.put("changeStreamBuffer", 10_000);
    d.put("changeStreamHeartbeatMs", 15_000L);
    // §8 webhooks: [{"tenant","url","secret"}, …] (PRESENCE_WEBHOOKS takes the same list as JSON),
    // plus one endpoint from the three webhook* keys for the simple case (all three or none).
    d.put("webhooks", List.of());
    d.put("webhookTenant", null);
    d.put("webhookUrl", null);
    d.put("webhookSecret", null);
    d.put("webhookBatchMax", 100);
    d.put("webhookQueueMax", 10_000);
    d.put("webhookTimeoutMs", 5_000L);
    d.put("webhookRetryMinMs", 500L);
    d.put("webhookRetryMaxMs", 60_000L);
    d.put("logFormat", "text");
    // Cells (docs/cells.md): the tenant ids this cluster serves (PRESENCE_TENANTS=a,b); empty: all.
    // A session or API request for another tenant is refused, naming the tenant and clusterName.
    d.put("tenants", List.of());
    return d;
  }

  /**
   * The number of cores, unless {@code PRESENCE_GATEWAY_INSTANCES} is set to a valid count: then
   * that, even where the environment layer is not read ({@link HubConfig#fromJson}, which tests and
   * embedders use), so that a whole test run can be made to use several gateway loops. Where the
   * environment layer is read it wins anyway, and reports an invalid value.
   */
  static int defaultGatewayInstances(int cores) {
    String env = System.getenv(envName("gatewayInstances"));
    if (env != null) {
      try {
        int n = Integer.parseInt(env.trim());
        if (n >= 1 && n <= 1_024) {
          return n;
        }
      } catch (NumberFormatException e) {
        // Reported by the environment layer where it is read.
      }
    }
    return Math.max(1, cores);
  }

  static Set<String> keys() {
    return DEFAULTS.keySet();
  }

  /** {@code idleTimeoutMs} → {@code PRESENCE_IDLE_TIMEOUT_MS}. */
  static String envName(String key) {
    return "PRESENCE_" + key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
  }

  /** {@code idleTimeoutMs} → {@code presence.idleTimeoutMs}. */
  static String sysName(String key) {
    return "presence." + key;
  }
}
