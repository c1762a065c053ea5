package com.presencehub.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TestPortsTest {

  @Test
  void portsAreDistinctBindableAndBelowTheEphemeralRange() throws Exception {
    int ephemeralLow = Integer.parseInt(
        Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+")[0]);
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      int port = TestPorts.next();
      assertTrue(port >= 10_000 && port < ephemeralLow, port + " outside [10000, " + ephemeralLow + ")");
      assertTrue(seen.add(port), port + " handed out twice");
    }
    // What bind(0) could not promise: an outgoing connection never takes the port meanwhile,
    // because the kernel gives connections local ports from the ephemeral range only.
    int port = TestPorts.next();
    try (ServerSocket target = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        Socket out = new Socket(target.getInetAddress(), target.getLocalPort())) {
      assertTrue(out.getLocalPort() >= ephemeralLow, "an outgoing connection got " + out.getLocalPort());
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress("127.0.0.1", port));
        assertEquals(port, s.getLocalPort());
      }
    }
  }
}
