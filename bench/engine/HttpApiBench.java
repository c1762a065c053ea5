// Scenario 7 (HTTP API, PROTOCOL.md §8), against a hub process it starts from the jar:
//
//   reachable: GET /api/v1/tenants/acme/reachable/bench-tech?kind=chat.request with a service
//     token, keep-alive, loopback, from this JVM (Vert.x HttpClient): p50/p99/p99.9 one at a time
//     on one connection, then requests/s with `connections` connections each keeping one request
//     in flight. The per-token rate limit is lifted for the run.
//   webhooks: `rate` transitions/s (techs toggling presence.set away/online over raw WebSockets,
//     open-loop) for `seconds`; a webhook receiver in this JVM answers 204 at once; delay = arrival
//     of the event at the receiver minus the event's `since` (the hub's transition time; same
//     host, same clock): p50/p99/max, and sent vs received.
//
//   mvn -q -B -DskipTests package
//   java -cp target/presence-hub.jar bench/engine/HttpApiBench.java reachable [requests=50000] [connections=32]
//   java -cp target/presence-hub.jar bench/engine/HttpApiBench.java webhooks [rate=1000] [seconds=20] [techs=100]
//
// Loopback only; the hub process is killed at the end. Both record the load average before and
// after: the machine may be shared.

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

public class HttpApiBench {

  /** A fresh HS256 secret per run: no secret in any shipped file. */
  static final String SECRET = java.util.HexFormat.of().formatHex(randomBytes());

