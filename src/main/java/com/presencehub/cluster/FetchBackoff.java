package com.presencehub.cluster;

import java.util.HashMap;
import java.util.Map;

/**
 * How long a node waits for a peer's full state (issue 17: join time), plain Java: {@code
 * clusterSyncTimeoutMs} for a first ask, doubled after each ask of that peer and kind (shares,
 * ledger, both) that timed out, at most {@link #MAX_BACKOFF} times, until one succeeds. The table
 * asks again at its next tick, as before; only the wait grows. A timeout is forgotten after
 * {@code 2 × MAX_BACKOFF × clusterSyncTimeoutMs} (40 s by default) without another, and every wait
 * starts afresh when a member comes, leaves or comes back, a split heals or this process was paused
 * ({@link #reset}): then a timeout said nothing about the peer's load, and a request lost in the
 * change would otherwise wait longer (a ChaosTest run of d46df3f: a node's view stayed stale after
 * a frozen peer came back).
 *
 * <p>Why: a loaded peer is slow to answer, and it builds its whole state for each request, so
 * asking it again every {@code clusterSyncTimeoutMs} made it slower still. In bench/join.mjs
 * (2026-12-01 19:36Z, debug logs) a joiner asked the busiest peer 12 times in 31 s, most requests
 * reaching it after the asker had given up on it and costing it a whole build (its event loop
 * blocked 2.2 s for one); the join took 50 s to ready.
 *
 * <p>Not thread-safe: used on the replication event loop.
 */
final class FetchBackoff {

  private static final int MAX_DOUBLINGS = 2;
  /** The longest wait, as a multiple of {@code clusterSyncTimeoutMs}. */
  static final int MAX_BACKOFF = 1 << MAX_DOUBLINGS;
  /** Kinds held at most; past it, forgotten timeouts are dropped first, and a new kind is not counted. */
  static final int MAX_ENTRIES = 1024;

  private final long baseMs;
  private final long memoryMs;
  /** Asks that timed out in a row, and when the last did, by peer and kind. */
  private final Map<String, TimedOut> timedOut = new HashMap<>();

  private record TimedOut(int count, long atMs) { }

  /** @param baseMs {@code clusterSyncTimeoutMs}: the wait of a first ask, ms */
  FetchBackoff(long baseMs) {
    this.baseMs = baseMs;
    this.memoryMs = 2L * MAX_BACKOFF * baseMs;
  }

  /** The wait for the next ask of {@code kind} (a peer and what is asked of it) at {@code nowMs}, ms. */
  long waitMs(String kind, long nowMs) {
    TimedOut t = timedOut.get(kind);
    return t == null || nowMs - t.atMs() > memoryMs ? baseMs : baseMs << Math.min(t.count(), MAX_DOUBLINGS);
  }

  /** An ask of {@code kind} succeeded: the next one waits {@code baseMs} again. */
  void succeeded(String kind) {
    timedOut.remove(kind);
  }

  /** An ask of {@code kind} timed out at {@code nowMs}: the next one waits twice as long, up to the cap. */
  void timedOut(String kind, long nowMs) {
    if (timedOut.size() >= MAX_ENTRIES && !timedOut.containsKey(kind)) {
      timedOut.values().removeIf(t -> nowMs - t.atMs() > memoryMs);
      if (timedOut.size() >= MAX_ENTRIES) {
        return;
      }
    }
    TimedOut before = timedOut.get(kind);
    int count = before == null || nowMs - before.atMs() > memoryMs ? 1 : before.count() + 1;
    timedOut.put(kind, new TimedOut(count, nowMs));
  }

  /** Every wait starts afresh: the membership changed, a split healed, or this process was paused. */
  void reset() {
    timedOut.clear();
  }
}
