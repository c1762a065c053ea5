package com.presencehub.gateway;

import ch.qos.logback.classic.Level;
import com.presencehub.LogCapture;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Clients that stop reading are closed (4408, write queue full) without a stack trace in the
 * node's log, also when they then leave (reset their connection). Before the fix each such client
 * made Netty log a ~30-line "promise already done" WARNING about ten seconds after it left.
 */
@ExtendWith(VertxExtension.class)
class StuckClientCloseTest {

  private static final int CLIENTS = 4;

  @Test
  @Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
  @DisplayName("a client that stops reading is dropped without a stack trace in the log")
  void stuckClientsLeaveNoStackTrace(Vertx vertx) throws Exception {
    LiveHub hub = LiveHub.start(vertx, LiveHub.noIdle().put("writeQueueMaxChars", 1_024).put("livenessTimeoutMs", 1_500)
        .put("rateLimitPerSecond", 1_000_000).put("rateLimitBurst", 1_000_000));
    LogCapture capture = new LogCapture();
    int stillOpen;
    try {
      JsonArray users = new JsonArray();
      for (int j = 0; j < 50; j++) {
        users.add(("stuck-" + j + "-").repeat(20));
      }
      byte[] query = frame(new JsonObject().put("type", "query").put("users", users).put("id", "q").encode());
      List<Socket> sockets = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        Socket s = new Socket();
        s.setReceiveBufferSize(4_096);
        s.connect(new InetSocketAddress("127.0.0.1", hub.port()), 5_000);
        upgrade(s);
        s.getOutputStream().write(frame(new JsonObject().put("type", "auth")
            .put("token", hub.token("acme", "stuck-" + i, "tech")).encode()));
        sockets.add(s);
      }
      // Nobody reads: queries until the hub gives up on each (its writes fail) or 20 s pass.
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      List<Socket> open = new ArrayList<>(sockets);
      while (!open.isEmpty() && System.nanoTime() < until) {
        for (Socket s : new ArrayList<>(open)) {
          s.setSoTimeout(50);
          try {
            s.getOutputStream().write(query);
          } catch (IOException e) {
            open.remove(s);
          }
        }
      }
      stillOpen = open.size();
      for (Socket s : sockets) {
        s.close();
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> hub.node().node().openSessions() == 0);
      // Vert.x's WebSocket closing timeout (10 s) is when the trace appeared.
      Thread.sleep(11_000);
    } finally {
      capture.close();
    }
    List<LogCapture.Line> warnings = capture.atLeast(Level.WARN);
    assertTrue(warnings.stream().noneMatch(r -> r.thrown() != null), "stack traces in the log: " + warnings);
    // Its close frame could never reach it: the hub drops the connection instead of holding it.
    assertEquals(0, stillOpen, "the hub kept clients open that had not read for livenessTimeoutMs");
  }

  static void upgrade(Socket s) throws IOException {
    String head = tryUpgrade(s);
    assertTrue(head.startsWith("HTTP/1.1 101"), "upgrade refused: " + head);
  }

  /** Sends a WebSocket upgrade request; the response head. */
  static String tryUpgrade(Socket s) throws IOException {
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    String req = "GET /presence/websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
    InputStream in = s.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n") && head.length() < 4_096) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.append((char) b);
    }
    return head.toString();
  }

  /** A masked client text frame. */
  static byte[] frame(String text) {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    int headLen = payload.length < 126 ? 2 : payload.length < 65_536 ? 4 : 10;
    byte[] f = new byte[headLen + 4 + payload.length];
    f[0] = (byte) 0x81;
    if (payload.length < 126) {
      f[1] = (byte) (0x80 | payload.length);
    } else if (payload.length < 65_536) {
      f[1] = (byte) (0x80 | 126);
      f[2] = (byte) (payload.length >> 8);
      f[3] = (byte) payload.length;
    } else {
      f[1] = (byte) (0x80 | 127);
      for (int i = 0; i < 8; i++) {
        f[2 + i] = (byte) ((long) payload.length >> (8 * (7 - i)));
      }
    }
    byte[] mask = {1, 2, 3, 4};
    System.arraycopy(mask, 0, f, headLen, 4);
    for (int i = 0; i < payload.length; i++) {
      f[headLen + 4 + i] = (byte) (payload[i] ^ mask[i % 4]);
    }
    return f;
  }
}
