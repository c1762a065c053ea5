package com.presencehub.gateway;

import io.vertx.core.Future;
import io.vertx.core.internal.ContextInternal;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

/**
 * Writes a session's frames to its socket and keeps count of what the socket still holds
 * ({@link WriteBacklog}): {@link #full()} is the back-pressure every reply path of the session
 * honours (PROTOCOL.md §4 limits). Tells the session when the backlog drains, and when it has stayed
 * full for {@code stuckMs} (the session is then closed with 4408). Used on the session's loop.
 */
final class SessionWriter {

  private final SockJSSocket socket;
  private final ContextInternal context;
  private final WriteBacklog backlog;
  private final long stuckMs;
  private final Runnable onDrain;
  private final Runnable onStuck;
  private long stuckTimer = -1;

  SessionWriter(SockJSSocket socket, ContextInternal context, int maxChars, long stuckMs, Runnable onDrain,
      Runnable onStuck) {
    this.socket = socket;
    this.context = context;
    this.backlog = new WriteBacklog(maxChars);
    this.stuckMs = stuckMs;
    this.onDrain = onDrain;
    this.onStuck = onStuck;
  }

  /**
   * Frames go out as text: on the raw WebSocket transport a Buffer would become a binary message,
   * which browsers hand to a portal as a Blob instead of a string.
   *
   * @return completes once the frame left the socket (fails if the socket closed first)
   */
  Future<Void> write(String text) {
    int chars = text.length();
    if (backlog.queued(chars, System.currentTimeMillis())) {
      armStuck();
    }
    Future<Void> written = socket.write(text);
    written.onComplete(ar -> {
      if (backlog.written(chars)) {
        cancelStuck();
        onDrain.run();
      }
    });
    return written;
  }

  /**
   * Whether a frame of this {@code type} is served while the write queue is full (PROTOCOL.md §4
   * limits: requests are refused with {@code rate_limited}). Served anyway are the frames whose
   * refusal would end the session or that need no reply: {@code ping} (its tiny pong keeps a slow
   * but live client from being taken for dead), an {@code auth} refresh, {@code bye}, and an
   * {@code activity} without {@code id}. The rate limit bounds what these can queue.
   */
  static boolean servedWhenFull(String type, Object requestId) {
    return switch (type) {
      case "ping", "auth", "bye" -> true;
      case "activity" -> requestId == null;
      default -> false;
    };
  }

  /** True while the socket holds more than the session's share: requests are refused, presence coalesced. */
  boolean full() {
    return backlog.full();
  }

  long queuedChars() {
    return backlog.queuedChars();
  }

  void stop() {
    cancelStuck();
  }

  private void armStuck() {
    cancelStuck();
    stuckTimer = context.setTimer(stuckMs, id -> {
      stuckTimer = -1;
      if (backlog.full()) {
        onStuck.run();
      }
    });
  }

  private void cancelStuck() {
    if (stuckTimer != -1) {
      context.owner().cancelTimer(stuckTimer);
      stuckTimer = -1;
    }
  }
}
