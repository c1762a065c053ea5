package com.presencehub.gateway.sockjs;

import io.netty.channel.ChannelHandlerContext;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.ArrayDeque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A SockJS session on one WebSocket: framed ({@code /<server>/<session>/websocket}: {@code o},
 * {@code h}, {@code a[…]}, {@code c[…]} frames, the peer sending JSON arrays of strings) or raw
 * ({@code /websocket}: one text message per message, the close code in the WebSocket close frame).
 * Lives on the WebSocket's context (sockjs-protocol 0.3.3, "WebSocket", "Raw WebSocket").
 */
final class WebSocketSocket implements SockJsSocket {

  private static final Logger LOG = LoggerFactory.getLogger(WebSocketSocket.class);
  /** How often a close waiting for a peer that does not read checks the socket again, ms. */
  private static final long DRAIN_POLL_MS = 100;

  private final ServerWebSocket ws;
  private final boolean framed;
  private final String sessionId;
  private final ContextInternal context;
  private final long heartbeatMs;
  private final HttpConnection connection;
  private final ArrayDeque<String> inbox = new ArrayDeque<>();
  private Handler<Buffer> handler;
  private Handler<Void> closeHandler;
  private boolean paused;
  private boolean closing;
  private boolean ended;
  private long heartbeatTimer = -1;
  private Future<Void> closed;

  /** @param sessionId null for the raw WebSocket */
  WebSocketSocket(ServerWebSocket ws, String sessionId, ContextInternal context, long heartbeatMs, HttpConnection connection) {
    this.ws = ws;
    this.framed = sessionId != null;
    this.sessionId = sessionId;
    this.context = context;
    this.heartbeatMs = heartbeatMs;
    this.connection = connection;
  }

  /** Opens the session (on its context, once the handshake is done). */
  void start() {
    ws.textMessageHandler(this::onText);
    ws.binaryMessageHandler(b -> onText(b.toString()));
    ws.exceptionHandler(err -> LOG.debug("WebSocket " + sessionId + ": " + err));
    ws.closeHandler(v -> onEnd());
    if (framed) {
      ws.writeTextMessage(SockJsFrames.OPEN);
      armHeartbeat();
    }
  }

  private void onText(String text) {
    if (closing || ended) {
      return;
    }
    if (!framed) {
      inbox.add(text);
    } else if (!text.isEmpty()) {
      List<String> messages;
      try {
        messages = SockJsBodies.parse(text);
      } catch (IllegalArgumentException e) {
        if (SockJsBodies.problem(text) != null) {
          // Valid JSON with a non-string element: the batch is refused, the session carries on.
          LOG.debug("WebSocket " + sessionId + ": batch refused: " + SockJsBodies.problem(text));
          return;
        }
        // Broken JSON: sockjs-node drops the connection.
        LOG.debug("WebSocket " + sessionId + ": broken JSON, closing");
        ws.close();
        return;
      }
      inbox.addAll(messages);
    }
    drain();
  }

  private void drain() {
    while (!paused && handler != null && !inbox.isEmpty() && !closing && !ended) {
      handler.handle(Buffer.buffer(inbox.poll()));
    }
  }

  private void armHeartbeat() {
    heartbeatTimer = context.setTimer(heartbeatMs, t -> {
      heartbeatTimer = -1;
      if (!closing && !ended) {
        ws.writeTextMessage(SockJsFrames.HEARTBEAT);
        armHeartbeat();
      }
    });
  }

  private void onEnd() {
    if (ended) {
      return;
    }
    ended = true;
    if (heartbeatTimer != -1) {
      context.owner().cancelTimer(heartbeatTimer);
      heartbeatTimer = -1;
    }
    inbox.clear();
    if (closeHandler != null) {
      closeHandler.handle(null);
    }
  }

  @Override
  public String transport() {
    return framed ? "websocket" : "raw_websocket";
  }

  @Override
  public String sessionId() {
    return sessionId;
  }

  @Override
  public ServerWebSocket webSocket() {
    return ws;
  }

  @Override
  public HttpConnection connection() {
    return connection;
  }

  @Override
  public SockJsSocket handler(Handler<Buffer> handler) {
    this.handler = handler;
    drain();
    return this;
  }

  @Override
  public SockJsSocket closeHandler(Handler<Void> handler) {
    this.closeHandler = handler;
    return this;
  }

  @Override
  public SockJsSocket pause() {
    paused = true;
    return this;
  }

  @Override
  public SockJsSocket resume() {
    paused = false;
    drain();
    return this;
  }

  @Override
  public Future<Void> write(String message) {
    if (closing || ended) {
      return context.failedFuture("SockJS session closed");
    }
    return ws.writeTextMessage(framed ? SockJsFrames.messages(List.of(message)) : message);
  }

  @Override
  public void close() {
    close(SockJsFrames.GO_AWAY_CODE, SockJsFrames.GO_AWAY_REASON, 0);
  }

  /**
   * A peer that does not read gets its close frame once it reads again, within {@code waitMs};
   * after that its connection is dropped. Why wait at all: a close frame left in Vert.x's outbound
   * queue when the connection ends makes Vert.x 5.0.10 complete the close twice once its closing
   * timeout fires, and Netty logs a 30-line WARNING per connection.
   */
  @Override
  public Future<Void> close(int code, String reason, long waitMs) {
    if (closed != null) {
      return closed;
    }
    closing = true;
    PromiseInternal<Void> done = context.promise();
    closed = done.future();
    if (ended) {
      done.tryComplete();
    } else {
      closeOnceDrained(code, reason, System.currentTimeMillis() + waitMs, done);
    }
    return closed;
  }

  private void closeOnceDrained(int code, String reason, long giveUpAt, PromiseInternal<Void> done) {
    if (ended) {
      done.tryComplete();
    } else if (ws.isClosed()) {
      // The close handshake has begun (the peer's close frame came first): nothing more can be
      // written, and Vert.x throws IllegalStateException from writeQueueFull; the connection ends on its own.
      done.tryComplete();
    } else if (!ws.writeQueueFull()) {
      Future<Void> f = framed
          ? ws.writeTextMessage(SockJsFrames.close(code, reason)).eventually(() -> ws.close())
          : ws.close((short) code, reason);
      f.onComplete(ar -> done.tryComplete());
    } else if (System.currentTimeMillis() >= giveUpAt) {
      LOG.debug("WebSocket " + sessionId + ": " + code + " " + reason + ", peer not reading: connection dropped");
      abort();
      done.tryComplete();
    } else {
      context.setTimer(DRAIN_POLL_MS, t -> closeOnceDrained(code, reason, giveUpAt, done));
    }
  }

  /**
   * Drops the TCP connection at once, without a close handshake: closing from the head of the
   * pipeline skips Vert.x's close handshake (nothing more is queued behind unread data); the close
   * handlers still run. Internal API (the upgraded connection's Netty channel); {@code
   * StuckClientCloseTest} pins it.
   */
  private void abort() {
    if (connection instanceof ConnectionBase base && base.channel().isActive()) {
      ChannelHandlerContext first = base.channel().pipeline().firstContext();
      if (first != null) {
        first.close();
      } else {
        base.channel().close();
      }
    } else {
      ws.close();
    }
  }
}
