package com.presencehub.gateway.sockjs;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A SockJS session on the HTTP transports (xhr, xhr_streaming, eventsource, htmlfile, jsonp), as
 * sockjs-protocol 0.3.3 and sockjs-node's lib/transport.js define it. Its state lives on the
 * context that created it ({@link #owner()}): the server hands every request of the session to
 * that context, whichever event loop it reached, so nothing here is shared between threads.
 *
 * <p>Messages wait in an outbox until a receiving request is attached; one receiver at a time (a
 * second gets {@code c[2010,"Another connection still open"]} and the first is not touched). A
 * close frame, once set, answers every later receiving request until the session times out
 * ({@code sessionTimeoutMs} without a receiver). A receiver whose connection goes away before its
 * answer closes the session with {@code c[1002,"Connection interrupted"]}.
 */
final class HttpSession implements SockJsSocket {

  private final SockJsSessionTable table;
  private final String id;
  private final String transport;
  private final ContextInternal owner;
  private final SockJsOptions options;
  private final List<String> outbox = new ArrayList<>();
  private final List<PromiseInternal<Void>> outboxWritten = new ArrayList<>();
  private final ArrayDeque<String> inbox = new ArrayDeque<>();
  private final PromiseInternal<Void> closeWritten;
  private Handler<Buffer> handler;
  private Handler<Void> closeHandler;
  private HttpReceiver receiver;
  private boolean opened;
  private boolean paused;
  private boolean endNotified;
  private boolean expired;
  private String closeFrame;
  private long timeoutTimer = -1;
  private long heartbeatTimer = -1;

  HttpSession(SockJsSessionTable table, String id, String transport, ContextInternal owner, SockJsOptions options) {
    this.table = table;
    this.id = id;
    this.transport = transport;
    this.owner = owner;
    this.options = options;
    this.closeWritten = owner.promise();
  }

  ContextInternal owner() {
    return owner;
  }

  /**
   * A receiving request arrived (on the owner). @return false when the session expired meanwhile:
   * the request must look the id up again
   */
  boolean attach(HttpReceiver r) {
    if (expired) {
      return false;
    }
    if (receiver != null) {
      r.sendLast(SockJsFrames.ANOTHER_CONNECTION);
      return true;
    }
    receiver = r;
    cancel(timeoutTimer);
    timeoutTimer = -1;
    if (!opened) {
      opened = true;
      r.send(SockJsFrames.OPEN);
    } else {
      table.polled();
    }
    pump();
    return true;
  }

  /** The connection of {@code r} closed (on the owner): before its answer, that ends the session. */
  void connectionClosed(HttpReceiver r) {
    if (receiver != r || r.ended()) {
      return;
    }
    r.end();
    detach();
    if (closeFrame == null) {
      closeFrame = SockJsFrames.INTERRUPTED;
      notifyEnd();
    }
  }

  /** Messages of a send request (on the owner). */
  void deliver(List<String> messages) {
    if (closeFrame != null || expired) {
      return;
    }
    inbox.addAll(messages);
    drain();
  }

  /** True once closed or expired: sends are accepted and dropped. */
  boolean closed() {
    return closeFrame != null || expired;
  }

  @Override
  public String transport() {
    return transport;
  }

  @Override
  public String sessionId() {
    return id;
  }

  @Override
  public ServerWebSocket webSocket() {
    return null;
  }

  /** Null: a session on the HTTP transports spans many connections (none is held on to). */
  @Override
  public HttpConnection connection() {
    return null;
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
    if (closed()) {
      return owner.failedFuture("SockJS session closed");
    }
    PromiseInternal<Void> written = owner.promise();
    outbox.add(message);
    outboxWritten.add(written);
    pump();
    return written.future();
  }

  @Override
  public void close() {
    close(SockJsFrames.GO_AWAY_CODE, SockJsFrames.GO_AWAY_REASON, options.sessionTimeoutMs());
  }

  /** The close frame waits for the next receiving request, at most until the session times out. */
  @Override
  public Future<Void> close(int code, String reason, long waitMs) {
    if (closed()) {
      return closeWritten.future();
    }
    closeFrame = SockJsFrames.close(code, reason);
    pump();
    notifyEnd();
    return closeWritten.future();
  }

  /** Writes what waits (messages first, then the close frame) while a receiver takes it. */
  private void pump() {
    while (receiver != null && !receiver.ended()) {
      if (!outbox.isEmpty()) {
        String frame = SockJsFrames.messages(outbox);
        List<PromiseInternal<Void>> done = new ArrayList<>(outboxWritten);
        outbox.clear();
        outboxWritten.clear();
        receiver.send(frame).onComplete(ar -> {
          for (PromiseInternal<Void> p : done) {
            if (ar.succeeded()) {
              p.tryComplete();
            } else {
              p.tryFail(ar.cause());
            }
          }
        });
      } else if (closeFrame != null) {
        receiver.sendLast(closeFrame).onComplete(ar -> closeWritten.tryComplete());
      } else {
        break;
      }
    }
    if (receiver != null && receiver.ended()) {
      detach();
    } else if (receiver != null && heartbeatTimer == -1) {
      heartbeatTimer = owner.setTimer(options.heartbeatMs(), t -> heartbeat());
    }
  }

  private void heartbeat() {
    heartbeatTimer = -1;
    if (receiver != null && !receiver.ended()) {
      receiver.send(SockJsFrames.HEARTBEAT);
      pump();
    }
  }

  private void detach() {
    receiver = null;
    cancel(heartbeatTimer);
    heartbeatTimer = -1;
    cancel(timeoutTimer);
    timeoutTimer = owner.setTimer(options.sessionTimeoutMs(), t -> expire());
  }

  /** No receiver for the session timeout: the session is gone (its close frame with it). */
  private void expire() {
    timeoutTimer = -1;
    if (receiver != null) {
      return;
    }
    expired = true;
    table.remove(id, this);
    for (PromiseInternal<Void> p : outboxWritten) {
      p.tryFail("SockJS session timed out");
    }
    outbox.clear();
    outboxWritten.clear();
    inbox.clear();
    closeWritten.tryComplete();
    notifyEnd();
  }

  private void drain() {
    while (!paused && handler != null && !inbox.isEmpty() && !closed()) {
      handler.handle(Buffer.buffer(inbox.poll()));
    }
  }

  private void notifyEnd() {
    if (!endNotified) {
      endNotified = true;
      if (closeHandler != null) {
        closeHandler.handle(null);
      }
    }
  }

  private void cancel(long timer) {
    if (timer != -1) {
      owner.owner().cancelTimer(timer);
    }
  }
}
