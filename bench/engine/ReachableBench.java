// Scenario 5 (reachability queries): presence.reachable through the typed facade
// (com.presencehub.api.client.PresenceService), p50/p99 one at a time and throughput with many in
// flight, (a) from another cluster member: this JVM joins the cluster as a plain Vert.x member
// (no hub in it) and asks a hub node running in its own process; (b) in-process: the facade on a
// hub node's own Vert.x in this JVM (the event bus delivers locally, no network).
//
//   mvn -q -B -DskipTests package
//   java -cp target/presence-hub.jar bench/engine/ReachableBench.java [requests=100000] [inFlight=64]
//
// Loopback only; the hub process it starts is killed at the end.
import com.presencehub.api.client.PresenceService;
import com.presencehub.cluster.ClusterSetup;
import com.presencehub.config.HubConfig;
import com.presencehub.node.HubNode;
import com.presencehub.presence.DeliveryKind;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

public class ReachableBench {

  /** A fresh HS256 secret per run: no secret in any shipped file. */
  static final String SECRET = java.util.HexFormat.of().formatHex(randomBytes());

  private static byte[] randomBytes() {
    byte[] b = new byte[32];
    new java.security.SecureRandom().nextBytes(b);
    return b;
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static void appendResults(String scenario, List<String> lines) throws Exception {
    java.nio.file.Path file = java.nio.file.Path.of("bench", "RESULTS.md");
    String commit = "unknown";
    try {
      Process p = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").start();
      commit = new String(p.getInputStream().readAllBytes()).trim();
    } catch (Exception notACheckout) {
      // keep "unknown"
    }
    StringBuilder b = new StringBuilder();
    b.append("\n## ").append(scenario).append(" — ").append(java.time.Instant.now()).append("\n\n");
    b.append("- commit ").append(commit).append("; nproc ").append(Runtime.getRuntime().availableProcessors())
        .append("; java ").append(System.getProperty("java.version")).append("\n");
    b.append("- JVM flags (this member): ")
        .append(String.join(" ", java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments())).append("\n");
    for (String l : lines) {
      b.append("- ").append(l).append("\n");
    }
    java.nio.file.Files.writeString(file, b.toString(), java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
  }

  /** A tech connected over a raw WebSocket, so that the user asked about is online. */
  static void connect(Vertx vertx, int port, String user) throws Exception {
    JWTAuth jwt = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256")
        .setBuffer(SECRET)));
    String token = jwt.generateToken(new JsonObject().put("sub", user).put("tenant", "acme").put("role", "tech"),
        new JWTOptions().setExpiresInSeconds(3600));
    WebSocketClient client = vertx.createWebSocketClient();
    Promise<Void> welcomed = Promise.promise();
    client.connect(port, "127.0.0.1", "/presence/websocket").onSuccess(ws -> {
      ws.textMessageHandler(m -> {
        if (m.contains("\"welcome\"")) {
          welcomed.tryComplete();
        }
      });
      ws.writeTextMessage(new JsonObject().put("type", "auth").put("token", token).encode());
    }).onFailure(welcomed::tryFail);
    welcomed.future().await(20, TimeUnit.SECONDS);
  }

  record Figures(double p50, double p99, double p999, double max, double perSecond) { }

  static Figures measure(PresenceService presence, int requests, int inFlight) throws Exception {
    // Warm-up: the JIT, the event bus connections.
    run(presence, 10_000, 16, null);
    long[] one = new long[requests];
    run(presence, requests, 1, one);
    Arrays.sort(one);
    long start = System.nanoTime();
    run(presence, requests, inFlight, null);
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Figures(one[requests / 2] / 1e3, one[(int) (requests * 0.99)] / 1e3, one[(int) (requests * 0.999)] / 1e3,
        one[requests - 1] / 1e3, requests / seconds);
  }

  /** {@code total} requests with {@code inFlight} outstanding; latencies (ns) into {@code out} if given. */
  static void run(PresenceService presence, int total, int inFlight, long[] out) throws Exception {
    AtomicInteger issued = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    AtomicLong failures = new AtomicLong();
    Promise<Void> finished = Promise.promise();
    Runnable[] next = new Runnable[1];
    next[0] = () -> {
      int i = issued.getAndIncrement();
      if (i >= total) {
        return;
      }
      long t0 = System.nanoTime();
      presence.reachable("acme", "bench-tech", DeliveryKind.CHAT_REQUEST).onComplete(ar -> {
        if (out != null) {
          out[i] = System.nanoTime() - t0;
        }
        if (ar.failed() || !ar.result().reachable()) {
          failures.incrementAndGet();
        }
        if (done.incrementAndGet() == total) {
          finished.complete();
        } else {
          next[0].run();
        }
      });
    };
    for (int k = 0; k < inFlight; k++) {
      next[0].run();
    }
    finished.future().await(600, TimeUnit.SECONDS);
    if (failures.get() > 0) {
      throw new IllegalStateException(failures.get() + " requests failed or said not reachable");
    }
  }

  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int inFlight = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    String jar = System.getProperty("jar", "target/presence-hub.jar");
    List<String> lines = new ArrayList<>();

