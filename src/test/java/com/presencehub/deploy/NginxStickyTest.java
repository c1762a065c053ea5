package com.presencehub.deploy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.presencehub.testing.FrameMatch;
import com.presencehub.testing.SockJsTestClient;
import com.presencehub.testing.SockJsTestClient.Closed;
import com.presencehub.testing.SockJsTestClient.Transport;
import com.presencehub.testing.TestNode;
import com.presencehub.testing.TestTokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs Debian's nginx with the repository's {@code deploy/nginx/presence-hub.conf} (the file
 * docker-compose.yml mounts) in front of two real hub nodes, and proves from both ends that every
 * request of a SockJS session reaches one node: the hub's side (a request on the wrong node finds
 * no session: a 404 on send, a fresh {@code o} on poll, both fail the client) and nginx's own
 * record of where each request went (its access log, with {@code $upstream_addr}). A control run
 * without the {@code hash} line shows that this traffic does break when routing is not sticky.
 */
@ExtendWith(VertxExtension.class)
@Timeout(180)
@DisplayName("nginx in front of the hub (deploy/nginx/presence-hub.conf)")
class NginxStickyTest {

  /** The nginx config that docker-compose.yml mounts, relative to the project folder. */
  static final Path CONFIG = Path.of("deploy", "nginx", "presence-hub.conf");
  private static final Path NGINX = Path.of(System.getProperty("nginx.executable", "/usr/sbin/nginx"));

  private static final int SESSIONS = 40;
  private static final int ROUND_TRIPS = 6;
  /** For each phase in which all sessions act at once, on a loaded machine. */
  private static final Duration PHASE = Duration.ofSeconds(45);
  /** The code of the SockJS close frame after {@code bye} (the hub just closes the socket). */
  private static final int SOCKJS_GO_AWAY = 3000;

  private final List<TestNode> nodes = new ArrayList<>();
  private Nginx nginx;

  /**
   * One hub node behind nginx, on its own Vert.x. Standalone, because clustering is not built yet.
   * To run this whole test against a cluster, change this one line to start a clustered node (a
   * clustered Vert.x on 127.0.0.1, then the node on it): nothing else here assumes standalone nodes,
   * as each node only counts the sessions it serves itself.
   */
  /** A clustered node, as behind the compose file's nginx (its own Hazelcast member in this JVM). */
  private static Future<TestNode> startNode(JsonObject config) {
    return TestNode.startClustered(config);
  }

  /**
   * Starts the two nodes and nginx in front of them. Nobody turns idle during a test, and 40
   * sessions opened at once on a loaded machine may need more than TestNode's 1 s to get their auth
   * in. {@code sockjsSessionTimeoutMs}: how long a polling session survives between two polls.
   */
  private void startNodesAndNginx(boolean sticky, long sockjsSessionTimeoutMs) throws Exception {
    // maxPendingConnectionsPerAddress as docker-compose.yml sets it behind nginx: every connection
    // is nginx's, and 64 refused nginx itself under a round of polls on a loaded machine (CI).
    JsonObject config = new JsonObject().put("idleTimeoutMs", 600_000).put("authTimeoutMs", 20_000)
        .put("sockjsSessionTimeoutMs", sockjsSessionTimeoutMs).put("maxPendingConnectionsPerAddress", 4096);
    int[] hazelcastPorts = {TestNode.freePort(), TestNode.freePort()};
    String members = "127.0.0.1:" + hazelcastPorts[0] + ",127.0.0.1:" + hazelcastPorts[1];
    String clusterName = "nginx-test-" + java.util.UUID.randomUUID();
    for (int i = 0; i < 2; i++) {
      nodes.add(startNode(config.copy().put("clusterName", clusterName).put("clusterPort", hazelcastPorts[i])
          .put("clusterMembers", members).put("nodeId", "nginx-n" + i)).await(60, TimeUnit.SECONDS));
    }
    nginx = Nginx.start(configForTest(repositoryConfig(), sticky));
  }

