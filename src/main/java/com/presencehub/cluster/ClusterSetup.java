package com.presencehub.cluster;

import com.presencehub.config.ConfigException;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;
import com.presencehub.config.ClusterOptions;
import io.vertx.core.Future;
import io.vertx.core.VertxBuilder;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * The Hazelcast and event-bus setup of a clustered node, built in code from {@link ClusterOptions}.
 *
 * <p>Why in code: Hazelcast's XML loader does not apply environment overrides, and operators set
 * everything through {@code PRESENCE_*}. The base is vertx-hazelcast's own default config (see
 * {@link #baseConfig}), so the structures it needs ({@code __vertx.subs}, {@code __vertx.nodeInfo},
 * …) stay as it expects.
 */
public final class ClusterSetup {

  /** Member attribute: the hub's node id ({@code nodeId}); members without it are not hub nodes. */
  public static final String NODE_ATTRIBUTE = "presence.node";
  /** Member attribute: the boot time of that node, which tells a restarted node from its past. */
  public static final String EPOCH_ATTRIBUTE = "presence.epoch";
  /** Hazelcast's own partition count, {@code clusterPartitions}' default. */
  static final int HAZELCAST_PARTITIONS = 271;
  /** Member attribute set by vertx-hazelcast: the Vert.x node id, stable across merges. */
  public static final String VERTX_NODE_ATTRIBUTE = "__vertx.nodeId";

  private ClusterSetup() {
  }

  /** The Hazelcast config of a hub node (with its identity as member attributes). */
  public static Config hubHazelcast(ClusterOptions cfg, long epoch) {
    Config hz = memberHazelcast(cfg.name(), cfg.host(), cfg.port(), cfg.members(), cfg.failureTimeoutMs(),
        cfg.mergeIntervalMs());
    applyJoin(hz.getNetworkConfig().getJoin(), cfg);
    waitBeforeJoin(hz);
    // Every member must have the same count (Hazelcast refuses a joiner that differs). A joiner's
    // writes to the partitioned maps wait for the partitions' migration, and with an ephemeral bus
    // port so do its peers' addresses: 271 took 1.2-1.4 s under load here, 31 0.35 s (issue 17).
    // Hazelcast's default is left unset: its join check compares the property as written, and a
    // member that does not set it (a service, an earlier hub version) shows "null", not 271.
    if (cfg.partitions() != HAZELCAST_PARTITIONS) {
      hz.setProperty("hazelcast.partition.count", Integer.toString(cfg.partitions()));
    }
    // Hazelcast's default of 10 partitions migrating at a time is kept. 14302ef set every partition
    // at once (a joiner's first writes there waited 0.7 s for the migration instead of 1.5 s under
    // load), but then an older node could read no registration of a newcomer's consumers in
    // vertx-hazelcast's __vertx.subs for good ("No handlers for address presence.repl.sync.<id>",
    // and its replication deltas never reached it): CrossNodePresenceTest failed in 6 of 17 runs of
    // a subset with it on 2026-12-01, in 0 of 5 without it.
    hz.getMemberAttributeConfig().setAttribute(NODE_ATTRIBUTE, cfg.nodeId());
    hz.getMemberAttributeConfig().setAttribute(EPOCH_ATTRIBUTE, Long.toString(epoch));
    String bus = HubClusterManager.busAttribute(cfg.host(), cfg.busPort());
    if (bus != null) {
      hz.getMemberAttributeConfig().setAttribute(HubClusterManager.BUS_ATTRIBUTE, bus);
    }
    return hz;
  }

  /**
   * The Hazelcast config of any member of the hub's cluster: hub nodes and services that use the
   * event-bus API alike. TCP-IP join on {@code members} when given, multicast otherwise.
   */
  public static Config memberHazelcast(String clusterName, String host, int port, java.util.List<String> members,
      long failureTimeoutMs, long mergeIntervalMs) {
    Config hz = baseConfig();
    hz.setClusterName(clusterName);
    NetworkConfig net = hz.getNetworkConfig();
    net.setPort(port).setPortAutoIncrement(port == 0);
    // Hazelcast's interface list takes IP patterns only: a host name (a compose service name) is
    // resolved here.
    net.getInterfaces().setEnabled(true).addInterface(ipOf(host));
    net.setPublicAddress(null);
    JoinConfig join = net.getJoin();
    join.getAutoDetectionConfig().setEnabled(false);
    if (members.isEmpty()) {
      join.getTcpIpConfig().setEnabled(false);
      join.getMulticastConfig().setEnabled(true);
    } else {
      join.getMulticastConfig().setEnabled(false);
      join.getTcpIpConfig().setEnabled(true).setMembers(members).setConnectionTimeoutSeconds(2);
    }
    waitBeforeJoin(hz);
    long failureSeconds = Math.max(1, (failureTimeoutMs + 999) / 1000);
    long mergeSeconds = Math.max(1, (mergeIntervalMs + 999) / 1000);
    // Failure detection: a heartbeat every second and a member declared dead after failureSeconds
    // without one (Hazelcast's default is 60 s, far beyond §6's 10 s).
    hz.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    hz.setProperty("hazelcast.max.no.heartbeat.seconds", Long.toString(failureSeconds));
    hz.setProperty("hazelcast.heartbeat.failuredetector.type", "deadline");
    // After a partition, look for the other side soon (default: 300 s, then every 120 s).
    hz.setProperty("hazelcast.merge.first.run.delay.seconds", Long.toString(mergeSeconds));
    hz.setProperty("hazelcast.merge.next.run.delay.seconds", Long.toString(mergeSeconds));
    hz.setProperty("hazelcast.max.wait.seconds.before.join", "5");
    // An operation on a partition that is migrating (every member's, for a second or two after one
    // joins) is retried after this pause (default 500 ms); the event bus looks up a new address's
    // subscribers in __vertx.subs, and a joining node's first full-state requests waited 1-2 s on
    // it (issue 17, bench/join.mjs). The retry count keeps Hazelcast's default window, 125 s.
    hz.setProperty("hazelcast.invocation.retry.pause.millis", "100");
    hz.setProperty("hazelcast.invocation.max.retry.count", "1250");
    hz.setProperty("hazelcast.graceful.shutdown.max.wait", "20");
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.setProperty("hazelcast.socket.bind.any", "false");
    hz.setProperty("hazelcast.logging.type", "slf4j");
    return hz;
  }

