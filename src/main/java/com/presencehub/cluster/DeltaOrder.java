package com.presencehub.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The order of one peer's numbered deltas (README "Replication"), plain Java: which delta applies
 * now, which waits for a full state, and what waited and follows once a full state arrived. The
 * caller applies the deltas and full states it is told to, and asks for a full state when {@link
 * #waiting} is not empty.
 *
 * @param <D> a delta as received
 */
final class DeltaOrder<D> {

  /** What to do with a delta that just arrived. */
  enum Verdict {
    /** Already applied (or older than the full state held): drop it. */
    STALE,
    /** The next in sequence: apply it now (this order already counts it as applied). */
    APPLY,
    /** After a gap (or before any full state): it waits; a full state is needed. */
    WAIT
  }

  private final int maxWaiting;
  private long seq = -1;
  private final TreeMap<Long, D> waiting = new TreeMap<>();

  /** @param maxWaiting deltas kept while a full state is awaited; beyond that the full state alone will do */
  DeltaOrder(int maxWaiting) {
    this.maxWaiting = maxWaiting;
  }

  /** The sequence number of the last delta (or full state) applied; -1 before any. */
  long seq() {
    return seq;
  }

  Verdict offer(long s, D delta) {
    if (s <= seq) {
      return Verdict.STALE;
    }
    // In order: applied at once, even while a full state is on its way (a busy peer is not a lost
    // one, and every applied delta is a transition the watchers here must see).
    if (s == seq + 1 && seq >= 0) {
      seq = s;
      return Verdict.APPLY;
    }
    if (waiting.size() >= maxWaiting) {
      waiting.clear();
    }
    waiting.put(s, delta);
    return Verdict.WAIT;
  }

  /**
   * A full state numbered {@code snapSeq} arrived. Returns whether it replaces what is held: not
   * when deltas applied while it travelled are already past it (a disagreement left shows in the
   * next digest, which asks again).
   */
  boolean fullState(long snapSeq) {
    if (snapSeq < seq) {
      return false;
    }
    seq = snapSeq;
    return true;
  }

  /**
   * The waiting deltas that now follow in sequence, in order (counted as applied); those already
   * covered are dropped. What stays waits behind a gap: {@link #waiting} is then not empty.
   */
  List<D> ready() {
    List<D> out = new ArrayList<>();
    while (!waiting.isEmpty()) {
      Map.Entry<Long, D> first = waiting.firstEntry();
      if (first.getKey() <= seq) {
        waiting.pollFirstEntry();
      } else if (first.getKey() == seq + 1) {
        waiting.pollFirstEntry();
        seq = first.getKey();
        out.add(first.getValue());
      } else {
        break;
      }
    }
    return out;
  }

  /** How many deltas wait for a full state. */
  int waiting() {
    return waiting.size();
  }

  /** Forgets the waiting deltas (the peer left, or its full state is not coming). */
  void dropWaiting() {
    waiting.clear();
  }
}
