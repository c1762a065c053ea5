package com.presencehub.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A hub node in a JVM of its own ({@code Main --cluster}), configured through system properties:
 * what the cluster tests kill with -9, freeze with SIGSTOP and stop with SIGTERM. Its output goes
 * to {@code <buildDir>/cluster-logs/}.
 */
public final class HubProcess {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final String name;
  private final Map<String, Object> config;
  private final Path log;
  private Process process;

  HubProcess(String name, Map<String, Object> config, Path log) {
    this.name = name;
    this.config = new LinkedHashMap<>(config);
    this.log = log;
  }

  Map<String, Object> config() {
    return config;
  }

  public String name() {
    return name;
  }

  public int httpPort() {
    return ((Number) config.get("httpPort")).intValue();
  }

  public int clusterPort() {
    return ((Number) config.get("clusterPort")).intValue();
  }

  public long pid() {
    return process.pid();
  }

  public synchronized HubProcess start() {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx384m");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-Djava.net.preferIPv4Stack=true");
    // What the jar's manifest opens for Hazelcast (pom.xml), since this launches from classes.
    for (String open : new String[] {"java.base/java.lang", "java.base/java.nio", "java.base/sun.nio.ch",
        "java.management/sun.management", "jdk.management/com.sun.management.internal"}) {
      cmd.add("--add-opens=" + open + "=ALL-UNNAMED");
    }
    cmd.add("--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED");
    for (Map.Entry<String, Object> e : config.entrySet()) {
      cmd.add("-Dpresence." + e.getKey() + "=" + e.getValue());
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("com.presencehub.node.Main");
    cmd.add("--cluster");
    // Every setting comes from the system properties above; the file layer stays empty.
    Path emptyConfig = log.getParent().resolve("empty-config.json");
    cmd.add("--config");
    cmd.add(emptyConfig.toString());
    try {
      Files.createDirectories(log.getParent());
      Files.writeString(emptyConfig, "{}");
      process = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** Waits until {@code /health/ready} answers 200 (the node holds the whole view). */
  public HubProcess awaitReady(Duration timeout) {
    await("node " + name + " ready (log: " + log + ")").atMost(timeout).pollInterval(Duration.ofMillis(100))
        .until(() -> {
          if (!process.isAlive()) {
            throw new AssertionError("node " + name + " exited with " + process.exitValue() + "; log: " + log
                + ", ending:\n" + logTail(40));
          }
          return ready();
        });
    return this;
  }

  /**
   * The last {@code lines} lines of this node's log: a CI report shows only the test's output, not
   * the log files, and a node that exits while starting says why only there.
   */
  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | RuntimeException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  public boolean ready() {
    return status("/health/ready") == 200;
  }

  public int status(String path) {
    try {
      HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort() + path))
          .timeout(Duration.ofSeconds(2)).build();
      return HTTP.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  public String get(String path) {
    try {
      HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort() + path))
          .timeout(Duration.ofSeconds(5)).build();
      return HTTP.send(req, HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public boolean alive() {
    return process != null && process.isAlive();
  }

  /** {@code kill -9}: no goodbye, no 4503, sockets reset by the OS. */
  public void kill() {
    process.destroyForcibly();
    await().atMost(Duration.ofSeconds(10)).until(() -> !process.isAlive());
  }

  /** SIGTERM: the graceful stop (4503 to every session, then leave the cluster). */
  public void terminate(Duration timeout) {
    process.destroy();
    await("node " + name + " stopped after SIGTERM").atMost(timeout).until(() -> !process.isAlive());
  }

  /** Sends SIGTERM without waiting. */
  public void terminateAsync() {
    process.destroy();
  }

  public void signal(String sig) {
    try {
      Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid())).start();
      if (p.waitFor() != 0) {
        throw new IllegalStateException("kill -" + sig + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops whatever is left, without waiting for manners. */
  public void destroy() {
    if (process != null && process.isAlive()) {
      signal("CONT");
      process.destroyForcibly();
    }
  }

  public Path log() {
    return log;
  }

  @Override
  public String toString() {
    return name + " (http " + httpPort() + ", hz " + clusterPort() + ")";
  }
}
