package com.presencehub.gateway;

import com.presencehub.presence.PresenceRecord;
import com.presencehub.protocol.ClientFrames;
import com.presencehub.gateway.sockjs.SockJsSocket;
import com.presencehub.protocol.ErrorCode;
import com.presencehub.shard.SharedChanges;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Writes a session's frames to its socket and keeps count of what the socket still holds
 * ({@link WriteBacklog}): {@link #full()} is the back-pressure every reply path of the session
 * honours (PROTOCOL.md §4 limits). While the socket is full, presence changes are coalesced (only
 * the latest record per user is kept, so memory stays bounded by the users the session watches)
 * and go out when it drains. Tells the session when the backlog has stayed full for {@code stuckMs}
 * (the session is then closed with 4408). Used on the session's loop.
 */
final class SessionWriter {

  /** Large batches (a roster snapshot, an idle storm) are split so no frame grows unbounded. */
  static final int MAX_RECORDS_PER_FRAME = 256;

  private final SockJsSocket socket;
  private final ContextInternal context;
  private final GatewayMetrics metrics;
  private final WriteBacklog backlog;
  private final long stuckMs;
  private final Runnable onStuck;
  /** Latest record per user while the socket is full; null otherwise (issue 15: most sessions never need it). */
  private LinkedHashMap<String, PresenceRecord> coalesced;
  private final GatewayLoop loop;
  private long stuckTimer = -1;

  SessionWriter(SockJsSocket socket, ContextInternal context, GatewayMetrics metrics, int maxChars, long stuckMs,
      Runnable onStuck) {
    this.socket = socket;
    this.context = context;
    this.metrics = metrics;
    this.backlog = new WriteBacklog(maxChars);
    this.stuckMs = stuckMs;
    this.onStuck = onStuck;
    this.loop = GatewayLoop.of(context);
  }

  /** The loop the session's presence changes come through (kept here: one per session). */
  GatewayLoop loop() {
    return loop;
  }

  /**
   * Writes a delivery handed over from another loop ({@link com.presencehub.shard.SessionLink#offer}):
   * refused while the session is not {@code open} or the socket is full.
   *
   * @return whether the frame left the socket, on the caller's loop
   */
  Future<Boolean> offer(String frame, BooleanSupplier open) {
    PromiseInternal<Boolean> written = ((ContextInternal) Vertx.currentContext()).promise();
    context.execute(() -> {
      if (!open.getAsBoolean() || full()) {
        written.complete(false);
        return;
      }
      metrics.frameOut();
      write(frame).onComplete(ar -> written.complete(ar.succeeded()));
    });
    return written.future();
  }

  void write(JsonObject frame) {
    writeText(frame.encode());
  }

  /** A frame already encoded (e.g. {@link ClientFrames#ackText}), counted like {@link #write(JsonObject)}. */
  void writeText(String frame) {
    metrics.frameOut();
    write(frame);
  }

  /** An error frame (PROTOCOL.md §4 errors), counted by code. */
  void error(ErrorCode code, String message, Object requestId) {
    metrics.error(code);
    write(ClientFrames.error(code, message, requestId));
  }

  /** Refuses a request with {@code rate_limited} because the socket is full. */
  void refuseFull(String type, Object requestId) {
    error(ErrorCode.RATE_LIMITED, "write queue full (the client is not reading what the hub sent): "
        + type + " refused", requestId);
  }

  /** Presence records as the answer to a request ({@code requestId}) or as changes (null). */
  void presence(List<PresenceRecord> records, Object requestId) {
    if (records.isEmpty()) {
      write(ClientFrames.presence(records, requestId));
      return;
    }
    for (int i = 0; i < records.size(); i += MAX_RECORDS_PER_FRAME) {
      write(ClientFrames.presence(records.subList(i, Math.min(records.size(), i + MAX_RECORDS_PER_FRAME)), requestId));
    }
  }

  /** Presence changes: written now, or coalesced while the socket is full (or still holds coalesced ones). */
  void changes(List<PresenceRecord> records) {
    if (records.isEmpty()) {
      return;
    }
    if (coalesced != null || full()) {
      if (coalesced == null) {
        coalesced = new LinkedHashMap<>();
      }
      for (PresenceRecord r : records) {
        coalesced.remove(r.user());
        coalesced.put(r.user(), r);
      }
      return;
    }
    presence(records, null);
  }

  /**
   * Presence changes that are {@code shared} with other sessions' ({@code records} being those of
   * {@code shared} this session takes, in order, as {@link Watchlist#changes} leaves them): when it
   * takes them all and writes now, the shared frame goes out, encoded once for every session; else as
   * {@link #changes(List)}.
   */
  void changes(List<PresenceRecord> records, SharedChanges shared) {
    if (records.size() == shared.records().size() && records.size() <= MAX_RECORDS_PER_FRAME
        && coalesced == null && !full()) {
      metrics.frameOut();
      write(shared.frame(SessionWriter::changesFrame));
      return;
    }
    changes(records);
  }

  private static String changesFrame(List<PresenceRecord> records) {
    return ClientFrames.presence(records, null).encode();
  }

  /** The socket took what it held: the coalesced changes go out (they may fill it again). */
  private void onDrained() {
    if (coalesced != null) {
      List<PresenceRecord> latest = new ArrayList<>(coalesced.values());
      coalesced = null;
      changes(latest);
    }
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
        onDrained();
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

  /** The session ended: no timer, and the coalesced changes are dropped. */
  void stop() {
    cancelStuck();
    coalesced = null;
  }

  private void armStuck() {
    cancelStuck();
    stuckTimer = context.setTimer(stuckMs, id -> {
      stuckTimer = -1;
      if (backlog.full()) {
        metrics.error(ErrorCode.RATE_LIMITED);
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