  private static byte[] randomBytes() {
    byte[] b = new byte[32];
    new java.security.SecureRandom().nextBytes(b);
    return b;
  }
  static final String HOOK_SECRET = java.util.HexFormat.of().formatHex(randomBytes());
  /** Held until the end: Vert.x 5 closes a client (and its WebSockets) once it is unreachable. */
  static final List<Object> KEEP = new ArrayList<>();

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static String loadavg() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (Exception e) {
      return "n/a";
    }
  }

  static void appendResults(String scenario, List<String> lines) throws Exception {
    String commit = "unknown";
    try {
      Process p = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").start();
      commit = new String(p.getInputStream().readAllBytes()).trim();
    } catch (Exception notACheckout) {
      // keep "unknown"
    }
    String cpu = "";
    try {
      cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
          .findFirst().map(l -> " (" + l.substring(l.indexOf(':') + 1).trim() + ")").orElse("");
    } catch (Exception ignored) {
      // no cpuinfo
    }
    StringBuilder b = new StringBuilder();
    b.append("\n## ").append(scenario).append(" — ").append(java.time.Instant.now()).append("\n\n");
    b.append("- commit ").append(commit).append("; nproc ").append(Runtime.getRuntime().availableProcessors()).append(cpu)
        .append("; java ").append(System.getProperty("java.version")).append("\n");
    for (String l : lines) {
      b.append("- ").append(l).append("\n");
    }
    Files.writeString(Path.of("bench", "RESULTS.md"), b.toString(), java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
  }

  static Process startHub(String jar, int port, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("java", "-Xmx1g", "-XX:+UseG1GC", "-jar", jar)
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().putAll(Map.of("PRESENCE_HTTP_HOST", "127.0.0.1", "PRESENCE_HTTP_PORT", "" + port,
        "PRESENCE_JWT_SECRET", SECRET, "PRESENCE_IDLE_TIMEOUT_MS", "3600000"));
    pb.environment().putAll(env);
    Process hub = pb.start();
    Runtime.getRuntime().addShutdownHook(new Thread(hub::destroyForcibly));
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.currentTimeMillis() + 60_000;
    while (true) {
      try {
        if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return hub;
        }
      } catch (java.io.IOException notYet) {
        // not listening yet
      }
      if (System.currentTimeMillis() > deadline || !hub.isAlive()) {
        hub.destroyForcibly();
        throw new IllegalStateException("hub not ready");
      }
      Thread.sleep(200);
    }
  }

  static String token(JWTAuth jwt, String sub, String role) {
    return jwt.generateToken(new JsonObject().put("sub", sub).put("tenant", "acme").put("role", role),
        new JWTOptions().setExpiresInSeconds(3600));
  }

  /** A tech over a raw WebSocket, welcomed. */
  static WebSocket connect(WebSocketClient client, JWTAuth jwt, int port, String user) throws Exception {
    Promise<WebSocket> welcomed = Promise.promise();
    client.connect(port, "127.0.0.1", "/presence/websocket").onSuccess(ws -> {
      ws.textMessageHandler(m -> {
        if (m.contains("\"welcome\"")) {
          welcomed.tryComplete(ws);
        }
      });
      ws.writeTextMessage(new JsonObject().put("type", "auth").put("token", token(jwt, user, "tech")).encode());
    }).onFailure(welcomed::tryFail);
    return welcomed.future().await(60, TimeUnit.SECONDS);
  }

  public static void main(String[] args) throws Exception {
    String what = args.length > 0 ? args[0] : "reachable";
    String jar = System.getProperty("jar", "target/presence-hub.jar");
    if (what.equals("reachable")) {
      reachable(jar, args.length > 1 ? Integer.parseInt(args[1]) : 50_000, args.length > 2 ? Integer.parseInt(args[2]) : 32);
    } else if (what.equals("webhooks")) {
      webhooks(jar, args.length > 1 ? Integer.parseInt(args[1]) : 1_000, args.length > 2 ? Integer.parseInt(args[2]) : 20,
          args.length > 3 ? Integer.parseInt(args[3]) : 100);
    } else {
      System.err.println("usage: HttpApiBench.java reachable|webhooks …");
      System.exit(2);
    }
    System.exit(0);
  }

  static void reachable(String jar, int requests, int connections) throws Exception {
    List<String> lines = new ArrayList<>();
    lines.add("load average before: " + loadavg() + " (the machine is shared with other work)");
    int port = freePort();
    Process hub = startHub(jar, port, Map.of("PRESENCE_HTTP_API_RATE_LIMIT_PER_SECOND", "1000000",
        "PRESENCE_HTTP_API_RATE_LIMIT_BURST", "1000000"));
    Vertx vertx = Vertx.vertx();
    try {
      JWTAuth jwt = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256")
          .setBuffer(SECRET)));
      WebSocketClient wsc = vertx.createWebSocketClient();
      KEEP.add(wsc);
      WebSocket tech = connect(wsc, jwt, port, "bench-tech");
      // Activity now and then: a long run must not depend on how long a silent session lives.
      vertx.setPeriodic(5_000, t -> tech.writeTextMessage("{\"type\":\"activity\"}"));
      String auth = "Bearer " + token(jwt, "bench-service", "service");
      RequestOptions get = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port)
          .setURI("/api/v1/tenants/acme/reachable/bench-tech?kind=chat.request").putHeader("Authorization", auth);
      io.vertx.core.http.HttpClient one = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
          new PoolOptions().setHttp1MaxSize(1));
      run(one, get, 10_000, 1, null); // warm-up: JIT, connection
      long[] lat = new long[requests];
      run(one, get, requests, 1, lat);
      Arrays.sort(lat);
      io.vertx.core.http.HttpClient many = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
          new PoolOptions().setHttp1MaxSize(connections));
      run(many, get, 20_000, connections, null);
      long t0 = System.nanoTime();
      run(many, get, requests, connections, null);
      double rps = requests / ((System.nanoTime() - t0) / 1e9);
      String a = String.format("HTTP GET …/reachable (service token, keep-alive, loopback, Vert.x HttpClient in another JVM):"
          + " one at a time p50 %.0f µs, p99 %.0f µs, p99.9 %.0f µs, max %.1f ms over %d requests; %d connections"
          + " with one request in flight each: %.0f requests/s", lat[requests / 2] / 1e3, lat[(int) (requests * 0.99)] / 1e3,
          lat[(int) (requests * 0.999)] / 1e3, lat[requests - 1] / 1e6, requests, connections, rps);
      System.out.println(a);
      lines.add(a);
      lines.add("hub process: java -Xmx1g -XX:+UseG1GC -jar " + jar + " (standalone, default shards; rate limit lifted:"
          + " PRESENCE_HTTP_API_RATE_LIMIT_PER_SECOND=1000000 PRESENCE_HTTP_API_RATE_LIMIT_BURST=1000000)");
      lines.add("compare: scenario 5 (event bus, presence.reachable) above; the load generator shares the 2 cores");
      lines.add("load average after: " + loadavg());
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
      hub.destroyForcibly();
      hub.waitFor();
    }
    appendResults("HTTP API reachable (bench/engine/HttpApiBench.java reachable)", lines);
  }

  static void run(io.vertx.core.http.HttpClient client, RequestOptions get, int total, int inFlight, long[] out)
      throws Exception {
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
      client.request(get).compose(r -> r.send()).compose(r -> r.body().map(b -> {
        boolean ok = r.statusCode() == 200 && b.toString().startsWith("{\"reachable\":true");
        if (!ok && failures.get() == 0) {
          System.err.println("answer: " + r.statusCode() + " " + b);
        }
        return ok;
      })).onComplete(ar -> {
            if (out != null) {
              out[i] = System.nanoTime() - t0;
            }
            if (ar.failed() || !ar.result()) {
              if (failures.incrementAndGet() == 1) {
                System.err.println("first failure: " + (ar.failed() ? ar.cause() : "not reachable or not 200"));
              }
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

  static void webhooks(String jar, int rate, int seconds, int techs) throws Exception {
    List<String> lines = new ArrayList<>();
    lines.add("load average before: " + loadavg() + " (the machine is shared with other work)");
    Vertx vertx = Vertx.vertx();
    List<Long> delays = new ArrayList<>();
    AtomicLong received = new AtomicLong();
    AtomicLong batches = new AtomicLong();
    int receiverPort = freePort();
    vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      long now = System.currentTimeMillis();
      JsonArray events = body.toJsonObject().getJsonArray("events");
      synchronized (delays) {
        for (int i = 0; i < events.size(); i++) {
          delays.add(now - events.getJsonObject(i).getLong("since"));
        }
      }
      received.addAndGet(events.size());
      batches.incrementAndGet();
      req.response().setStatusCode(204).end();
    })).listen(receiverPort, "127.0.0.1").await(10, TimeUnit.SECONDS);
    int port = freePort();
    Process hub = startHub(jar, port, Map.of("PRESENCE_WEBHOOK_TENANT", "acme",
        "PRESENCE_WEBHOOK_URL", "http://127.0.0.1:" + receiverPort + "/hooks", "PRESENCE_WEBHOOK_SECRET", HOOK_SECRET));
    try {
      JWTAuth jwt = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256")
          .setBuffer(SECRET)));
      // Vert.x allows 50 WebSockets per server by default.
      WebSocketClient wsc = vertx.createWebSocketClient(new io.vertx.core.http.WebSocketClientOptions()
          .setMaxConnections(techs + 10));
      KEEP.add(wsc);
      List<WebSocket> sockets = new ArrayList<>();
      for (int i = 0; i < techs; i++) {
        sockets.add(connect(wsc, jwt, port, "tech-" + i));
      }
      // Let the logins' own transitions drain, then count from zero.
      Thread.sleep(2_000);
      synchronized (delays) {
        delays.clear();
      }
      long receivedBefore = received.get();
      boolean[] away = new boolean[techs];
      // Open-loop: every 10 ms, rate/100 toggles, round-robin over the techs.
      int perTick = Math.max(1, rate / 100);
      long ticks = seconds * 100L;
      AtomicLong sent = new AtomicLong();
      long start = System.nanoTime();
      int cursor = 0;
      for (long t = 0; t < ticks; t++) {
        long due = start + t * 10_000_000L;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
        for (int k = 0; k < perTick; k++) {
          int i = cursor++ % techs;
          away[i] = !away[i];
          String frame = new JsonObject().put("type", "presence.set").put("status", away[i] ? "away" : "online").encode();
          WebSocket ws = sockets.get(i);
          ws.writeTextMessage(frame);
          sent.incrementAndGet();
        }
      }
      double took = (System.nanoTime() - start) / 1e9;
      long deadline = System.currentTimeMillis() + 30_000;
      while (received.get() - receivedBefore < sent.get() && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      long[] d;
      synchronized (delays) {
        d = delays.stream().mapToLong(Long::longValue).toArray();
      }
      Arrays.sort(d);
      String a = String.format("webhook delay, transition (the event's since) → receiver, %d transitions/s for %d s"
          + " (sent %d in %.1f s, %d techs toggling presence.set over WebSockets): p50 %d ms, p99 %d ms, max %d ms;"
          + " received %d events in %d POSTs (batches of up to 100)", rate, seconds, sent.get(), took, techs,
          d.length == 0 ? -1 : d[d.length / 2], d.length == 0 ? -1 : d[(int) (d.length * 0.99)],
          d.length == 0 ? -1 : d[d.length - 1], received.get() - receivedBefore, batches.get());
      System.out.println(a);
      lines.add(a);
      lines.add("hub process: java -Xmx1g -XX:+UseG1GC -jar " + jar + " (standalone, default shards, one webhook endpoint"
          + " in the bench JVM answering 204)");
      lines.add("load average after: " + loadavg());
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
      hub.destroyForcibly();
      hub.waitFor();
    }
    appendResults("HTTP API webhooks (bench/engine/HttpApiBench.java webhooks)", lines);
  }
}
