package com.presencehub.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.ContextInternal;

/**
 * Closes a session whose peer has stopped proving that it is alive (PROTOCOL.md §4 Liveness):
 * one timer per session, re-armed at the peer's deadline (or at its next ping), on the session's
 * loop. On the WebSocket transports it pings the peer every {@link LivenessTracker#pingIntervalMs()}
 * and counts its pongs as proofs: browsers and WebSocket libraries answer pings by themselves, so a
 * quiet tab stays open without sending anything. The other proofs (frames, polls) are fed to the
 * tracker by whoever sees them.
 */
final class PeerWatch {

  private static final Buffer PING = Buffer.buffer("presence-hub");

  private final LivenessTracker tracker;
  private final ServerWebSocket ws;
  private final Runnable onDead;
  /** The check, on the loop's own timer queue ({@link LoopTimer}: no node-wide Vert.x timer per session). */
  private final LoopTimer timer;
  private long nextPingAt;
  /** When the armed check is due, on the monotonic clock (System.nanoTime). */
  private long dueAtNanos;
  private boolean stopped;
  /** Where the polls of the peer's SockJS session prove it alive (null: not tracked). */
  private SessionRegistry registry;
  private String pollSession;

  /**
   * @param ws the WebSocket to ping, or null when the transport has none (or it is out of reach)
   * @param onDead run once, on the session's loop, when the peer is taken for dead
   */
  PeerWatch(ContextInternal context, LivenessTracker tracker, ServerWebSocket ws, Runnable onDead) {
    this.tracker = tracker;
    this.ws = ws;
    this.onDead = onDead;
    this.timer = new LoopTimer(context, this::tick);
  }

  /**
   * Starts watching the peer of a session that just opened, on its loop: dead after {@code
   * livenessTimeoutMs} without proof. When the transport has a SockJS session id ({@code
   * pollSession}), the registry feeds its requests in as proofs until {@link #stop()}.
   */
  static PeerWatch start(ContextInternal context, long livenessTimeoutMs, ServerWebSocket ws, SessionRegistry registry,
      String pollSession, Runnable onDead) {
    LivenessTracker tracker = new LivenessTracker(livenessTimeoutMs, System.currentTimeMillis());
    PeerWatch watch = new PeerWatch(context, tracker, ws, onDead);
    if (pollSession != null) {
      watch.registry = registry;
      watch.pollSession = pollSession;
      registry.track(pollSession, tracker);
    }
    watch.start();
    return watch;
  }

  /** Must run on the session's loop. */
  void start() {
    long now = System.currentTimeMillis();
    // A WebSocket whose close has begun (a close frame sent or received while the token was being
    // verified) refuses handlers with IllegalStateException; its session ends with the close anyway.
    if (ws != null && !ws.isClosed()) {
      ws.pongHandler(data -> tracker.proof(System.currentTimeMillis()));
    }
    nextPingAt = now + tracker.pingIntervalMs();
    arm(now);
  }

  void proof() {
    tracker.proof(System.currentTimeMillis());
  }

  void stop() {
    stopped = true;
    timer.cancel();
    if (registry != null) {
      registry.untrack(pollSession, tracker);
    }
  }

  LivenessTracker tracker() {
    return tracker;
  }

  boolean pinging() {
    return ws != null;
  }

  private void arm(long now) {
    long delay = tracker.nextCheckDelay(now, ws != null);
    dueAtNanos = System.nanoTime() + delay * 1_000_000L;
    timer.arm(delay);
  }

  private void tick() {
    if (stopped) {
      return;
    }
    long now = System.currentTimeMillis();
    long lateMs = (System.nanoTime() - dueAtNanos) / 1_000_000L;
    if (tracker.stalled(lateMs) && tracker.excuseStall(now)) {
      // The node was not running (this check fired lateMs late): the peer's pings may be sitting
      // unread in the socket; they get read before the peer is judged, and the ping below goes out.
      nextPingAt = now;
    }
    if (tracker.dead(now)) {
      stopped = true;
      onDead.run();
      return;
    }
    if (ws != null && now >= nextPingAt) {
      nextPingAt = now + tracker.pingIntervalMs();
      // A failed ping (the socket is closing) needs nothing: the close handler ends the session.
      ws.writePing(PING);
    }
    arm(now);
  }
}
