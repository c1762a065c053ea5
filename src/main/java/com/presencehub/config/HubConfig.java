package com.presencehub.config;

import com.presencehub.config.WebhookEndpoint;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import com.presencehub.config.OriginPolicy;

/**
 * The node's configuration, built once and immutable. Each key can come from {@code
 * conf/config.json} ({@code idleTimeoutMs}), the environment ({@code PRESENCE_IDLE_TIMEOUT_MS})
 * or a system property ({@code -Dpresence.idleTimeoutMs}), later ones winning. Every value is
 * validated here; an error names the key and its source.
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
    boolean devMode) {

  /** {@code clusterJoin} values: {@code auto} is TCP-IP when {@code clusterMembers} is set, multicast otherwise. */
  public static final List<String> CLUSTER_JOINS = List.of("auto", "tcp", "multicast", "kubernetes");

  /** Shortest HS256 secret accepted: the hash size, RFC 7518 §3.2. */
  public static final int MIN_HS256_SECRET_BYTES = 32;

  /** Every key, with its default; the order is the order of the README's table. */
  static final Map<String, Object> DEFAULTS = defaults();

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
    // One gateway loop by default: vertx-web 5.0's SockJS session is not safe when consecutive
    // xhr-polling requests land on different event loops (each poll arrives on a new connection),
    // which loses sessions now and then with several gateway instances. Shards keep their loops.
    d.put("gatewayInstances", 1);
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
    return d;
  }

  public static Set<String> keys() {
    return DEFAULTS.keySet();
  }

  /** {@code idleTimeoutMs} → {@code PRESENCE_IDLE_TIMEOUT_MS}. */
  public static String envName(String key) {
    return "PRESENCE_" + key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
  }

  public static String sysName(String key) {
    return "presence." + key;
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
      if (!DEFAULTS.containsKey(k)) {
        throw new ConfigException("unknown configuration key '" + k + "' in the config file (known: " + DEFAULTS.keySet() + ")");
      }
    }
    Reader r = new Reader(file, env, sys);
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
        r.list("clusterMembers"),
        r.nodeId(),
        r.integer("clusterBusPort", 0, 65_535),
        r.longValue("clusterFailureTimeoutMs", 1_000, 600_000),
        r.longValue("clusterMergeIntervalMs", 1_000, 600_000),
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
        devMode);
    validateJoin(c, r);
    String originProblem = OriginPolicy.problem(c.allowedOrigins);
    if (originProblem != null) {
      throw new ConfigException("allowedOrigins: " + originProblem + r.from("allowedOrigins"));
    }
    if (c.jwtPublicKey != null && !c.jwtPublicKey.contains("-----BEGIN PUBLIC KEY-----")) {
      throw new ConfigException("jwtPublicKey: must be a PEM public key (-----BEGIN PUBLIC KEY-----)" + r.from("jwtPublicKey"));
    }
    if (c.devTokens && c.jwtSecret == null) {
      throw new ConfigException("devTokens: needs jwtSecret (dev tokens are signed with HS256)");
    }
    for (String m : c.clusterMembers) {
      if (!m.matches("[^:\\s]+:\\d{1,5}") || !validPort(m.substring(m.lastIndexOf(':') + 1))) {
        throw new ConfigException("clusterMembers: '" + m + "' is not host:port" + r.from("clusterMembers"));
      }
    }
    if (!c.nodeId.matches("[A-Za-z0-9._:-]{1,100}")) {
      throw new ConfigException("nodeId: letters, digits and . _ : - only, at most 100, got '" + c.nodeId + "'" + r.from("nodeId"));
    }
    if (c.sweepIntervalMs > 500) {
      throw new ConfigException("sweepIntervalMs: at most 500, so that idle transitions land within 1 s of their deadline" + r.from("sweepIntervalMs"));
    }
    if (c.webhookRetryMaxMs < c.webhookRetryMinMs) {
      throw new ConfigException("webhookRetryMaxMs: must be at least webhookRetryMinMs (" + c.webhookRetryMinMs + ")" + r.from("webhookRetryMaxMs"));
    }
    return c;
  }

  private static void validateJoin(HubConfig c, Reader r) {
    if (!CLUSTER_JOINS.contains(c.clusterJoin)) {
      throw new ConfigException("clusterJoin: one of " + CLUSTER_JOINS + ", got '" + c.clusterJoin + "'" + r.from("clusterJoin"));
    }
    if (c.clusterJoin.equals("tcp") && c.clusterMembers.isEmpty()) {
      throw new ConfigException("clusterMembers: required with clusterJoin=tcp" + r.from("clusterMembers"));
    }
    if (c.clusterJoin.equals("kubernetes")) {
      if ((c.clusterKubernetesServiceName == null) == (c.clusterKubernetesServiceDns == null)) {
        throw new ConfigException("clusterKubernetesServiceName: with clusterJoin=kubernetes set exactly one of "
            + "clusterKubernetesServiceName (" + envName("clusterKubernetesServiceName") + ", Kubernetes API) and "
            + "clusterKubernetesServiceDns (" + envName("clusterKubernetesServiceDns") + ", DNS lookup)");
      }
      if (c.clusterKubernetesServiceDns != null && c.clusterKubernetesNamespace != null) {
        throw new ConfigException("clusterKubernetesNamespace: only with clusterKubernetesServiceName (the DNS name "
            + "already names the namespace)" + r.from("clusterKubernetesNamespace"));
      }
    }
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

  private static String defaultNodeId() {
    String host = System.getenv("HOSTNAME");
    if (host == null || host.isBlank()) {
      try {
        host = java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.io.IOException e) {
        host = "node";
      }
    }
    return host;
  }

  private static boolean validPort(String digits) {
    int port = Integer.parseInt(digits);
    return port >= 1 && port <= 65_535;
  }

  /** Reads one key from the highest layer that has it. */
  private static final class Reader {
    private final JsonObject file;
    private final Map<String, String> env;
    private final Map<String, String> sys;

    Reader(JsonObject file, Map<String, String> env, Map<String, String> sys) {
      this.file = file;
      this.env = env;
      this.sys = sys;
    }

    String from(String key) {
      if (sys.containsKey(sysName(key))) {
        return " (from system property " + sysName(key) + ")";
      }
      if (env.containsKey(envName(key))) {
        return " (from environment " + envName(key) + ")";
      }
      if (file.containsKey(key)) {
        return " (from config file)";
      }
      return " (default)";
    }

    Object raw(String key) {
      if (sys.containsKey(sysName(key))) {
        return sys.get(sysName(key));
      }
      if (env.containsKey(envName(key))) {
        return env.get(envName(key));
      }
      if (file.containsKey(key)) {
        return file.getValue(key);
      }
      return DEFAULTS.get(key);
    }

    private ConfigException bad(String key, String what, Object value) {
      return new ConfigException(key + ": " + what + ", got '" + value + "'" + from(key));
    }

    String string(String key, boolean optional) {
      Object v = raw(key);
      if (v == null) {
        if (optional) {
          return null;
        }
        throw bad(key, "is required", null);
      }
      if (!(v instanceof String s)) {
        throw bad(key, "must be a string", v);
      }
      if (s.isBlank()) {
        if (optional) {
          return null;
        }
        throw bad(key, "must not be empty", v);
      }
      return s;
    }

    long longValue(String key, long min, long max) {
      Object v = raw(key);
      long n;
      if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
        n = ((Number) v).longValue();
      } else if (v instanceof BigInteger big) {
        // JSON numbers beyond a long arrive as BigInteger; longValue() would silently wrap them.
        if (big.bitLength() > 63) {
          throw bad(key, "must be between " + min + " and " + max, v);
        }
        n = big.longValue();
      } else if (v instanceof String s) {
        try {
          n = Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
          throw bad(key, "must be an integer", v);
        }
      } else {
        throw bad(key, "must be an integer", v);
      }
      if (n < min || n > max) {
        throw bad(key, "must be between " + min + " and " + max, v);
      }
      return n;
    }

    /** {@code nodeId}, or the host name and the HTTP port when unset. */
    String nodeId() {
      String id = string("nodeId", true);
      return id != null ? id : defaultNodeId() + "-" + integer("httpPort", 0, 65_535);
    }

    int integer(String key, int min, int max) {
      return (int) longValue(key, min, max);
    }

    /** Null when unset (the default depends on another key). */
    Boolean optionalBool(String key) {
      return raw(key) == null ? null : bool(key);
    }

    boolean bool(String key) {
      Object v = raw(key);
      if (v instanceof Boolean b) {
        return b;
      }
      if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
        return Boolean.parseBoolean(s);
      }
      throw bad(key, "must be true or false", v);
    }

    List<String> list(String key) {
      Object v = raw(key);
      List<String> out = new ArrayList<>();
      if (v instanceof JsonArray a) {
        for (Object o : a) {
          if (!(o instanceof String s)) {
            throw bad(key, "must be a list of strings", v);
          }
          out.add(s.trim());
        }
      } else if (v instanceof List<?> l) {
        for (Object o : l) {
          out.add(String.valueOf(o).trim());
        }
      } else if (v instanceof String s) {
        for (String part : s.split(",")) {
          if (!part.isBlank()) {
            out.add(part.trim());
          }
        }
      } else {
        throw bad(key, "must be a list or a comma-separated string", v);
      }
      return List.copyOf(out);
    }
  }

  /** The keys of the SockJS gateway and its sessions (PROTOCOL.md §4). */
  public GatewayOptions gatewayOptions() {
    return new GatewayOptions(httpHost, httpPort, authTimeoutMs, idleTimeoutMs, livenessTimeoutMs, heartbeatIntervalMs,
        sockjsSessionTimeoutMs, maxFrameBytes, rateLimitPerSecond, rateLimitBurst, rateLimitCloseAfter,
        maxUsersPerSubscribe, maxWatchedUsers, writeQueueMaxChars, allowedOrigins, httpHeaderTimeoutMs,
        httpIdleTimeoutMs, maxPendingConnectionsPerAddress);
  }
}
