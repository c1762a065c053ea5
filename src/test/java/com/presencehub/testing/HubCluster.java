package com.presencehub.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A cluster of hub processes on 127.0.0.1 with a cluster name of its own (so concurrent or
 * leftover clusters never mix), TCP-IP join on every member's port, and short timings: idle 1.5 s,
 * grace 1 s, failure detection 3 s, merge checks every 2 s, digests every 250 ms.
 */
public final class HubCluster implements AutoCloseable {

  private final String clusterName = "presence-test-" + UUID.randomUUID().toString().substring(0, 8);
  private final List<HubProcess> nodes = new ArrayList<>();
  private final List<Integer> hzPorts = new ArrayList<>();
  private final Map<String, Object> overrides;
  private final String testName;

  public HubCluster(String testName, int size, Map<String, Object> overrides) {
    this.testName = testName;
    this.overrides = overrides;
    for (int i = 0; i < size; i++) {
      hzPorts.add(TestNode.freePort());
    }
  }

  public static Map<String, Object> defaults() {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("httpHost", "127.0.0.1");
    c.put("jwtSecret", TestTokens.SECRET);
    c.put("idleTimeoutMs", 1500);
    c.put("offlineGraceMs", 1000);
    c.put("authTimeoutMs", 2000);
    c.put("sweepIntervalMs", 50);
    c.put("shards", 2);
    c.put("devTokens", true);
    c.put("clusterHost", "127.0.0.1");
    // The shipped value: shorter ones make a loaded 2-core machine suspect live members.
    c.put("clusterFailureTimeoutMs", 3000);
    c.put("clusterMergeIntervalMs", 2000);
    c.put("clusterDigestIntervalMs", 250);
    c.put("clusterSyncTimeoutMs", 3000);
    return c;
  }

  private String members() {
    List<String> m = new ArrayList<>();
    for (int p : hzPorts) {
      m.add("127.0.0.1:" + p);
    }
    return String.join(",", m);
  }

  /** Node {@code i}'s process (not started). Restarting a node reuses its name and ports. */
  public HubProcess node(int i) {
    while (nodes.size() <= i) {
      int n = nodes.size();
      Map<String, Object> c = defaults();
      c.putAll(overrides);
      c.put("clusterName", clusterName);
      c.put("nodeId", "n" + n);
      c.put("httpPort", TestNode.freePort());
      c.put("clusterPort", hzPorts.get(n));
      c.put("clusterMembers", members());
      Path log = Path.of(System.getProperty("buildDir", "target"), "cluster-logs", testName + "-n" + n + ".log");
      nodes.add(new HubProcess("n" + n, c, log));
    }
    return nodes.get(i);
  }

  /**
   * Starts every node, one after the other, each ready before the next. Not all at once: members
   * that start in the same instant may each find nobody listening yet and form clusters of their
   * own, which only the split-brain merge joins later (as in production; see the README).
   */
  public HubCluster startAll() {
    try {
      for (int i = 0; i < hzPorts.size(); i++) {
        node(i).start().awaitReady(Duration.ofSeconds(60));
      }
    } catch (RuntimeException | Error e) {
      // The caller never gets the cluster to close: its started processes would outlive the test.
      close();
      throw e;
    }
    return this;
  }

  /** A fresh process in place of node {@code i} (same name and ports, new boot epoch). */
  public HubProcess restart(int i) {
    HubProcess old = node(i);
    HubProcess fresh = new HubProcess(old.name(), old.config(), old.log());
    nodes.set(i, fresh);
    return fresh.start();
  }

  public String clusterName() {
    return clusterName;
  }

  /** The Hazelcast members to join (every node's port). */
  public List<String> memberList() {
    List<String> m = new ArrayList<>();
    for (int p : hzPorts) {
      m.add("127.0.0.1:" + p);
    }
    return m;
  }

  public int size() {
    return hzPorts.size();
  }

  @Override
  public void close() {
    for (HubProcess p : nodes) {
      p.destroy();
    }
  }
}
