package com.presencehub.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace joined to this one by a veth pair, created by a test for itself (needs root
 * and iproute2): the hub listens on the host end, a client runs inside the namespace, and {@link
 * #cutLink} takes the namespace's end down, so that every packet between them is dropped silently
 * (no FIN, no RST, no ICMP): a pulled cable or a sleeping laptop. {@link #close} removes it all.
 */
final class VethNamespace implements AutoCloseable {

  private final String name;
  private final String hostDev;
  private final String nsDev;
  private final String hostAddress;
  private final String nsAddress;

  private VethNamespace(String name, String hostDev, String nsDev, String hostAddress, String nsAddress) {
    this.name = name;
    this.hostDev = hostDev;
    this.nsDev = nsDev;
    this.hostAddress = hostAddress;
    this.nsAddress = nsAddress;
  }

  /** Why this machine cannot run the namespace tests, or null when it can. */
  static String unavailable() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return "network namespaces need root (.ci/run runs as root)";
    }
    if (IP == null) {
      return "iproute2 (ip) is not installed";
    }
    return null;
  }

  /** iproute2's ip, found where distributions put it (/usr/sbin is not on every PATH). */
  private static final String IP = List.of("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip").stream()
      .filter(p -> Files.isExecutable(Path.of(p))).findFirst().orElse(null);

  static VethNamespace create() {
    int tag = ThreadLocalRandom.current().nextInt(10_000);
    // A /30 in 10.254.0.0/16 that this host does not use yet.
    String used = run(List.of("ip", "-4", "-o", "addr", "show"), true);
    int net = -1;
    for (int attempt = 0; attempt < 50 && net < 0; attempt++) {
      int candidate = ThreadLocalRandom.current().nextInt(64) * 4;
      int third = ThreadLocalRandom.current().nextInt(256);
      if (!used.contains("10.254." + third + "." + (candidate + 1) + "/")) {
        net = third * 256 + candidate;
      }
    }
    String prefix = "10.254." + (net / 256) + ".";
    VethNamespace ns = new VethNamespace("phl" + tag, "phlh" + tag, "phln" + tag, prefix + (net % 256 + 1),
        prefix + (net % 256 + 2));
    try {
      run(List.of("ip", "netns", "add", ns.name), false);
      run(List.of("ip", "link", "add", ns.hostDev, "type", "veth", "peer", "name", ns.nsDev), false);
      run(List.of("ip", "link", "set", ns.nsDev, "netns", ns.name), false);
      run(List.of("ip", "addr", "add", ns.hostAddress + "/30", "dev", ns.hostDev), false);
      run(List.of("ip", "link", "set", ns.hostDev, "up"), false);
      ns.inside("ip", "addr", "add", ns.nsAddress + "/30", "dev", ns.nsDev);
      ns.inside("ip", "link", "set", ns.nsDev, "up");
      ns.inside("ip", "link", "set", "lo", "up");
    } catch (RuntimeException e) {
      ns.close();
      throw e;
    }
    return ns;
  }

  String name() {
    return name;
  }

  /** Where the hub listens: the host end of the pair. */
  String hostAddress() {
    return hostAddress;
  }

  /** The prefix that runs a command inside the namespace. */
  List<String> exec() {
    return List.of(IP, "netns", "exec", name);
  }

  /** Takes the namespace's end of the pair down: packets both ways are dropped, nobody is told. */
  void cutLink() {
    inside("ip", "link", "set", nsDev, "down");
  }

  private void inside(String... cmd) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
    for (String c : cmd) {
      full.add(c.equals("ip") ? IP : c);
    }
    run(full, false);
  }

  @Override
  public void close() {
    run(List.of("ip", "netns", "del", name), true);
    // The namespace goes lazily with its last process; the pair goes with it, or now.
    run(List.of("ip", "link", "del", hostDev), true);
  }

  private static String run(List<String> command, boolean mayFail) {
    List<String> cmd = new ArrayList<>(command);
    if (cmd.get(0).equals("ip")) {
      cmd.set(0, IP);
    }
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(cmd + " did not finish");
      }
      if (p.exitValue() != 0 && !mayFail) {
        throw new IllegalStateException(cmd + " failed (" + p.exitValue() + "): " + out);
      }
      return out;
    } catch (IOException e) {
      if (mayFail) {
        return "";
      }
      throw new IllegalStateException(cmd + " could not run", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(cmd + " interrupted", e);
    }
  }
}
