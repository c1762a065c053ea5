package com.presencehub.gateway.impl;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.net.impl.VertxConnection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link DirectWrites} on a real vertx-core WebSocket: both connections of the socket lose their
 * MPSC outbound queue, frames still go out in order (from the loop, and from another thread, which
 * is handed to the loop), back-pressure still answers, and a write after the close fails.
 */
class DirectWritesTest {

  private Vertx vertx;
  private HttpServer server;
  private final AtomicReference<ServerWebSocket> serverSide = new AtomicReference<>();
  private final AtomicReference<List<Boolean>> applied = new AtomicReference<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    server = vertx.createHttpServer().requestHandler(req -> req.toWebSocket().onSuccess(ws -> {
      // As the hub does behind vertx-web (whose wrapper hides the WebSocket): through the upgraded connection.
      applied.set(List.of(DirectWrites.apply(req.connection()), DirectWrites.applied(ws),
          DirectWrites.applied((VertxConnection) req.connection())));
      // Echo, written on the loop.
      ws.textMessageHandler(ws::writeTextMessage);
      serverSide.set(ws);
    }));
    server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private WebSocket connect(List<String> received) throws Exception {
    WebSocketClient client = vertx.createWebSocketClient();
    WebSocket ws = client.connect(server.actualPort(), "127.0.0.1", "/").await(10, TimeUnit.SECONDS);
    ws.textMessageHandler(received::add);
    await().atMost(Duration.ofSeconds(10)).until(() -> serverSide.get() != null);
    return ws;
  }

  @Test
  @DisplayName("vertx-core 5.0.10 has the shape DirectWrites works on")
  void supported() {
    assertTrue(DirectWrites.supported(), "VertxConnection.outboundMessageQueue or its interface changed");
  }

  @Test
  @DisplayName("both connections of a WebSocket drop the MPSC queue; frames written on the loop arrive in order")
  void loopWritesInOrder() throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    WebSocket client = connect(received);
    assertEquals(List.of(true, true, true), applied.get());
    assertTrue(DirectWrites.applied(serverSide.get()));
    for (int i = 0; i < 500; i++) {
      client.writeTextMessage("m" + i);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 500);
    for (int i = 0; i < 500; i++) {
      assertEquals("m" + i, received.get(i));
    }
  }

  @Test
  @DisplayName("writes from another thread are handed to the loop, in order, and their futures complete")
  void foreignThreadWrites() throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    connect(received);
    ServerWebSocket ws = serverSide.get();
    CompletableFuture<Future<Void>> last = new CompletableFuture<>();
    Thread foreign = new Thread(() -> {
      Future<Void> f = null;
      for (int i = 0; i < 300; i++) {
        f = ws.writeTextMessage("f" + i);
      }
      last.complete(f);
    });
    foreign.start();
    last.get(10, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 300);
    for (int i = 0; i < 300; i++) {
      assertEquals("f" + i, received.get(i));
    }
    assertFalse(ws.writeQueueFull());
  }

  @Test
  @DisplayName("a write after the close fails its future, as with Vert.x's queue")
  void writeAfterClose() throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    WebSocket client = connect(received);
    ServerWebSocket ws = serverSide.get();
    client.close().await(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(ws::isClosed);
    CompletableFuture<Boolean> failed = new CompletableFuture<>();
    vertx.runOnContext(v -> ws.writeTextMessage("late").onComplete(ar -> failed.complete(ar.failed())));
    assertTrue(failed.get(10, TimeUnit.SECONDS));
  }

  @Test
  @DisplayName("off the connection's loop nothing is replaced")
  void offLoopRefused() throws Exception {
    connect(new CopyOnWriteArrayList<>());
    ServerWebSocket fresh = serverSide.get();
    assertFalse(DirectWrites.apply((VertxConnection) null));
    // Already applied: answers true without a second proxy.
    CompletableFuture<Boolean> again = new CompletableFuture<>();
    ((io.vertx.core.internal.http.WebSocketInternal) fresh).channelHandlerContext().executor()
        .execute(() -> again.complete(DirectWrites.apply(fresh)));
    assertTrue(again.get(10, TimeUnit.SECONDS));
  }
}