  /**
   * {@code hazelcast.wait.seconds.before.join}: how long a master holds a join request to gather
   * more joiners (Hazelcast's default 5 s). With TCP-IP members listed, 0: every node that joins
   * waited that long for nothing (issue 17: join time, bench/join.mjs). Multicast and Kubernetes
   * discovery keep 1 s: their joiners use the same property as the time to look for members
   * (Hazelcast's DiscoveryJoiner), which 0 would cut to a single look.
   */
  static void waitBeforeJoin(Config hz) {
    boolean tcp = hz.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled();
    hz.setProperty("hazelcast.wait.seconds.before.join", tcp ? "0" : "1");
  }

  /**
   * vertx-hazelcast's own {@code default-cluster.xml} ({@code __vertx.subs} a SET multimap,
   * {@code __vertx.haInfo} and {@code __vertx.nodeInfo} maps, one backup each), built in code:
   * parsing that file (Hazelcast validates it against its XSD) cost 0.44 s of CPU at every start,
   * a node's join time (issue 17, bench/RESULTS.md). A file of the operator's is still read as
   * vertx-hazelcast reads it: the {@code vertx.hazelcast.config} system property, or a
   * {@code cluster.xml} on the class path.
   */
  static Config baseConfig() {
    if (System.getProperty("vertx.hazelcast.config") != null
        || ClusterSetup.class.getClassLoader().getResource("cluster.xml") != null) {
      return ConfigUtil.loadConfig();
    }
    Config hz = new Config();
    hz.addMultiMapConfig(new MultiMapConfig("__vertx.subs").setBackupCount(1)
        .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
    hz.addMapConfig(new MapConfig("__vertx.haInfo").setBackupCount(1));
    hz.addMapConfig(new MapConfig("__vertx.nodeInfo").setBackupCount(1));
    return hz;
  }

  /**
   * {@code clusterJoin} of a hub node: {@code auto} keeps {@link #memberHazelcast}'s choice (TCP-IP
   * on {@code clusterMembers}, else multicast); {@code tcp} and {@code multicast} force one;
   * {@code kubernetes} uses Hazelcast's built-in Kubernetes discovery instead: the pods behind
   * {@code clusterKubernetesServiceName} (Kubernetes API; the pod's service account needs get/list
   * on endpoints, pods and services, see deploy/k8s/rbac.yaml) in {@code clusterKubernetesNamespace}
   * (default: the pod's own), or the addresses {@code clusterKubernetesServiceDns} resolves to (a
   * headless service; no API access needed). Members then talk on {@code clusterPort}.
   */
  static void applyJoin(JoinConfig join, ClusterOptions cfg) {
    switch (cfg.join()) {
      case "tcp" -> {
        join.getMulticastConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(cfg.members()).setConnectionTimeoutSeconds(2);
      }
      case "multicast" -> {
        join.getTcpIpConfig().setEnabled(false);
        join.getMulticastConfig().setEnabled(true);
      }
      case "kubernetes" -> {
        join.getTcpIpConfig().setEnabled(false);
        join.getMulticastConfig().setEnabled(false);
        var k8s = join.getKubernetesConfig().setEnabled(true);
        k8s.setProperty("service-port", Integer.toString(cfg.port()));
        if (cfg.kubernetesServiceDns() != null) {
          k8s.setProperty("service-dns", cfg.kubernetesServiceDns());
        } else {
          k8s.setProperty("service-name", cfg.kubernetesServiceName());
          if (cfg.kubernetesNamespace() != null) {
            k8s.setProperty("namespace", cfg.kubernetesNamespace());
          }
        }
      }
      default -> {
        // auto: memberHazelcast decided.
      }
    }
  }

  private static String ipOf(String host) {
    try {
      return java.net.InetAddress.getByName(host).getHostAddress();
    } catch (java.net.UnknownHostException e) {
      throw new com.presencehub.config.ConfigException("clusterHost: cannot resolve '" + host + "'");
    }
  }

  /** A clustered Vert.x whose event bus binds and advertises {@code clusterHost:clusterBusPort}. */
  public static Future<Vertx> clusteredVertx(VertxBuilder builder, VertxOptions options, ClusterOptions cfg, long epoch) {
    options.getEventBusOptions().setHost(cfg.host()).setPort(cfg.busPort());
    HazelcastClusterManager manager = new HubClusterManager(hubHazelcast(cfg, epoch));
    return builder.with(options).withClusterManager(manager).buildClustered();
  }
}
