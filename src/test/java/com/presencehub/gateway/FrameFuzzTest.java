package com.presencehub.gateway;

import ch.qos.logback.classic.Level;
import com.presencehub.LogCapture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.testing.SockJsTestClient;
import com.presencehub.testing.SockJsTestClient.Transport;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Mutated frames against a real node while a bystander in another tenant is checked throughout
 * (issue 11, "Done when"): at least {@code fuzz.frames} (default 100,000) frames built from valid
 * ones by field, type, value and byte mutations, over the raw WebSocket and SockJS WebSocket
 * batches, some of them before auth. Fails on any crash (the node stops answering, a handler throws,
 * a stack trace is logged), on any reply that is not a JSON frame or carries Java text, and on any
 * bystander failure (a late or wrong answer, an unexpected frame, its session closed).
 *
 * <p>Run longer: {@code mvn -B -o -Dskip.npm=true test -Dtest=FrameFuzzTest -Dfuzz.frames=1000000};
 * replay: {@code -Dfuzz.seed=<the seed printed>}.
 */
@ExtendWith(VertxExtension.class)
@Timeout(600)
@DisplayName("Fuzz: mutated frames harm neither the node nor a bystander")
class FrameFuzzTest {

  private static final int FRAMES = Integer.getInteger("fuzz.frames", 100_000);
  private static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());
  private static final int FUZZERS = 4;
  private static final int BURST = 100;
  private static final Pattern JAVA_TEXT = Pattern.compile(
      "java\\.|Exception|cannot be cast|Cannot invoke|because \"|NullPointer");

  private final AtomicLong sent = new AtomicLong();
  /** Frames of bursts whose sentinel was answered: the node read every one of them. */
  private final AtomicLong confirmed = new AtomicLong();
  private final AtomicLong sessions = new AtomicLong();
  private final AtomicLong replies = new AtomicLong();
  private final List<String> badReplies = java.util.Collections.synchronizedList(new ArrayList<>());
  private final List<String> stalls = java.util.Collections.synchronizedList(new ArrayList<>());
  private final List<String> bystanderFailures = java.util.Collections.synchronizedList(new ArrayList<>());
  private final AtomicLong bystanderChecks = new AtomicLong();
  private final java.util.concurrent.ConcurrentHashMap<String, Integer> closeCodes = new java.util.concurrent.ConcurrentHashMap<>();

  @Test
  @DisplayName("100,000 mutated frames: 0 crashes, 0 bad replies, 0 bystander failures")
  void fuzz(Vertx vertx) throws Exception {
    LiveHub hub = LiveHub.start(vertx, LiveHub.noIdle()
        // The rate limiter is tested elsewhere; here it would only slow the fuzzer down.
        .put("rateLimitPerSecond", 1_000_000).put("rateLimitBurst", 10_000_000).put("rateLimitCloseAfter", 10_000_000)
        .put("authTimeoutMs", 5_000).put("maxFrameBytes", 16_384));
    System.out.println("FrameFuzzTest: seed " + SEED + ", " + FRAMES + " frames");
    long start = System.nanoTime();
    try (LogCapture logs = new LogCapture()) {
      AtomicBoolean running = new AtomicBoolean(true);
      Thread bystander = new Thread(() -> bystander(hub, running), "fuzz-bystander");
      bystander.start();
      ExecutorService pool = Executors.newFixedThreadPool(FUZZERS);
      List<Future<?>> fuzzers = new ArrayList<>();
      for (int i = 0; i < FUZZERS; i++) {
        int n = i;
        fuzzers.add(pool.submit(() -> {
          fuzzer(vertx, hub, n, new Random(SEED + n));
          return null;
        }));
      }
      for (Future<?> f : fuzzers) {
        f.get(500, TimeUnit.SECONDS);
      }
      pool.shutdownNow();
      running.set(false);
      bystander.join(30_000);
      long seconds = Math.max(1, Duration.ofNanos(System.nanoTime() - start).toSeconds());
      long traces = logs.records().stream().filter(r -> r.thrown() != null && r.atLeast(Level.INFO)).count();
      long warnLines = logs.records().stream().filter(r -> r.atLeast(Level.WARN)).count();
      System.out.printf("FrameFuzzTest: %d frames sent, %d confirmed read, in %d s (%d/s) over %d sessions, %d replies, %d bystander checks, "
              + "%d stalls, %d bad replies, %d bystander failures, %d stack traces and %d lines at WARNING or above logged%n",
          sent.get(), confirmed.get(), seconds, sent.get() / seconds, sessions.get(), replies.get(), bystanderChecks.get(), stalls.size(),
          badReplies.size(), bystanderFailures.size(), traces, warnLines);
      System.out.println("FrameFuzzTest: close codes " + new java.util.TreeMap<>(closeCodes));
      assertTrue(confirmed.get() >= FRAMES, "only " + confirmed.get() + " frames confirmed read by the node");
      assertEquals(List.of(), stalls, "the node stopped answering a session");
      assertEquals(List.of(), badReplies.subList(0, Math.min(20, badReplies.size())), "bad replies");
      assertEquals(List.of(), bystanderFailures.subList(0, Math.min(20, bystanderFailures.size())), "bystander failures");
      assertTrue(bystanderChecks.get() >= 10, "the bystander was checked only " + bystanderChecks.get() + " times");
      assertEquals(0, traces, "stack traces logged: " + firstTrace(logs.records()));
      // The node's last-resort handler logs a thrown handler as one WARN line without its trace.
      assertEquals(List.of(), logs.records().stream().filter(r -> r.message().contains("unhandled exception"))
          .map(LogCapture.Line::toString).limit(5).toList(), "a handler threw");
      assertEquals(200, HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.port() + "/health/live"))
          .build(), HttpResponse.BodyHandlers.discarding()).statusCode(), "the node is not live after the run");
    }
  }

  private static String firstTrace(List<LogCapture.Line> records) {
    return records.stream().filter(r -> r.thrown() != null).findFirst()
        .map(r -> r.toString()).orElse("none");
  }

  // ---- the bystander ------------------------------------------------------------------------------

  /**
   * A tech watching a client of tenant acme (the fuzzers are in tenant fuzz): every round the client
   * toggles between online and offline (bye, reconnect) and the tech must see each change, and its
   * query answer, within a few seconds; it must never receive anything else.
   */
  private void bystander(LiveHub hub, AtomicBoolean running) {
    try {
      SockJsTestClient watcher = hub.login(Transport.SOCKJS_WEBSOCKET, "acme", "by-tech", "tech");
      watcher.send(new JsonObject().put("type", "subscribe").put("id", "s").put("users", new JsonArray().add("by-client")));
      watcher.reply("s");
      int round = 0;
      while (running.get()) {
        round++;
        SockJsTestClient client = hub.login(Transport.RAW_WEBSOCKET, "acme", "by-client", "client");
        watcher.await(f -> "presence".equals(f.getString("type")) && f.getValue("id") == null
            && f.getJsonArray("updates").stream().anyMatch(u -> "online".equals(((JsonObject) u).getString("status"))),
            Duration.ofSeconds(10));
        watcher.send(new JsonObject().put("type", "query").put("id", "q" + round).put("users", new JsonArray().add("by-client")));
        String status = watcher.reply("q" + round).getJsonArray("updates").getJsonObject(0).getString("status");
        if (!"online".equals(status)) {
          bystanderFailures.add("round " + round + ": query says " + status + " while the client is connected");
        }
        client.send(new JsonObject().put("type", "bye"));
        client.awaitClose(Duration.ofSeconds(10));
        watcher.await(f -> "presence".equals(f.getString("type")) && f.getValue("id") == null
            && f.getJsonArray("updates").stream().anyMatch(u -> "offline".equals(((JsonObject) u).getString("status"))),
            Duration.ofSeconds(10));
        if (watcher.isClosed()) {
          bystanderFailures.add("round " + round + ": the watcher's session was closed");
          return;
        }
        for (JsonObject f : watcher.received()) {
          String type = f.getString("type");
          if (!"welcome".equals(type) && !"presence".equals(type) && !"ack".equals(type)) {
            bystanderFailures.add("round " + round + ": unexpected frame " + f.encode());
          }
          if ("presence".equals(type)) {
            for (Object u : f.getJsonArray("updates")) {
              if (!"by-client".equals(((JsonObject) u).getString("user")) && !"by-tech".equals(((JsonObject) u).getString("user"))) {
                bystanderFailures.add("round " + round + ": a record of another user reached the bystander: " + f.encode());
              }
            }
          }
        }
        bystanderChecks.incrementAndGet();
        // Paces the rounds (a few per second): the bystander is a person, not a load generator.
        Thread.sleep(200);
      }
    } catch (Throwable t) {
      bystanderFailures.add("bystander: " + t);
    }
  }

  // ---- the fuzzers --------------------------------------------------------------------------------

  private void fuzzer(Vertx vertx, LiveHub hub, int n, Random rnd) throws Exception {
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(1 << 20)
        .setMaxMessageSize(1 << 22));
    Mutator m = new Mutator(rnd, hub, n);
    long share = FRAMES / FUZZERS + 1;
    long mine = 0;
    while (confirmed.get() < FRAMES && mine < 3L * share) {
      boolean sockjs = rnd.nextInt(5) == 0;
      Session s = Session.open(client, hub.port(), sockjs ? "/presence/" + rnd.nextInt(1000) + "/" + Long.toHexString(rnd.nextLong()) + "/websocket"
          : "/presence/websocket", sockjs, this);
      sessions.incrementAndGet();
      // Mostly a valid login first (so that the fuzz reaches every frame type); sometimes a mutated one.
      if (rnd.nextInt(10) == 0) {
        s.send(List.of(m.mutatedAuth()));
        mine++;
        sent.incrementAndGet();
      } else {
        s.send(List.of(new JsonObject().put("type", "auth").put("token", hub.token("fuzz", "f-" + n + "-" + rnd.nextInt(5),
            rnd.nextBoolean() ? "tech" : "client")).encode()));
      }
      int sync = 0;
      while (!s.closed() && confirmed.get() < FRAMES) {
        List<String> burst = new ArrayList<>(BURST);
        for (int i = 0; i < BURST; i++) {
          burst.add(m.mutated());
        }
        String sentinel = "sync-" + n + "-" + (++sync);
        burst.add(new JsonObject().put("type", "query").put("id", sentinel).put("users", new JsonArray().add("f-0-0")).encode());
        s.send(burst);
        if (sockjs && rnd.nextInt(4) == 0) {
          // A SockJS batch vertx-web cannot read: non-string elements, or not JSON at all (SockJS closes).
          s.sendRaw(new String[] {"[null]", "[\"{}\",null]", "[[\"a\"]]", "[{}]", "[1,true]", "[\"a\"", "nope", "\"{}\""}[rnd.nextInt(8)]);
          sent.incrementAndGet();
        }
        mine += BURST;
        sent.addAndGet(BURST);
        // The sentinel's answer (or the session's end) shows the node got through the burst.
        if (!s.awaitSentinelOrClose(sentinel, Duration.ofSeconds(30))) {
          stalls.add("fuzzer " + n + ": no answer to " + sentinel + " nor a close within 30 s");
          s.close();
          break;
        }
        if (s.answered(sentinel)) {
          confirmed.addAndGet(BURST);
        }
      }
      s.close();
    }
    client.close();
  }

  /** One fuzz connection, raw or SockJS framed; checks every frame it receives. */
  private static final class Session {
    private final WebSocket ws;
    private final boolean sockjs;
    private final FrameFuzzTest test;
    private final Promise<Void> closed = Promise.promise();
    private volatile String awaited;
    private volatile String lastAnswered;
    private volatile Promise<Void> answered;

    private Session(WebSocket ws, boolean sockjs, FrameFuzzTest test) {
      this.ws = ws;
      this.sockjs = sockjs;
      this.test = test;
    }

    static Session open(WebSocketClient client, int port, String uri, boolean sockjs, FrameFuzzTest test) throws Exception {
      WebSocket ws = client.connect(port, "127.0.0.1", uri).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      Session s = new Session(ws, sockjs, test);
      ws.textMessageHandler(s::onText);
      ws.binaryMessageHandler(b -> test.badReplies.add("a binary message"));
      ws.exceptionHandler(err -> { });
      ws.closeHandler(v -> {
        test.closeCodes.merge(String.valueOf(ws.closeStatusCode()), 1, Integer::sum);
        s.closed.tryComplete();
      });
      return s;
    }

    void send(List<String> frames) {
      if (sockjs) {
        ws.writeTextMessage(new JsonArray(new ArrayList<Object>(frames)).encode());
      } else {
        for (String f : frames) {
          ws.writeTextMessage(f);
        }
      }
    }

    /** Sends a transport frame as is (SockJS batches with non-string elements, broken JSON). */
    void sendRaw(String text) {
      ws.writeTextMessage(text);
    }

    boolean answered(String id) {
      return id.equals(lastAnswered);
    }

    boolean closed() {
      return closed.future().isComplete();
    }

    boolean awaitSentinelOrClose(String id, Duration timeout) throws Exception {
      Promise<Void> p = Promise.promise();
      answered = p;
      awaited = id;
      closed.future().onComplete(v -> p.tryComplete());
      try {
        p.future().toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return true;
      } catch (java.util.concurrent.TimeoutException e) {
        return false;
      }
    }

    void close() {
      ws.close();
    }

    private void onText(String text) {
      if (!sockjs) {
        onFrame(text);
        return;
      }
      // SockJS framing: o, h, c[code,"reason"], a["frame",…]
      if (text.startsWith("a")) {
        for (Object f : new JsonArray(text.substring(1))) {
          onFrame((String) f);
        }
      }
    }

    private void onFrame(String text) {
      test.replies.incrementAndGet();
      JsonObject f;
      try {
        f = new JsonObject(text);
      } catch (RuntimeException e) {
        test.badReplies.add("not a JSON object: " + text);
        return;
      }
      String type = f.getString("type");
      if (type == null) {
        test.badReplies.add("no type: " + text);
      } else if ("error".equals(type) && (f.getString("message") == null || JAVA_TEXT.matcher(f.getString("message")).find())) {
        test.badReplies.add("error with Java text or no message: " + text);
      }
      if (awaited != null && awaited.equals(f.getValue("id")) && answered != null) {
        lastAnswered = awaited;
        answered.tryComplete();
      }
    }
  }

  /** Frames derived from valid ones, and broken in every way a client could break them. */
  private static final class Mutator {
    private final Random rnd;
    private final LiveHub hub;
    private final int n;
    private final List<JsonObject> seeds = new ArrayList<>();
    private static final String[] FIELDS = {"type", "id", "users", "roster", "status", "until", "idleMs", "to", "kind",
        "payload", "token", "client"};
    private static final String[] TYPES = {"auth", "activity", "presence.set", "subscribe", "unsubscribe", "query",
        "chat.push", "bye", "ping", "pong", "welcome", "error", "", "AUTH", "query ", "subscribe\u0000"};

    Mutator(Random rnd, LiveHub hub, int n) {
      this.rnd = rnd;
      this.hub = hub;
      this.n = n;
      JsonArray users = new JsonArray().add("f-" + n + "-1").add("f-0-0").add("by-client");
      seeds.add(new JsonObject().put("type", "activity"));
      seeds.add(new JsonObject().put("type", "activity").put("id", 1).put("idleMs", 500));
      seeds.add(new JsonObject().put("type", "presence.set").put("id", "p").put("status", "away").put("until", System.currentTimeMillis() + 60_000));
      seeds.add(new JsonObject().put("type", "presence.set").put("status", "online"));
      seeds.add(new JsonObject().put("type", "subscribe").put("id", "s").put("users", users));
      seeds.add(new JsonObject().put("type", "subscribe").put("roster", "tech"));
      seeds.add(new JsonObject().put("type", "unsubscribe").put("users", users));
      seeds.add(new JsonObject().put("type", "unsubscribe").put("roster", "client"));
      seeds.add(new JsonObject().put("type", "query").put("id", 7).put("users", users));
      seeds.add(new JsonObject().put("type", "chat.push").put("id", "c").put("to", "f-0-0").put("kind", "chat.request")
          .put("payload", new JsonObject().put("text", "hello")));
      seeds.add(new JsonObject().put("type", "ping").put("id", "pi"));
      seeds.add(new JsonObject().put("type", "auth").put("id", "r").put("token", hub.token("fuzz", "f-" + n + "-0", "tech")));
      seeds.add(new JsonObject().put("type", "bye"));
    }

    String mutatedAuth() {
      JsonObject auth = new JsonObject().put("type", "auth").put("token", hub.token("fuzz", "f-" + n + "-9", "tech"));
      return mutate(auth);
    }

    String mutated() {
      JsonObject seed = seeds.get(rnd.nextInt(seeds.size()));
      // bye, and a refresh with a broken token, end the session and the rest of its burst: rare.
      boolean ends = "bye".equals(seed.getString("type")) || "auth".equals(seed.getString("type"));
      if (ends && rnd.nextInt(100) != 0) {
        seed = seeds.get(rnd.nextInt(seeds.size() - 2));
      }
      String frame = mutate(seed);
      // A mutation that happens to produce a bye or an auth: same rule.
      if (!ends && (frame.contains("\"bye\"") || frame.contains("\"auth\"")) && rnd.nextInt(100) != 0) {
        return mutate(seeds.get(0));
      }
      return frame;
    }

    private String mutate(JsonObject seed) {
      JsonObject f = seed.copy();
      int rounds = 1 + rnd.nextInt(3);
      for (int r = 0; r < rounds; r++) {
        switch (rnd.nextInt(8)) {
          case 0 -> f.put(FIELDS[rnd.nextInt(FIELDS.length)], nasty());
          case 1 -> f.remove(FIELDS[rnd.nextInt(FIELDS.length)]);
          case 2 -> f.put("type", rnd.nextInt(4) == 0 ? nasty() : TYPES[rnd.nextInt(TYPES.length)]);
          case 3 -> f.put(randomString(1 + rnd.nextInt(8)), nasty());
          case 4 -> f.put("id", rnd.nextBoolean() ? nasty() : numberText());
          case 5 -> {
            if (f.getValue("users") instanceof JsonArray a) {
              JsonArray b = a.copy();
              b.add(nasty());
              f.put("users", b);
            } else {
              f.put("users", new JsonArray().add(nasty()).add(nasty()));
            }
          }
          case 6 -> {
            if (f.getValue("token") != null) {
              f.put("token", mutateToken(f.getString("token", "x.y.z")));
            } else {
              f.put("payload", nastyObject(3));
            }
          }
          default -> {
            return byteMutation(f.encode());
          }
        }
      }
      String text = f.encode();
      // Raw numbers JSON cannot hold as a Java value: 2^64, 1e400, -0, long fractions.
      if (rnd.nextInt(6) == 0) {
        text = text.replace("\"#num#\"", numberText());
      }
      return text;
    }

    private String mutateToken(String token) {
      String[] parts = token.split("\\.", -1);
      return switch (rnd.nextInt(5)) {
        case 0 -> token.substring(0, rnd.nextInt(Math.max(1, token.length())));
        case 1 -> parts.length == 3 ? b64(nastyObject(2).encode()) + "." + parts[1] + "." + parts[2] : token;
        case 2 -> parts.length == 3 ? parts[0] + "." + b64(MalformedTokenTest.claimsWith(
            new String[] {"exp", "nbf", "iat", "sub", "tenant", "role"}[rnd.nextInt(6)], numberText())) + "." + parts[2] : token;
        case 3 -> MalformedTokenTest.sign("{\"alg\":\"HS256\"}", MalformedTokenTest.claimsWith(
            new String[] {"exp", "nbf", "iat", "sub", "tenant", "role", "name", "aud", "iss"}[rnd.nextInt(9)],
            rnd.nextBoolean() ? numberText() : String.valueOf(io.vertx.core.json.Json.encode(nasty()))));
        default -> randomString(rnd.nextInt(200));
      };
    }

    private static String b64(String s) {
      return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static final String INSERTS = "{[\"\\,:}]0-e.\u0000\ud800";

    private String byteMutation(String text) {
      StringBuilder sb = new StringBuilder(text);
      int edits = 1 + rnd.nextInt(4);
      for (int i = 0; i < edits && sb.length() > 0; i++) {
        int at = rnd.nextInt(sb.length());
        switch (rnd.nextInt(5)) {
          case 0 -> sb.setCharAt(at, (char) rnd.nextInt(128));
          case 1 -> sb.deleteCharAt(at);
          case 2 -> sb.insert(at, INSERTS.charAt(rnd.nextInt(INSERTS.length())));
          case 3 -> sb.setLength(at);
          default -> sb.insert(at, sb.substring(at, Math.min(sb.length(), at + 1 + rnd.nextInt(20))));
        }
      }
      return sb.toString();
    }

    private String numberText() {
      return new String[] {"18446744073709551616", "1e400", "-1e400", "9.3e15", "1e19", "1e300", "-0", "0.1000000000000000055511151231257827",
          "9007199254740993", "-9223372036854775809", "1E-400", "123456789012345678901234567890", "\"#num#\"", "NaN", "01"}[rnd.nextInt(15)];
    }

    private Object nasty() {
      return switch (rnd.nextInt(16)) {
        case 0 -> null;
        case 1 -> rnd.nextBoolean();
        case 2 -> rnd.nextLong();
        case 3 -> rnd.nextDouble() * Math.pow(10, rnd.nextInt(300));
        case 4 -> "";
        case 5 -> "a\ud800b";
        case 6 -> "\udc00";
        case 7 -> "x".repeat(rnd.nextInt(3) == 0 ? 257 : 256);
        case 8 -> randomString(rnd.nextInt(40));
        case 9 -> nastyObject(2);
        case 10 -> new JsonArray().add(nastyArray(1 + rnd.nextInt(40)));
        case 11 -> "#num#";
        case 12 -> "by-client";
        case 13 -> "\u2028\u0000\"\\'<script>";
        case 14 -> rnd.nextInt(50) == 0 ? "y".repeat(20_000) : "f-0-0";
        default -> new JsonArray().add("f-" + n + "-1").add(1).add((Object) null);
      };
    }

    private JsonArray nastyArray(int depth) {
      JsonArray a = new JsonArray();
      JsonArray cur = a;
      for (int i = 0; i < depth; i++) {
        JsonArray next = new JsonArray();
        cur.add(next);
        cur = next;
      }
      return a;
    }

    private JsonObject nastyObject(int depth) {
      JsonObject o = new JsonObject();
      for (int i = 0; i < 1 + rnd.nextInt(4); i++) {
        o.put(randomString(1 + rnd.nextInt(6)), depth == 0 ? randomString(5) : rnd.nextBoolean() ? nastyObject(depth - 1) : rnd.nextInt());
      }
      return o;
    }

    private String randomString(int length) {
      StringBuilder sb = new StringBuilder(length);
      for (int i = 0; i < length; i++) {
        int kind = rnd.nextInt(10);
        sb.append(kind < 7 ? (char) (32 + rnd.nextInt(95)) : kind < 9 ? (char) (0x80 + rnd.nextInt(0x2000)) : (char) rnd.nextInt(32));
      }
      return sb.toString();
    }
  }
}
