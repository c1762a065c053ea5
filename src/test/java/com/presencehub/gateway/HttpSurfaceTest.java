package com.presencehub.gateway;

import com.presencehub.LogCapture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.testing.SockJsTestClient;
import com.presencehub.testing.SockJsTestClient.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HTTP surface seen with raw sockets, as an attacker or a broken proxy would use it (issue 11
 * §3, §4): request framing, connections that never become a session, the per-address cap, SockJS
 * send bodies, and the allowed origins.
 */
@ExtendWith(VertxExtension.class)
@Timeout(90)
@DisplayName("The HTTP surface: framing, slow connections, send bodies, origins")
class HttpSurfaceTest {

  private final List<Socket> sockets = new ArrayList<>();

  @AfterEach
  void closeSockets() {
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException ignored) {
        // already closed by the hub
      }
    }
  }

  // ---- request framing ----------------------------------------------------------------------------

  @Test
  @DisplayName("Content-Length together with Transfer-Encoding gets 400 and the connection closed; the bytes behind it are not served")
  void contentLengthWithTransferEncodingIsRefused(Vertx vertx) throws IOException {
    LiveHub hub = LiveHub.start(vertx, LiveHub.noIdle());
    String smuggled = "POST /presence/000/abc/xhr_send HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
        + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        + "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    String answer = exchange(hub.port(), smuggled);
    assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
    assertTrue(answer.contains("Content-Length together with Transfer-Encoding"), answer);
    assertEquals(1, count(answer, "HTTP/1.1 "), "the smuggled request was served:\n" + answer);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"Transfer-Encoding: gzip", "Transfer-Encoding: gzip, chunked", "Transfer-Encoding: identity",
      "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked"})
  @DisplayName("A Transfer-Encoding other than one chunked gets 400 and the connection closed")
  void otherTransferEncodingsAreRefused(String header, Vertx vertx) throws IOException {
    LiveHub hub = LiveHub.start(vertx, LiveHub.noIdle());
    String answer = exchange(hub.port(), "POST /presence/000/abc/xhr_send HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Content-Type: text/plain\r\n" + header + "\r\n\r\n0\r\n\r\nGET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
    assertTrue(answer.contains("Transfer-Encoding"), answer);
    assertEquals(1, count(answer, "HTTP/1.1 "), "a request behind the refused one was served:\n" + answer);
  }

  @Test
  @DisplayName("Well-framed requests keep working: chunked alone, Content-Length alone, keep-alive")
  void wellFramedRequestsWork(Vertx vertx) throws IOException {
    LiveHub hub = LiveHub.start(vertx, LiveHub.noIdle());
    Socket s = open(hub.port());
    write(s, "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    assertTrue(readResponse(s).startsWith("HTTP/1.1 200"));
    write(s, "POST /presence/000/nosuch/xhr_send HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n7\r\n[\"abc\"]\r\n0\r\n\r\n");
    String chunked = readResponse(s);
    assertTrue(chunked.startsWith("HTTP/1.1 404"), "a chunked xhr_send to an unknown session: " + chunked);
    write(s, "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    assertTrue(readResponse(s).startsWith("HTTP/1.1 200"), "keep-alive connection not served again");
  }

  // ---- connections that are not a session ---------------------------------------------------------

  @Test
  @DisplayName("Silent and header-trickling connections are closed after httpHeaderTimeoutMs, idle keep-alive ones after httpIdleTimeoutMs")
  void slowConnectionsAreClosed(Vertx vertx) throws Exception {
    LiveHub hub = LiveHub.start(vertx, LiveHub.noIdle().put("httpHeaderTimeoutMs", 800).put("httpIdleTimeoutMs", 800)
        .put("maxPendingConnectionsPerAddress", 1000));
    List<Socket> silent = new ArrayList<>();
    List<Socket> trickling = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      silent.add(open(hub.port()));
      trickling.add(open(hub.port()));
    }
    Socket keptAlive = open(hub.port());
    write(keptAlive, "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    assertTrue(readResponse(keptAlive).startsWith("HTTP/1.1 200"));
    long start = System.nanoTime();
    byte[] header = "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
    // One byte per connection every 100 ms: each connection sends bytes for as long as it is open.
    int sent = 0;
    while (System.nanoTime() - start < Duration.ofSeconds(15).toNanos() && trickling.stream().anyMatch(s -> !s.isClosed())) {
      for (Socket s : trickling) {
        if (!s.isClosed()) {
          try {
            s.getOutputStream().write(sent < header.length ? header[sent] : 'a');
          } catch (IOException closedByHub) {
            s.close();
          }
        }
      }
      sent++;
      Thread.sleep(100);
    }
    long elapsedMs = Duration.ofNanos(System.nanoTime() - start).toMillis();
    assertTrue(trickling.stream().allMatch(Socket::isClosed), "trickling connections still open after " + elapsedMs + " ms");
    assertTrue(elapsedMs >= 700, "closed before the header timeout: " + elapsedMs + " ms");
    for (Socket s : silent) {
      assertTrue(closedByPeer(s, Duration.ofSeconds(5)), "a silent connection is still open");
    }
    assertTrue(closedByPeer(keptAlive, Duration.ofSeconds(5)), "an idle keep-alive connection is still open");
  }

  @Test
  @DisplayName("A request body trickled slower than httpHeaderTimeoutMs gets the connection closed")
  void slowBodyIsClosed(Vertx vertx) throws Exception {
    LiveHub hub = LiveHub.start(vertx, LiveHub.noIdle().put("httpHeaderTimeoutMs", 800));
    Socket s = open(hub.port());
    write(s, "POST /presence/000/abc/xhr_send HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
        + "Content-Length: 1000\r\n\r\n[");
    long start = System.nanoTime();
    boolean closed = false;
    while (!closed && System.nanoTime() - start < Duration.ofSeconds(10).toNanos()) {
      try {
        s.getOutputStream().write('"');
        closed = closedByPeer(s, Duration.ofMillis(100));
      } catch (IOException reset) {
        closed = true;
      }
    }
    long ms = Duration.ofNanos(System.nanoTime() - start).toMillis();
    assertTrue(closed, "a trickled body kept its connection for 10 s");
    assertTrue(ms >= 700, "closed before the timeout: " + ms + " ms");
  }

  @Test
  @DisplayName("Sessions on every transport are not touched by those timeouts")
  void sessionsOutliveTheTimeouts(Vertx vertx) {
    LiveHub hub = LiveHub.start(vertx, LiveHub.noIdle().put("httpHeaderTimeoutMs", 300).put("httpIdleTimeoutMs", 300));
    List<SockJsTestClient> clients = new ArrayList<>();
    for (Transport t : Transport.values()) {
      clients.add(hub.login(t, "acme", "t-" + t.ordinal(), "tech"));
    }
    clients.get(0).assertStaysOpen(Duration.ofMillis(1_500));
    for (SockJsTestClient c : clients) {
      assertFalse(c.isClosed(), c.transport() + " closed");
      c.send(new JsonObject().put("type", "query").put("id", "q").put("users", new JsonArray().add("t-0")));
      assertEquals("presence", c.reply("q").getString("type"), c.transport().toString());
    }
  }

  @Test
  @DisplayName("One address holds at most maxPendingConnectionsPerAddress connections without a request; other addresses are not affected")
  void pendingConnectionsPerAddressAreCapped(Vertx vertx) throws Exception {
    LiveHub hub = LiveHub.start(vertx, LiveHub.noIdle().put("maxPendingConnectionsPerAddress", 5)
        .put("httpHeaderTimeoutMs", 60_000).put("httpIdleTimeoutMs", 60_000));
    List<Socket> held = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      held.add(open(hub.port()));
    }
    // The hub counts a connection once it has accepted it: wait until the five are in.
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> hub.node().node().openConnections() >= 5);
    Socket sixth = open(hub.port());
    assertTrue(closedByPeer(sixth, Duration.ofSeconds(5)), "a sixth connection without a request was kept");
    for (Socket s : held) {
      assertFalse(closedByPeer(s, Duration.ofMillis(100)), "one of the first five was closed");
    }
    // Another source address is counted on its own.
    Socket other = new Socket();
    sockets.add(other);
    other.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
    other.connect(new InetSocketAddress("127.0.0.1", hub.port()), 5_000);
    write(other, "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    assertTrue(readResponse(other).startsWith("HTTP/1.1 200"));
    // A held connection that sends its request is no longer pending: room for a new one.
    write(held.get(0), "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    assertTrue(readResponse(held.get(0)).startsWith("HTTP/1.1 200"));
    Socket again = open(hub.port());
    write(again, "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    assertTrue(readResponse(again).startsWith("HTTP/1.1 200"), "no room after a pending connection became a request");
  }

  // ---- SockJS send bodies ---------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"[null]", "[[\"a\"]]", "[{}]", "[\"{\\\"type\\\":\\\"activity\\\"}\",null]", "[true]", "[1]"})
  @DisplayName("An xhr_send body with an element that is not a string gets a clear 400, no stack trace, and the session carries on")
  void nonStringSendBodiesAreRefused(String body, Vertx vertx) throws Exception {
    LiveHub hub = LiveHub.start(vertx, LiveHub.noIdle());
    try (LogCapture logs = new LogCapture()) {
      String session = "/presence/000/" + Long.toHexString(ThreadLocalRandom.current().nextLong());
      String open = post(hub.port(), session + "/xhr", "");
      assertTrue(open.startsWith("HTTP/1.1 200") && open.contains("\r\no\n"), open);
      String refused = post(hub.port(), session + "/xhr_send", body);
      assertTrue(refused.startsWith("HTTP/1.1 400"), refused);
      assertTrue(refused.contains("element") && refused.contains("array of strings"), refused);
      // The session is still there and still takes frames.
      String token = hub.token("acme", "t-1", "tech");
      String ok = post(hub.port(), session + "/xhr_send",
          new JsonArray().add(new JsonObject().put("type", "auth").put("token", token).encode()).encode());
      assertTrue(ok.startsWith("HTTP/1.1 204"), ok);
      String polled = "";
      for (int i = 0; i < 5 && !polled.contains("welcome"); i++) {
        polled += post(hub.port(), session + "/xhr", "");
      }
      assertTrue(polled.contains("welcome"), polled);
      logs.assertNoStackTraces();
    }
  }

  @Test
  @DisplayName("A SockJS WebSocket batch with a non-string element writes no stack trace")
  void nonStringWebSocketBatchWritesNoTrace(Vertx vertx) {
    LiveHub hub = LiveHub.start(vertx, LiveHub.noIdle());
    try (LogCapture logs = new LogCapture()) {
      SockJsTestClient c = hub.connect(Transport.SOCKJS_WEBSOCKET);
      for (int i = 0; i < 50; i++) {
        c.sendRawFrame("[\"{}\",null]");
      }
      SockJsTestClient bystander = hub.login(Transport.RAW_WEBSOCKET, "acme", "t-9", "tech");
      bystander.send(new JsonObject().put("type", "query").put("id", "q").put("users", new JsonArray().add("t-9")));
      assertEquals("online", bystander.reply("q").getJsonArray("updates").getJsonObject(0).getString("status"));
      logs.assertNoStackTraces();
      assertTrue(logs.linesAtWarning() <= 6, "more than a few lines for 50 bad batches: " + logs.linesAtWarning());
    }
  }

  @Test
  @DisplayName("Garbage HTTP requests get a 4xx or a close, and no stack trace in the log")
  void garbageRequestsWriteNoTraces(Vertx vertx) throws IOException {
    LiveHub hub = LiveHub.start(vertx, LiveHub.noIdle());
    List<String> garbage = List.of(
        "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /no/such/page HTTP/1.1\r\nHost: x\r\n\r\n",
        "DELETE /health/live HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /presence/%zz/%%/xhr HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST /presence/000/%zz/xhr_send HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n[]",
        "BLAH / HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET / HTTP/9.9\r\nHost: x\r\n\r\n",
        "GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(10_000) + "\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
        "\u0000\u0001\u0002garbage\r\n\r\n",
        "GET /presence/info HTTP/1.1\r\nHost: x\r\nOrigin: \u00ff\u00fe\r\n\r\n",
        "GET /dev/token?tenant=%ud800&user=%00&role=tech HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST /presence/000/abc/jsonp_send HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 8\r\n\r\nd=[null]");
    try (LogCapture logs = new LogCapture()) {
      for (String request : garbage) {
        String answer = exchange(hub.port(), request.contains("Connection:") ? request
            : request.replaceFirst("\r\n", "\r\nConnection: close\r\n"));
        assertTrue(answer.isEmpty() || answer.matches("(?s)HTTP/\\d\\.\\d [2-5]\\d\\d .*"), "odd answer to " + request + ":\n" + answer);
        // 501 is Vert.x's answer to an HTTP version it does not speak; a 500 would be a failure of ours.
        assertFalse(answer.startsWith("HTTP/1.1 500"), "a server error for " + request.substring(0, Math.min(80, request.length())) + ":\n" + answer);
      }
      logs.assertNoStackTraces();
      assertTrue(logs.linesAtWarning() <= 5, logs.linesAtWarning() + " lines at WARNING or above for " + garbage.size() + " requests");
    }
    assertEquals(200, exchange(hub.port(), get("/health/live", null)).startsWith("HTTP/1.1 200") ? 200 : 0);
  }

  // ---- origins --------------------------------------------------------------------------------------

  @Test
  @DisplayName("With allowedOrigins set, an unlisted page gets 403 without CORS headers, on /presence/info and on the WebSocket upgrade")
  void restrictedOrigins(Vertx vertx) throws IOException {
    LiveHub hub = LiveHub.start(vertx, LiveHub.noIdle().put("allowedOrigins", new JsonArray().add("https://portal.example.com")));
    String evil = exchange(hub.port(), get("/presence/info", "https://evil.example"));
    assertTrue(evil.startsWith("HTTP/1.1 403"), evil);
    assertFalse(evil.toLowerCase().contains("access-control-allow-origin"), evil);
    assertFalse(evil.toLowerCase().contains("access-control-allow-credentials"), evil);

    String listed = exchange(hub.port(), get("/presence/info", "https://portal.example.com"));
    assertTrue(listed.startsWith("HTTP/1.1 200"), listed);
    assertTrue(listed.toLowerCase().contains("access-control-allow-origin: https://portal.example.com"), listed);

    String own = exchange(hub.port(), get("/presence/info", "http://127.0.0.1:" + hub.port()).replace("Host: 127.0.0.1\r\n",
        "Host: 127.0.0.1:" + hub.port() + "\r\n"));
    assertTrue(own.startsWith("HTTP/1.1 200"), "the hub's own pages must work: " + own);
    String noOrigin = exchange(hub.port(), get("/presence/info", null));
    assertTrue(noOrigin.startsWith("HTTP/1.1 200"), noOrigin);

    for (String path : List.of("/presence/websocket", "/presence/000/abcd/websocket")) {
      assertTrue(upgrade(hub.port(), path, "https://evil.example").startsWith("HTTP/1.1 403"), path + " upgraded for an unlisted origin");
      assertTrue(upgrade(hub.port(), path, "https://portal.example.com").startsWith("HTTP/1.1 101"), path + " refused a listed origin");
    }
  }

  @Test
  @DisplayName("With the default allowedOrigins (*), any page may connect")
  void anyOriginByDefault(Vertx vertx) throws IOException {
    LiveHub hub = LiveHub.start(vertx, LiveHub.noIdle());
    assertTrue(exchange(hub.port(), get("/presence/info", "https://evil.example")).startsWith("HTTP/1.1 200"));
    assertTrue(upgrade(hub.port(), "/presence/websocket", "https://evil.example").startsWith("HTTP/1.1 101"));
  }

  // ---- raw HTTP -------------------------------------------------------------------------------------

  private static String get(String path, String origin) {
    return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        + (origin == null ? "" : "Origin: " + origin + "\r\n") + "\r\n";
  }

  private String upgrade(int port, String path, String origin) throws IOException {
    Socket s = open(port);
    write(s, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: " + origin + "\r\n\r\n");
    String head = readHead(s);
    s.close();
    return head;
  }

  private String post(int port, String path, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    return exchange(port, "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: text/plain\r\n"
        + "Content-Length: " + b.length + "\r\n\r\n" + body);
  }

  /** Sends, then reads until the hub closes the connection (at most 10 s). */
  private String exchange(int port, String request) throws IOException {
    Socket s = open(port);
    write(s, request);
    s.setSoTimeout(10_000);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    InputStream in = s.getInputStream();
    byte[] buf = new byte[8192];
    try {
      for (int n; (n = in.read(buf)) != -1; ) {
        out.write(buf, 0, n);
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the hub kept the connection open 10 s; got so far:\n" + out.toString(StandardCharsets.UTF_8));
    } catch (IOException reset) {
      // a reset after the answer also ends the exchange
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private Socket open(int port) throws IOException {
    Socket s = new Socket();
    sockets.add(s);
    s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    return s;
  }

  private static void write(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    s.getOutputStream().flush();
  }

  /** The status line and headers of one response. */
  private static String readHead(Socket s) throws IOException {
    s.setSoTimeout(10_000);
    InputStream in = s.getInputStream();
    StringBuilder sb = new StringBuilder();
    while (!sb.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c == -1) {
        break;
      }
      sb.append((char) c);
    }
    return sb.toString();
  }

  /** One whole response with a Content-Length body (what /health/live and 404s send). */
  private static String readResponse(Socket s) throws IOException {
    String head = readHead(s);
    int length = 0;
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    byte[] body = s.getInputStream().readNBytes(length);
    return head + new String(body, StandardCharsets.UTF_8);
  }

  /** True when the hub closes the connection within {@code within}. */
  private static boolean closedByPeer(Socket s, Duration within) throws IOException {
    long deadline = System.nanoTime() + within.toNanos();
    s.setSoTimeout(100);
    while (System.nanoTime() < deadline) {
      try {
        if (s.getInputStream().read() == -1) {
          return true;
        }
      } catch (SocketTimeoutException stillOpen) {
        // keep waiting
      } catch (IOException reset) {
        return true;
      }
    }
    return false;
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }

}
