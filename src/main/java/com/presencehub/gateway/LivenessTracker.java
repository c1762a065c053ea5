package com.presencehub.gateway;

/**
 * When a session's peer last proved that it is alive, and when it is to be taken for dead
 * (PROTOCOL.md §4 Liveness). Proofs are whatever reaches the hub from the peer: any frame (a
 * {@code ping} included), a WebSocket pong, a poll. Plain Java, times in epoch ms.
 *
 * <p>The peer is dead once no proof has come for {@code timeoutMs}; the hub checks at that deadline,
 * so a peer that freezes right after its last proof is closed exactly {@code timeoutMs} later, and a
 * live peer that proves itself every {@link #pingIntervalMs()} (a third of the timeout) may miss
 * two proofs in a row before it is taken for dead.
 *
 * <p>{@link #proof} may be called from any thread (a poll of a SockJS session lands on any event
 * loop); the other methods are called on the session's loop.
 */
final class LivenessTracker {

  private final long timeoutMs;
  private final long pingIntervalMs;
  /** Written by several threads; a racing write can only lose a proof a few ms older than the winner. */
  private volatile long lastProofMs;

  LivenessTracker(long timeoutMs, long nowMs) {
    if (timeoutMs < 3) {
      throw new IllegalArgumentException("timeoutMs must be at least 3, got " + timeoutMs);
    }
    this.timeoutMs = timeoutMs;
    this.pingIntervalMs = pingInterval(timeoutMs);
    this.lastProofMs = nowMs;
  }

  /** The interval at which the hub pings WebSocket peers and asks clients to ping: a third of the timeout. */
  static long pingInterval(long livenessTimeoutMs) {
    return livenessTimeoutMs / 3;
  }

  long pingIntervalMs() {
    return pingIntervalMs;
  }

  /** The peer showed a sign of life at {@code nowMs}. */
  void proof(long nowMs) {
    if (nowMs > lastProofMs) {
      lastProofMs = nowMs;
    }
  }

  long lastProofMs() {
    return lastProofMs;
  }

  /**
   * The node itself was stalled (its check ran late: a SIGSTOP, a long GC pause, a VM stall) and
   * did not read what the peer sent meanwhile, which waits unread in the node's socket buffers:
   * the peer's deadline moves to at least {@code nowMs + pingIntervalMs}, so that buffered data is
   * read before it is judged (PROTOCOL.md §4 Liveness: a client that pings at the interval is never
   * taken for dead). A peer that is really gone is still closed, one ping interval later.
   *
   * @return true when the deadline moved
   */
  boolean excuseStall(long nowMs) {
    long floor = nowMs - timeoutMs + pingIntervalMs;
    if (floor > lastProofMs) {
      lastProofMs = floor;
      return true;
    }
    return false;
  }

  /**
   * Whether a check that ran {@code lateMs} after it was due shows the node stalled rather than the
   * loop merely busy: half a ping interval (a loop that lags that much on every check delays the
   * close of dead peers, never that of live ones).
   */
  boolean stalled(long lateMs) {
    return lateMs > pingIntervalMs / 2;
  }

  /** True once no proof has come for the timeout. */
  boolean dead(long nowMs) {
    return nowMs - lastProofMs >= timeoutMs;
  }

  /**
   * How long to wait before the next look at this peer: until its deadline, or until the next ping
   * is due when the hub pings it ({@code pinging}), whichever is first; at least 1 ms.
   */
  long nextCheckDelay(long nowMs, boolean pinging) {
    long toDeadline = Math.max(1, lastProofMs + timeoutMs - nowMs);
    return pinging ? Math.max(1, Math.min(pingIntervalMs, toDeadline)) : toDeadline;
  }
}
