package com.presencehub.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.gateway.sockjs.SockJsSessionTable;
import com.presencehub.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every core serves sockets (issue 15): the real sockjs-client over xhr-polling and xhr-streaming
 * against a node with 3 gateway event loops, at least {@value #POLLS} polls in all, none answered
 * by a new session (sockjs-client would close with 1006 "Server lost session"), and exactly one
 * SockJS session opened per client. The node's session table counts the polls, the sessions opened
 * and the requests handed to another loop's session ({@code e2e/stress/multiloop-polls.mjs} drives
 * the clients). Needs {@code npm ci --prefix e2e}.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MultiLoopPollsTest {

  private static final int POLLS = 20_000;
  private static final int LOOPS = 3;
  private static final int XHR = 48;
  private static final int STREAMING = 12;
  /** The polls must be done within this (a loaded 2-core machine); the whole test is bounded by @Timeout. */
  private static final long POLL_WINDOW_MS = 90_000;

  private Vertx vertx;
  private TestNode node;
  private Process process;

  @AfterEach
  void stop() throws Exception {
    if (process != null && process.isAlive()) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
    if (node != null) {
      node.stop().await(30, TimeUnit.SECONDS);
    }
    if (vertx != null) {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("20,000 polls of real sockjs-client sessions on 3 gateway loops: no poll answered by a new session, one session opened per client")
  void pollsOnSeveralLoopsKeepTheirSession() throws Exception {
    Path e2e = Path.of(System.getProperty("e2e.dir", Path.of(System.getProperty("repo.root", ".")).resolve("e2e").toString()))
        .toAbsolutePath();
    assertTrue(Files.isDirectory(e2e.resolve("node_modules").resolve("sockjs-client")),
        "e2e/node_modules is missing (or lacks sockjs-client): run `npm ci --prefix e2e`");
    vertx = Vertx.vertx();
    node = TestNode.start(vertx, new JsonObject().put("gatewayInstances", LOOPS).put("idleTimeoutMs", 600_000)
        .put("authTimeoutMs", 20_000).put("heartbeatIntervalMs", 1_000).put("rateLimitPerSecond", 100_000)
        .put("rateLimitBurst", 100_000).put("rateLimitCloseAfter", 100_000)
        // Every client shares 127.0.0.1, and Node's agent keeps idle keep-alive sockets: more than
        // the per-address cap of connections without a request (that cap has tests of its own).
        .put("maxPendingConnectionsPerAddress", 100_000)).await(30, TimeUnit.SECONDS);
    SockJsSessionTable table = node.node().gateway().sockJsSessions();

    ProcessBuilder pb = new ProcessBuilder(System.getProperty("node.executable", "node"), "stress/multiloop-polls.mjs")
        .directory(e2e.toFile()).redirectErrorStream(true);
    pb.environment().put("HUB_URL", "http://127.0.0.1:" + node.port());
    pb.environment().put("CLIENTS_XHR", Integer.toString(XHR));
    pb.environment().put("CLIENTS_STREAMING", Integer.toString(STREAMING));
    pb.environment().put("DURATION_MS", Long.toString(POLL_WINDOW_MS + 30_000));
    pb.environment().put("HUB_DEADLINE_MS", "20000");
    process = pb.start();
    List<String> lines = new CopyOnWriteArrayList<>();
    CountDownLatch ready = new CountDownLatch(1);
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          System.out.println("[multiloop] " + line);
          lines.add(line);
          if (line.startsWith("READY")) {
            ready.countDown();
          }
        }
      } catch (Exception e) {
        lines.add("reader: " + e);
      }
      ready.countDown();
    }, "multiloop-reader");
    reader.start();
    assertTrue(ready.await(60, TimeUnit.SECONDS) && lines.stream().anyMatch(l -> l.startsWith("READY")),
        "the clients did not log in within 60 s:\n" + String.join("\n", lines));
    long pollsAtStart = table.polls();
    long started = System.nanoTime();
    try {
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofMillis(POLL_WINDOW_MS))
          .pollInterval(java.time.Duration.ofMillis(100))
          .until(() -> table.polls() - pollsAtStart >= POLLS || !process.isAlive());
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      // The assertions below say how many polls the window held.
    }
    long polls = table.polls() - pollsAtStart;
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    try (OutputStream in = process.getOutputStream()) {
      in.write("stop\n".getBytes(StandardCharsets.UTF_8));
    } catch (Exception ignored) {
      // The process already ended: its output says why.
    }
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the clients did not finish within 60 s of stop");
    reader.join(10_000);
    String result = lines.stream().filter(l -> l.startsWith("RESULT ")).findFirst().orElse(null);
    assertNotNull(result, "no RESULT line:\n" + String.join("\n", lines));
    JsonObject r = new JsonObject(result.substring("RESULT ".length()));
    System.out.println("[multiloop] polls=" + polls + " in " + elapsedMs + " ms, sessions opened=" + table.opened()
        + ", requests handed to another loop=" + table.hops() + ", pongs=" + r.getLong("pongs"));

    assertEquals(XHR + STREAMING, r.getInteger("clients"), result);
    assertTrue(polls >= POLLS, "only " + polls + " polls within " + POLL_WINDOW_MS + " ms");
    assertEquals(0, r.getJsonArray("closedEarly").size(), "sessions closed during the run (1006 'Server lost session' is "
        + "a poll answered by a new session): " + result);
    assertEquals(0, r.getInteger("failureCount"), result);
    assertEquals(0, r.getJsonArray("badByes").size(), result);
    assertEquals(XHR + STREAMING, table.opened(), "SockJS sessions opened on the node, against the clients");
    assertTrue(table.hops() > POLLS / 10, "only " + table.hops() + " requests crossed loops: the loops were not exercised");
  }
}
