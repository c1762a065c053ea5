package com.presencehub.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ports for servers a test binds later (a node's HTTP and Hazelcast ports, a receiver's), taken
 * <em>below</em> the kernel's ephemeral range ({@code /proc/sys/net/ipv4/ip_local_port_range},
 * 32768-60999 by default).
 *
 * <p>Why not {@code new ServerSocket(0)}: such a port comes from the ephemeral range, and between
 * the moment it is chosen and the moment a node binds it (seconds, for a cluster's last member)
 * any outgoing connection may be given it as its local port: a Hazelcast member dialling a peer
 * that is not up yet, a test's HTTP client. The node then fails with "Address already in use".
 * CI saw that once (ChangeStreamFaultsTest at 86a853a: "node n2 exited with 1").
 *
 * <p>Ports are handed out in turn from a random start (two builds on one machine rarely meet)
 * and only if nothing is bound to them now; none is handed out twice by one JVM, so a port a
 * stopped node leaves in TIME_WAIT is not reused either.
 */
public final class TestPorts {

  private static final int LOW = 10_000;
  private static final int HIGH = ephemeralLow();
  private static final AtomicInteger NEXT = new AtomicInteger(ThreadLocalRandom.current().nextInt(HIGH - LOW));

  private TestPorts() {
  }

  /**
   * A port in [10000, start of the ephemeral range) that nothing is bound to now.
   *
   * @throws IllegalStateException if every port of that range is taken
   */
  public static int next() {
    for (int tries = 0; tries < HIGH - LOW; tries++) {
      int port = LOW + Math.floorMod(NEXT.getAndIncrement(), HIGH - LOW);
      if (bindable(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no free port in [" + LOW + ", " + HIGH + ")");
  }

  private static boolean bindable(int port) {
    // No SO_REUSEADDR: a port with a connection still in TIME_WAIT counts as taken.
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The first ephemeral port; 32768 where the kernel does not say. Needs 1,000 ports above 10000.
   * Read by lines: {@code Files.readString} of this procfs file returned only its first byte here.
   */
  private static int ephemeralLow() {
    int low = 32_768;
    try {
      low = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      // Not Linux, or not readable: the default range.
    }
    if (low < LOW + 1_000) {
      throw new IllegalStateException("ip_local_port_range starts at " + low + ": tests need ports " + LOW
          + "-" + (LOW + 1_000) + " outside it");
    }
    return low;
  }
}