    // (a) another member against a hub process.
    int httpPort = freePort();
    int hubHz = freePort();
    int memberHz = freePort();
    String cluster = "bench-" + Long.toHexString(System.nanoTime());
    String members = "127.0.0.1:" + hubHz + ",127.0.0.1:" + memberHz;
    ProcessBuilder pb = new ProcessBuilder("java", "-Xmx1g", "-XX:+UseG1GC", "-jar", jar, "--cluster")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().putAll(java.util.Map.of("PRESENCE_HTTP_HOST", "127.0.0.1", "PRESENCE_HTTP_PORT", "" + httpPort,
        "PRESENCE_JWT_SECRET", SECRET, "PRESENCE_CLUSTER_NAME", cluster, "PRESENCE_CLUSTER_HOST", "127.0.0.1",
        "PRESENCE_CLUSTER_PORT", "" + hubHz, "PRESENCE_CLUSTER_MEMBERS", members, "PRESENCE_NODE_ID", "bench-hub"));
    Process hub = pb.start();
    Runtime.getRuntime().addShutdownHook(new Thread(hub::destroyForcibly));
    Vertx member = null;
    try {
      HttpClient http = HttpClient.newHttpClient();
      long deadline = System.currentTimeMillis() + 60_000;
      while (true) {
        try {
          if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health/ready")).build(),
              HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
            break;
          }
        } catch (java.io.IOException notYet) {
          // not listening yet
        }
        if (System.currentTimeMillis() > deadline || !hub.isAlive()) {
          throw new IllegalStateException("hub not ready");
        }
        Thread.sleep(200);
      }
      VertxOptions options = new VertxOptions();
      options.getEventBusOptions().setHost("127.0.0.1").setPort(0);
      member = Vertx.builder().with(options).withClusterManager(new HazelcastClusterManager(
          ClusterSetup.memberHazelcast(cluster, "127.0.0.1", memberHz, List.of(members.split(",")), 3000, 5000)))
          .buildClustered().await(60, TimeUnit.SECONDS);
      connect(member, httpPort, "bench-tech");
      PresenceService presence = PresenceService.create(member, new DeliveryOptions().setSendTimeout(10_000));
      Figures f = measure(presence, requests, inFlight);
      String a = String.format("from another cluster member (this JVM) to a hub process: one at a time p50 %.0f µs, "
          + "p99 %.0f µs, p99.9 %.0f µs, max %.1f ms over %d requests; %d in flight: %.0f requests/s",
          f.p50(), f.p99(), f.p999(), f.max() / 1e3, requests, inFlight, f.perSecond());
      System.out.println(a);
      lines.add(a);
    } finally {
      if (member != null) {
        member.close().await(30, TimeUnit.SECONDS);
      }
      hub.destroyForcibly();
      hub.waitFor();
    }

    // (b) in-process: the facade on a standalone hub node's own Vert.x.
    var registry = HubNode.newRegistry();
    Vertx vertx = HubNode.createVertx(registry);
    int port = freePort();
    HubConfig cfg = HubConfig.fromJson(new JsonObject().put("httpHost", "127.0.0.1").put("httpPort", port)
        .put("jwtSecret", SECRET));
    HubNode.start(vertx, cfg, registry).await(60, TimeUnit.SECONDS);
    connect(vertx, port, "bench-tech");
    Figures g = measure(PresenceService.create(vertx), requests, inFlight);
    String b = String.format("in-process (facade on the hub node's own Vert.x, local event bus): one at a time "
        + "p50 %.0f µs, p99 %.0f µs, p99.9 %.0f µs, max %.1f ms over %d requests; %d in flight: %.0f requests/s",
        g.p50(), g.p99(), g.p999(), g.max() / 1e3, requests, inFlight, g.perSecond());
    System.out.println(b);
    lines.add(b);
    lines.add("hub process: java -Xmx1g -XX:+UseG1GC -jar " + jar + " --cluster (default shards and timings)");
    vertx.close().await(30, TimeUnit.SECONDS);
    appendResults("Reachability queries (bench/engine/ReachableBench.java)", lines);
    System.exit(0);
  }
}