  @AfterEach
  void stopEverything() throws Exception {
    if (nginx != null) {
      nginx.stop();
    }
    for (TestNode node : nodes) {
      node.node().vertx().close().await(30, TimeUnit.SECONDS);
    }
  }

  // ---- the tests --------------------------------------------------------------------------------

  @Test
  @DisplayName("Every request of an xhr-polling session reaches the node that holds it, and sessions spread over both nodes")
  void xhrPollingSessionsStickToOneNode(Vertx vertx) throws Exception {
    // A poll that is late on a loaded machine must not lose its session: that would look like misrouting.
    startNodesAndNginx(true, 30_000);
    TestTokens tokens = new TestTokens(vertx);

    List<SockJsTestClient> clients = all("open " + SESSIONS + " xhr-polling sessions through nginx",
        i -> SockJsTestClient.connect(vertx, nginx.port(), Transport.XHR_POLLING));

    all("authenticate every session", i -> authenticate(clients.get(i), tokens.token("acme", user(i), "tech")));

    // Round trips in lock step: in every round all sessions have a send and a poll in flight at once.
    for (int round = 1; round <= ROUND_TRIPS; round++) {
      int id = round;
      List<JsonObject> replies = all("query round " + round, i -> query(clients.get(i), user(i), id));
      for (int i = 0; i < SESSIONS; i++) {
        JsonObject own = FrameMatch.recordOf(replies.get(i), user(i));
        assertTrue(own != null && "online".equals(own.getString("status")),
            "session " + i + " round " + round + ": its own user is not online in " + replies.get(i).encode());
      }
    }

    for (int i = 0; i < SESSIONS; i++) {
      SockJsTestClient c = clients.get(i);
      assertFalse(c.isClosed(), "session " + i + " closed: " + (c.isClosed() ? c.closed().result() : ""));
      List<JsonObject> errors = c.received().stream().filter(FrameMatch.type("error")).toList();
      assertTrue(errors.isEmpty(), "session " + i + " got errors: " + errors);
    }

    // nginx's account: every session went to exactly one node, for many sends and polls.
    Map<String, String> nodeOfSession = new HashMap<>();
    await("nginx's access log shows every session's sends and polls on one node").atMost(PHASE)
        .pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
          Map<String, List<Hit>> bySession = nginx.sessionHits();
          assertEquals(SESSIONS, bySession.size(), "sessions in nginx's access log: " + bySession.keySet());
          nodeOfSession.clear();
          for (Map.Entry<String, List<Hit>> e : bySession.entrySet()) {
            List<Hit> hits = e.getValue();
            Set<String> upstreams = new TreeSet<>(hits.stream().map(Hit::upstream).toList());
            assertEquals(1, upstreams.size(), "session " + e.getKey() + " was served by " + upstreams + ": " + hits);
            assertTrue(hits.stream().allMatch(h -> h.status() == 200 || h.status() == 204),
                "session " + e.getKey() + " got an unexpected HTTP status: " + hits);
            // auth + the queries; the open, the welcome and one poll per reply.
            assertTrue(count(hits, "xhr_send") >= ROUND_TRIPS + 1, "too few sends for " + e.getKey() + ": " + hits);
            assertTrue(count(hits, "xhr") >= ROUND_TRIPS + 2, "too few polls for " + e.getKey() + ": " + hits);
            nodeOfSession.put(e.getKey(), upstreams.iterator().next());
          }
        });

    // The nodes' account: each holds exactly the sessions nginx sent it, and both got some.
    Map<String, Long> perUpstream = new TreeMap<>();
    nodeOfSession.values().forEach(u -> perUpstream.merge(u, 1L, Long::sum));
    for (TestNode node : nodes) {
      long expected = perUpstream.getOrDefault(upstreamOf(node), 0L);
      assertTrue(expected > 0, "nginx sent no session to the node on " + upstreamOf(node) + ": " + perUpstream);
      await("the node on " + upstreamOf(node) + " to hold the " + expected + " sessions nginx sent it").atMost(PHASE)
          .untilAsserted(() -> assertEquals(expected, node.node().metrics().sessions(),
              "sessions on the node on " + upstreamOf(node) + " (nginx sent it " + expected + ")"));
    }
    System.out.println("NginxStickyTest: " + SESSIONS + " xhr-polling sessions per node " + perUpstream);

    // bye: the close frame too must come back from the session's node (elsewhere it would be a new "o").
    List<Closed> closes = all("say bye and get the close frame", i -> bye(clients.get(i)));
    for (int i = 0; i < SESSIONS; i++) {
      assertEquals(SOCKJS_GO_AWAY, closes.get(i).code(), "session " + i + " ended with " + closes.get(i));
    }
    await("both nodes let go of every session").atMost(PHASE)
        .until(() -> nodes.stream().allMatch(n -> n.node().metrics().sessions() == 0));
  }

  @Test
  @DisplayName("A raw WebSocket and a SockJS WebSocket session upgrade through nginx and carry frames both ways")
  void webSocketsUpgradeThroughNginx(Vertx vertx) throws Exception {
    startNodesAndNginx(true, 30_000);
    TestTokens tokens = new TestTokens(vertx);
    List<SockJsTestClient> sockets = new ArrayList<>();
    for (Transport t : List.of(Transport.RAW_WEBSOCKET, Transport.SOCKJS_WEBSOCKET)) {
      // Without the Upgrade and Connection headers the node answers the handshake with 400.
      SockJsTestClient c = SockJsTestClient.open(vertx, nginx.port(), t);
      String user = "ws-" + t.name().toLowerCase();
      c.auth(tokens.token("acme", user, "tech"));
      for (int id = 1; id <= 3; id++) {
        c.send(new JsonObject().put("type", "query").put("users", new JsonArray().add(user)).put("id", id));
        JsonObject own = FrameMatch.recordOf(c.reply(id), user);
        assertTrue(own != null && "online".equals(own.getString("status")), t + ": query " + id + " answered " + own);
      }
      sockets.add(c);
    }
    await("both sessions counted on the nodes").atMost(PHASE)
        .until(() -> nodes.stream().mapToLong(n -> n.node().metrics().sessions()).sum() == 2);

    for (SockJsTestClient c : sockets) {
      c.send(new JsonObject().put("type", "bye"));
      Closed closed = c.awaitClose(PHASE);
      assertTrue(closed.byHub(), c.transport() + ": " + closed);
    }
    // nginx logs a WebSocket when it ends: both were upgraded (101) on their way to a node.
    await("nginx logs both WebSockets as upgraded").atMost(PHASE).untilAsserted(() -> {
      List<Hit> hits = nginx.hits();
      assertTrue(hits.stream().anyMatch(h -> h.uri().equals("/presence/websocket") && h.status() == 101),
          "no upgraded /presence/websocket in " + hits);
      assertTrue(hits.stream().anyMatch(h -> h.uri().matches("/presence/[^/]+/[^/]+/websocket") && h.status() == 101),
          "no upgraded SockJS websocket in " + hits);
    });
  }

  @Test
  @DisplayName("Control: without the hash line the same xhr-polling traffic breaks, so the test above would see misrouting")
  void withoutHashingPollingSessionsBreak(Vertx vertx) throws Exception {
    // Short: the sessions left behind on the wrong nodes are closed (4503) at the end, and each
    // close waits this long for a poll that will never come.
    startNodesAndNginx(false, 2_000);
    TestTokens tokens = new TestTokens(vertx);
    int sessions = 10;
    List<Boolean> worked = new ArrayList<>();
    List<Future<Boolean>> attempts = new ArrayList<>();
    for (int i = 0; i < sessions; i++) {
      String user = user(i);
      attempts.add(SockJsTestClient.connect(vertx, nginx.port(), Transport.XHR_POLLING)
          .compose(c -> authenticate(c, tokens.token("acme", user, "tech"))
              .compose(w -> query(c, user, 1))
              .compose(r -> query(c, user, 2))
              .compose(r -> query(c, user, 3))
              .compose(r -> query(c, user, 4))
              .compose(r -> query(c, user, 5))
              .eventually(() -> {
                c.disconnect();
                return Future.succeededFuture();
              }))
          .timeout(PHASE.toSeconds(), TimeUnit.SECONDS)
          .map(true)
          .otherwise(false));
    }
    for (Future<Boolean> a : attempts) {
      worked.add(a.await(PHASE.toSeconds() + 10, TimeUnit.SECONDS));
    }
    long broken = worked.stream().filter(w -> !w).count();
    Map<String, List<Hit>> bySession = nginx.sessionHits();
    long scattered = bySession.values().stream()
        .filter(hits -> hits.stream().map(Hit::upstream).distinct().count() > 1).count();
    System.out.println("NginxStickyTest control: " + broken + " of " + sessions + " sessions broke, "
        + scattered + " were scattered over both nodes");
    assertTrue(scattered > 0, "round robin kept every session on one node?! " + bySession);
    assertTrue(broken >= sessions / 2, "only " + broken + " of " + sessions
        + " sessions broke with round robin: the sticky test would not notice misrouting");
  }

  // ---- one session's steps (Future forms: all sessions act at once) ------------------------------

  private static String user(int i) {
    return "t-" + i;
  }

  private static Future<JsonObject> authenticate(SockJsTestClient c, String token) {
    Future<JsonObject> answer = c.expect(FrameMatch.type("welcome").or(FrameMatch.type("error")));
    return c.send(new JsonObject().put("type", "auth").put("token", token).put("client", new JsonObject().put("platform", "web")))
        .compose(v -> answer)
        .compose(f -> "welcome".equals(f.getString("type")) ? Future.succeededFuture(f)
            : Future.failedFuture(new AssertionError("auth refused: " + f.encode())));
  }

  private static Future<JsonObject> query(SockJsTestClient c, String user, int id) {
    Future<JsonObject> reply = c.expect(FrameMatch.reply(id));
    return c.send(new JsonObject().put("type", "query").put("users", new JsonArray().add(user)).put("id", id))
        .compose(v -> reply)
        .compose(f -> "presence".equals(f.getString("type")) ? Future.succeededFuture(f)
            : Future.failedFuture(new AssertionError("query " + id + " answered " + f.encode())));
  }

  private static Future<Closed> bye(SockJsTestClient c) {
    return c.send(new JsonObject().put("type", "bye")).compose(v -> c.closed());
  }

  /** Runs {@code step} for every session at once; fails with the first failure or after {@link #PHASE}. */
  private <T> List<T> all(String what, IntFunction<Future<T>> step) throws InterruptedException {
    List<Future<T>> steps = IntStream.range(0, SESSIONS).mapToObj(step).toList();
    try {
      Future.all(steps).await(PHASE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      long done = steps.stream().filter(Future::isComplete).count();
      fail(what + ": only " + done + " of " + SESSIONS + " done after " + PHASE.toSeconds() + " s\n" + nginx.logs());
    } catch (Throwable failed) {
      fail(what + " failed: " + failed + "\n" + nginx.logs(), failed);
    }
    return steps.stream().map(Future::result).toList();
  }

  private static long count(List<Hit> hits, String transportPath) {
    return hits.stream().filter(h -> h.uri().endsWith("/" + transportPath)).count();
  }

  private static String upstreamOf(TestNode node) {
    return "127.0.0.1:" + node.port();
  }

  // ---- the config under test ----------------------------------------------------------------------

  private static String repositoryConfig() throws IOException {
    Path file = Path.of("").toAbsolutePath().resolve(CONFIG);
    assertTrue(Files.isRegularFile(file), file + " is missing");
    return Files.readString(file);
  }

  /**
   * The repository's config with what its header comment says the test substitutes: the
   * {@code server nodeN:8080;} lines become this test's nodes, {@code listen 8080;} a free loopback
   * port (filled in by {@link Nginx#start}). {@code sticky=false} also drops the {@code hash}
   * line, which leaves nginx's default round robin, for the control run.
   */
  private String configForTest(String config, boolean sticky) {
    Matcher servers = Pattern.compile("(?m)^([ \\t]*)server[ \\t]+node[0-9]+:8080;[ \\t]*\\R").matcher(config);
    StringBuilder out = new StringBuilder();
    int found = 0;
    while (servers.find()) {
      String indent = servers.group(1);
      String replacement = found++ > 0 ? ""
          : nodes.stream().map(n -> indent + "server " + upstreamOf(n) + ";\n").reduce("", String::concat);
      servers.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    servers.appendTail(out);
    assertTrue(found >= 2, CONFIG + " no longer lists its nodes as 'server nodeN:8080;' lines, which this test replaces");
    String result = out.toString();
    assertEquals(1, Pattern.compile("(?m)^[ \\t]*listen[ \\t]+8080;").matcher(result).results().count(),
        CONFIG + " must have exactly one 'listen 8080;' line, which this test replaces");
    if (!sticky) {
      Matcher hash = Pattern.compile("(?m)^[ \\t]*hash[ \\t][^;]*;[ \\t]*\\R").matcher(result);
      assertTrue(hash.find(), CONFIG + " has no 'hash …;' line in its upstream block");
      result = hash.replaceFirst("");
    }
    return result;
  }

  /** One line of nginx's access log. {@code upstream} is every node tried, comma-separated. */
  record Hit(String upstream, int status, String method, String uri) { }

  /**
   * Debian's nginx as a child process, with everything it writes in a temp folder, so that it runs
   * as any user: the config under test is included in an http block of our own, which holds what
   * depends on this machine (temp paths, logs) and logs where each request went.
   */
  static final class Nginx {

    private static final Pattern SESSION_URI = Pattern.compile("^/presence/[^/.]+/([^/.]+)/[a-z_]+$");
    /** Temp-path directives, by the name of the configure flag that sets their compiled-in default. */
    private static final Map<String, String> TEMP_PATHS = new LinkedHashMap<>();

    static {
      TEMP_PATHS.put("client_body_temp_path", "client-body");
      TEMP_PATHS.put("proxy_temp_path", "proxy");
      TEMP_PATHS.put("fastcgi_temp_path", "fastcgi");
      TEMP_PATHS.put("uwsgi_temp_path", "uwsgi");
      TEMP_PATHS.put("scgi_temp_path", "scgi");
    }

    private final Process process;
    private final Path dir;
    private final int port;

    private Nginx(Process process, Path dir, int port) {
      this.process = process;
      this.dir = dir;
      this.port = port;
    }

    /** Starts nginx on a free loopback port; tries another port if someone took that one meanwhile. */
    static Nginx start(String presenceHubConf) throws IOException, InterruptedException {
      if (!Files.isExecutable(NGINX)) {
        fail("nginx is not installed at " + NGINX + ": install Debian's nginx package (.ci/run installs it), "
            + "or point -Dnginx.executable at an nginx binary");
      }
      for (int attempt = 1; ; attempt++) {
        Nginx nginx = startOnce(presenceHubConf, TestNode.freePort());
        if (nginx.process.isAlive()) {
          return nginx;
        }
        String logs = nginx.logs();
        int exit = nginx.process.exitValue();
        nginx.stop();
        if (attempt == 3 || !logs.contains("Address already in use")) {
          fail("nginx exited with " + exit + "\n" + logs);
        }
      }
    }

    /** Starts nginx; returns once it listens or has exited. */
    private static Nginx startOnce(String presenceHubConf, int port) throws IOException, InterruptedException {
      Path dir = Files.createTempDirectory("nginx-sticky-");
      Files.writeString(dir.resolve("presence-hub.conf"),
          presenceHubConf.replaceFirst("(?m)^([ \\t]*)listen[ \\t]+8080;", "$1listen 127.0.0.1:" + port + ";"));
      Files.writeString(dir.resolve("nginx.conf"), mainConfig(dir));
      Path errorLog = dir.resolve("error.log");
      Process p = new ProcessBuilder(NGINX.toString(), "-p", dir + "/", "-c", dir.resolve("nginx.conf").toString(),
          "-e", errorLog.toString(),
          "-g", "daemon off; pid " + dir.resolve("nginx.pid") + "; error_log " + errorLog + " notice;")
          .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
      Nginx nginx = new Nginx(p, dir, port);
      try {
        await("nginx listening on " + port).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
            .until(() -> !p.isAlive() || accepts(port));
      } catch (RuntimeException e) {
        String logs = nginx.logs();
        nginx.stop();
        throw new AssertionError("nginx did not start listening\n" + logs, e);
      }
      return nginx;
    }

    int port() {
      return port;
    }

    /** Every request logged so far (nginx logs one when it ends). */
    List<Hit> hits() throws IOException {
      Path log = dir.resolve("access.log");
      if (!Files.exists(log)) {
        return List.of();
      }
      List<Hit> hits = new ArrayList<>();
      for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
        String[] f = line.split("\\|", 4);
        if (f.length == 4) {
          hits.add(new Hit(f[0], Integer.parseInt(f[1]), f[2], f[3]));
        }
      }
      return hits;
    }

    /** The requests of SockJS sessions, by session id (the segment nginx must hash on). */
    Map<String, List<Hit>> sessionHits() throws IOException {
      Map<String, List<Hit>> bySession = new TreeMap<>();
      for (Hit h : hits()) {
        Matcher m = SESSION_URI.matcher(h.uri());
        if (m.matches()) {
          bySession.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(h);
        }
      }
      return bySession;
    }

    /** nginx's error log and output, for failure messages. */
    String logs() {
      StringBuilder sb = new StringBuilder("--- nginx error log (" + dir + ") ---\n");
      for (String name : List.of("error.log", "nginx.out")) {
        try {
          Path f = dir.resolve(name);
          if (Files.exists(f)) {
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> sb.append(l).append('\n'));
          }
        } catch (IOException e) {
          sb.append(name).append(": ").append(e).append('\n');
        }
      }
      return sb.toString();
    }

    /** SIGTERM (nginx's fast shutdown), then SIGKILL for whatever is left; removes the temp folder. */
    void stop() throws InterruptedException {
      List<ProcessHandle> workers = process.descendants().toList();
      process.destroy();
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
      workers.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static String mainConfig(Path dir) throws IOException {
      String configure = configureArguments();
      StringBuilder http = new StringBuilder();
      for (Map.Entry<String, String> t : TEMP_PATHS.entrySet()) {
        String module = t.getKey().substring(0, t.getKey().indexOf("_temp_path"));
        boolean compiledIn = module.equals("client_body") || module.equals("proxy")
            || !configure.contains("--without-http_" + module + "_module");
        // Compiled-in absolute paths (Debian: /var/lib/nginx/…) are not writable by everyone.
        if (compiledIn && configure.contains("--http-" + t.getValue() + "-temp-path=")) {
          http.append("    ").append(t.getKey()).append(' ').append(dir.resolve("temp-" + module)).append(";\n");
        }
      }
      // Only the master reads the config and opens the logs; as root its workers would run as
      // nobody and could not enter this private temp folder, so they stay root. Not root: ignored.
      String user = "root".equals(System.getProperty("user.name")) ? "user root;\n" : "";
      return user
          + "worker_processes 2;\n"
          + "events { worker_connections 1024; }\n"
          + "http {\n"
          + http
          + "    log_format routing '$upstream_addr|$status|$request_method|$uri';\n"
          + "    access_log " + dir.resolve("access.log") + " routing;\n"
          + "    include " + dir.resolve("presence-hub.conf") + ";\n"
          + "}\n";
    }

    /** {@code nginx -V}: the configure arguments, to know its compiled-in paths and modules. */
    private static String configureArguments() throws IOException {
      Process v = new ProcessBuilder(NGINX.toString(), "-V").redirectErrorStream(true).start();
      String out = new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      try {
        assertTrue(v.waitFor(30, TimeUnit.SECONDS), "nginx -V did not finish");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      return out;
    }

    private static boolean accepts(int port) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return true;
      } catch (IOException e) {
        return false;
      }
    }
  }
}
