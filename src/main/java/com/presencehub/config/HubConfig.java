package com.presencehub.config;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The node's configuration, built once and immutable. Each key can come from {@code
 * conf/config.json} ({@code idleTimeoutMs}), the environment ({@code PRESENCE_IDLE_TIMEOUT_MS})
 * or a system property ({@code -Dpresence.idleTimeoutMs}), later ones winning. Every value is
 * validated when the record is built ({@link LayeredReader} for each key against {@link
 * ConfigDefaults}, {@link ConfigRules} across keys); an error names the key and its source.
 *
 * <p>Each concern takes its own slice ({@link #timingOptions()}, {@link #jwtOptions()}, {@link
 * #httpApiOptions()}, …), built by the composition root ({@code node/}): no session, shard or
 * verticle receives the whole record.
 *
 * <p>With neither {@code jwtSecret} nor {@code jwtPublicKey} anywhere, {@link #devMode()} is true
 * (PROTOCOL.md §7): a random HS256 secret made here, {@code httpHost} 127.0.0.1 unless a loopback
 * address is given (any other stops start-up), {@code devTokens} on unless turned off. An HS256
 * secret under {@value #MIN_HS256_SECRET_BYTES} bytes stops start-up (RFC 7518 §3.2).
 */
public record HubConfig(
    String httpHost,
    int httpPort,
    long idleTimeoutMs,
    long offlineGraceMs,
    long authTimeoutMs,
    String jwtSecret,
    String jwtPublicKey,
    String jwtIssuer,
    String jwtAudience,
    boolean cluster,
    String clusterName,
    String clusterHost,
    int clusterPort,
    List<String> clusterMembers,
    String nodeId,
    int clusterBusPort,
    long clusterFailureTimeoutMs,
    long clusterMergeIntervalMs,
    int clusterPartitions,
    long clusterDigestIntervalMs,
    long clusterSyncTimeoutMs,
    int maxFrameBytes,
    int rateLimitPerSecond,
    int rateLimitBurst,
    int rateLimitCloseAfter,
    int maxUsersPerSubscribe,
    int writeQueueMaxChars,
    long sweepIntervalMs,
    int shards,
    int gatewayInstances,
    long heartbeatIntervalMs,
    long sockjsSessionTimeoutMs,
    boolean devTokens,
    long livenessTimeoutMs,
    long offlineRetentionMs,
    int maxWatchedUsers,
    int maxSessionsPerUser,
    List<String> allowedOrigins,
    String clusterJoin,
    String clusterKubernetesServiceName,
    String clusterKubernetesNamespace,
    String clusterKubernetesServiceDns,
    long httpHeaderTimeoutMs,
    long httpIdleTimeoutMs,
    int maxPendingConnectionsPerAddress,
    // HTTP API, change stream and webhooks (PROTOCOL.md §8, docs/http-api.md)
    int httpApiRateLimitPerSecond,
    int httpApiRateLimitBurst,
    int changeStreamBuffer,
    long changeStreamHeartbeatMs,
    List<WebhookEndpoint> webhooks,
    String webhookTenant,
    String webhookUrl,
    String webhookSecret,
    int webhookBatchMax,
    int webhookQueueMax,
    long webhookTimeoutMs,
    long webhookRetryMinMs,
    long webhookRetryMaxMs,
    String logFormat,
    // Cells (docs/cells.md): the tenants this cluster serves; empty = all.
    List<String> tenants,
    boolean devMode) {

  /** {@code logFormat} values: one text line per event, or one JSON object per line. */
  public static final List<String> LOG_FORMATS = List.of("text", "json");

  /** {@code clusterJoin} values: {@code auto} is TCP-IP when {@code clusterMembers} is set, multicast otherwise. */
  public static final List<String> CLUSTER_JOINS = List.of("auto", "tcp", "multicast", "kubernetes");

  /** Shortest HS256 secret accepted: the hash size, RFC 7518 §3.2. */
  public static final int MIN_HS256_SECRET_BYTES = 32;

  /** Every key, in the order of the README's table. */
  public static Set<String> keys() {
    return ConfigDefaults.keys();
  }

  /** {@code idleTimeoutMs} → {@code PRESENCE_IDLE_TIMEOUT_MS}. */
  public static String envName(String key) {
    return ConfigDefaults.envName(key);
  }

  /** {@code idleTimeoutMs} → {@code presence.idleTimeoutMs}. */
  public static String sysName(String key) {
    return ConfigDefaults.sysName(key);
  }

  /** From plain JSON with the canonical keys (tests, embedding). */
  public static HubConfig fromJson(JsonObject json) {
    return fromLayers(json, Map.of(), Map.of());
  }

  /**
   * Merges the three layers and validates. Unknown keys in the file are an error (a typo must not
   * silently fall back to a default); environment and properties are only read for known keys.
   */
  public static HubConfig fromLayers(JsonObject file, Map<String, String> env, Map<String, String> sys) {
    for (String k : file.fieldNames()) {
      if (!keys().contains(k)) {
        throw new ConfigException("unknown configuration key '" + k + "' in the config file (known: " + keys() + ")");
      }
    }
    LayeredReader r = new LayeredReader(file, env, sys);
    String secret = r.string("jwtSecret", true);
    String publicKey = r.string("jwtPublicKey", true);
    // §7: with no key anywhere the node runs in local development mode, on a secret of its own.
    boolean devMode = secret == null && publicKey == null;
    if (devMode) {
      secret = randomSecret();
    } else if (secret != null && secret.getBytes(StandardCharsets.UTF_8).length < MIN_HS256_SECRET_BYTES) {
      // Never echo the secret itself.
      throw new ConfigException("jwtSecret: an HS256 secret must be at least " + MIN_HS256_SECRET_BYTES
          + " bytes (RFC 7518 §3.2), got " + secret.getBytes(StandardCharsets.UTF_8).length + " bytes"
          + r.from("jwtSecret") + "; generate one with: openssl rand -hex 32");
    }
    String host = r.string("httpHost", true);
    if (host == null) {
      host = devMode ? "127.0.0.1" : "0.0.0.0";
    } else if (devMode && !isLoopback(host)) {
      throw new ConfigException("httpHost: '" + host + "' is not a loopback address, but no JWT key is configured"
          + r.from("httpHost") + ". Development mode serves tokens for any user to anyone who can connect, so it only"
          + " binds to 127.0.0.1 (or ::1, localhost): set " + envName("jwtSecret") + " (at least "
          + MIN_HS256_SECRET_BYTES + " bytes) or " + envName("jwtPublicKey") + " to serve other hosts");
    }
    Boolean devTokens = r.optionalBool("devTokens");
    HubConfig c = new HubConfig(
        host,
        r.integer("httpPort", 0, 65_535),
        r.longValue("idleTimeoutMs", 100, 86_400_000L),
        r.longValue("offlineGraceMs", 0, 3_600_000L),
        r.longValue("authTimeoutMs", 100, 600_000L),
        secret,
        publicKey,
        r.string("jwtIssuer", true),
        r.string("jwtAudience", true),
        r.bool("cluster"),
        r.string("clusterName", false),
        r.string("clusterHost", false),
        r.integer("clusterPort", 0, 65_535),
        r.listNonEmptyIfSet("clusterMembers"),
        r.nodeId(),
        r.integer("clusterBusPort", 0, 65_535),
        r.longValue("clusterFailureTimeoutMs", 1_000, 600_000),
        r.longValue("clusterMergeIntervalMs", 1_000, 600_000),
        r.integer("clusterPartitions", 1, 10_007),
        r.longValue("clusterDigestIntervalMs", 50, 60_000),
        r.longValue("clusterSyncTimeoutMs", 100, 600_000),
        r.integer("maxFrameBytes", 256, 16 * 1024 * 1024),
        r.integer("rateLimitPerSecond", 1, 1_000_000),
        r.integer("rateLimitBurst", 1, 10_000_000),
        r.integer("rateLimitCloseAfter", 1, 10_000_000),
        r.integer("maxUsersPerSubscribe", 1, 1_000_000),
        r.integer("writeQueueMaxChars", 1_024, 64 * 1024 * 1024),
        r.longValue("sweepIntervalMs", 10, 1_000),
        r.integer("shards", 1, 1_024),
        r.integer("gatewayInstances", 1, 1_024),
        r.longValue("heartbeatIntervalMs", 100, 600_000),
        r.longValue("sockjsSessionTimeoutMs", 100, 600_000),
        devTokens == null ? devMode : devTokens,
        r.longValue("livenessTimeoutMs", 200, 3_600_000L),
        r.longValue("offlineRetentionMs", 100, 366L * 86_400_000L),
        r.integer("maxWatchedUsers", 1, 10_000_000),
        r.integer("maxSessionsPerUser", 1, 100_000),
        r.list("allowedOrigins"),
        r.string("clusterJoin", false),
        r.string("clusterKubernetesServiceName", true),
        r.string("clusterKubernetesNamespace", true),
        r.string("clusterKubernetesServiceDns", true),
        r.longValue("httpHeaderTimeoutMs", 100, 600_000),
        r.longValue("httpIdleTimeoutMs", 100, 3_600_000L),
        r.integer("maxPendingConnectionsPerAddress", 1, 1_000_000),
        r.integer("httpApiRateLimitPerSecond", 1, 1_000_000),
        r.integer("httpApiRateLimitBurst", 1, 10_000_000),
        r.integer("changeStreamBuffer", 0, 10_000_000),
        r.longValue("changeStreamHeartbeatMs", 100, 600_000),
        WebhookEndpoint.fromConfig(r.raw("webhooks"), r.from("webhooks"), r.string("webhookTenant", true),
            r.string("webhookUrl", true), r.string("webhookSecret", true)),
        r.string("webhookTenant", true),
        r.string("webhookUrl", true),
        r.string("webhookSecret", true),
        r.integer("webhookBatchMax", 1, 10_000),
        r.integer("webhookQueueMax", 1, 10_000_000),
        r.longValue("webhookTimeoutMs", 100, 600_000),
        r.longValue("webhookRetryMinMs", 10, 3_600_000),
        r.longValue("webhookRetryMaxMs", 10, 86_400_000L),
        r.string("logFormat", false),
        r.strictList("tenants"),
        devMode);
    ConfigRules.check(c, r);
    return c;
  }

  /** 256 random bits, base64url: the development mode's secret, new at every boot. */
  private static String randomSecret() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** 127.0.0.0/8, ::1 and localhost: names the OS resolves to them are not taken on trust. */
  static boolean isLoopback(String host) {
    String h = host.trim().toLowerCase(Locale.ROOT);
    if (h.equals("localhost") || h.equals("::1") || h.equals("[::1]") || h.equals("0:0:0:0:0:0:0:1")) {
      return true;
    }
    return h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }

  /** The clocks: idle, grace, retention, sweep, auth, liveness (and sessions per user, the shard's bound). */
  public TimingOptions timingOptions() {
    return new TimingOptions(idleTimeoutMs, offlineGraceMs, offlineRetentionMs, sweepIntervalMs, authTimeoutMs,
        livenessTimeoutMs, maxSessionsPerUser);
  }

  /** The token keys and claims every verifier and the dev-token minter use. */
  public JwtOptions jwtOptions() {
    return new JwtOptions(jwtSecret, jwtPublicKey, jwtIssuer, jwtAudience);
  }

  /** The HTTP API, change stream and webhooks (§8). */
  public HttpApiOptions httpApiOptions() {
    return new HttpApiOptions(maxUsersPerSubscribe, maxFrameBytes, httpApiRateLimitPerSecond, httpApiRateLimitBurst,
        changeStreamBuffer, changeStreamHeartbeatMs, new WebhookOptions(webhooks, webhookBatchMax, webhookQueueMax,
            webhookTimeoutMs, webhookRetryMinMs, webhookRetryMaxMs));
  }

  /** The keys of the SockJS gateway and its sessions (PROTOCOL.md §4). */
  public GatewayOptions gatewayOptions() {
    return new GatewayOptions(httpHost, httpPort, authTimeoutMs, idleTimeoutMs, livenessTimeoutMs, heartbeatIntervalMs,
        sockjsSessionTimeoutMs, maxFrameBytes, rateLimitPerSecond, rateLimitBurst, rateLimitCloseAfter,
        maxUsersPerSubscribe, maxWatchedUsers, writeQueueMaxChars, allowedOrigins, httpHeaderTimeoutMs,
        httpIdleTimeoutMs, maxPendingConnectionsPerAddress);
  }

  /** The replicated view's options (cluster/ReplicationVerticle). */
  public ReplicationOptions replicationOptions() {
    return new ReplicationOptions(clusterDigestIntervalMs, clusterSyncTimeoutMs, clusterFailureTimeoutMs, offlineGraceMs,
        offlineRetentionMs);
  }

  /** The Hazelcast and event-bus options of a clustered node (cluster/ClusterSetup). */
  public ClusterOptions clusterOptions() {
    return new ClusterOptions(clusterName, clusterHost, clusterPort, clusterMembers, nodeId, clusterBusPort,
        clusterFailureTimeoutMs, clusterMergeIntervalMs, clusterPartitions, clusterJoin, clusterKubernetesServiceName,
        clusterKubernetesNamespace, clusterKubernetesServiceDns);
  }

  /** The tenants this cluster serves ({@code tenants}, named after {@code clusterName}): docs/cells.md. */
  public TenantScope tenantScope() {
    return TenantScope.of(this);
  }
}
