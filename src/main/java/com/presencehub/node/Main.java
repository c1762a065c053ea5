package com.presencehub.node;

import com.presencehub.config.HubConfig;
import com.presencehub.config.ConfigLoader;
import com.presencehub.config.ConfigException;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code java -jar target/presence-hub.jar [--cluster] [--config conf/config.json]}. */
@Command(name = "presence-hub", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class,
    description = "Realtime presence hub for help-desk portals.")
public final class Main implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  @Option(names = "--cluster", description = "Join a Hazelcast cluster (same as PRESENCE_CLUSTER=true).")
  boolean cluster;

  static final Path DEFAULT_CONFIG = Path.of("conf", "config.json");

  @Option(names = "--config", description = "Configuration file (default: conf/config.json if it exists, else the"
      + " built-in defaults; a named file must exist).")
  Path config;

  public static void main(String[] args) {
    int code = new CommandLine(new Main()).execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  @Override
  public Integer call() {
    PrometheusMeterRegistry registry = HubNode.newRegistry();
    Map<String, String> overrides = new HashMap<>();
    if (cluster) {
      overrides.put(HubConfig.sysName("cluster"), "true");
    }
    HubConfig cfg;
    // The configuration is read with a plain Vert.x: whether to build a clustered one depends on it.
    Vertx boot = Vertx.vertx();
    try {
      cfg = (config != null ? ConfigLoader.load(boot, config, overrides)
          : ConfigLoader.loadDefault(boot, DEFAULT_CONFIG, overrides)).await();
    } catch (ConfigException e) {
      System.err.println("presence-hub: configuration error: " + e.getMessage());
      return 2;
    } catch (Exception e) {
      System.err.println("presence-hub: could not read the configuration: " + e);
      return 1;
    } finally {
      boot.close();
    }
    LogFormat.apply(cfg.logFormat());
    Vertx vertx = null;
    HubNode node;
    try {
      vertx = cfg.cluster() ? HubNode.createClusteredVertx(cfg, registry).await() : HubNode.createVertx(registry);
      node = HubNode.start(vertx, cfg, registry).await();
    } catch (ConfigException e) {
      System.err.println("presence-hub: configuration error: " + e.getMessage());
      if (vertx != null) {
        vertx.close();
      }
      return 2;
    } catch (Exception e) {
      // Netty's bind failure names neither the key nor the port: say which ones this node binds.
      String hint = String.valueOf(e.getMessage()).contains("Address already in use") ? " (httpPort " + cfg.httpHost() + ":"
          + cfg.httpPort() + (cfg.cluster() ? ", or clusterBusPort " + cfg.clusterBusPort() : "") + ": is another process on it?)" : "";
      System.err.println("presence-hub: could not start: " + e + hint);
      if (vertx != null) {
        vertx.close();
      }
      return 1;
    }
    LOG.info("presence-hub listening on " + node.config().httpHost() + ":" + node.config().httpPort()
        + " (SockJS at /presence, idleTimeoutMs=" + node.config().idleTimeoutMs() + ")"
        + (cfg.cluster() ? ", clustered as " + cfg.nodeId() + " (" + node.nodeId() + "), cluster members: "
            + node.clusterMembers() : ""));
    Vertx running = vertx;
    // SIGTERM (docker stop, rolling restarts) reaches a JVM only through a shutdown hook, which is
    // a thread of its own: it closes every session with 4503, then Vert.x.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      long started = System.nanoTime();
      LOG.info("stopping: draining " + node.openSessions() + " sessions (close 4503, PROTOCOL.md §6)");
      try {
        node.stop().await();
      } catch (Exception e) {
        LOG.warn("stop: " + e);
      }
      running.close().await();
      LOG.info("stopped in " + (System.nanoTime() - started) / 1_000_000 + " ms");
    }, "presence-hub-shutdown"));
    return 0;
  }
}
