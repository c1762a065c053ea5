package com.presencehub.api.http.impl;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The per-token rate limit of the HTTP API: one GCRA cell per token (a token bucket of {@code
 * burst} refilled at {@code perSecond}, kept as one "theoretical arrival time"), lock-free so the
 * gateway's event loops can share it. Idle cells are forgotten by {@link #sweep}.
 */
public final class TokenBuckets {

  private final long intervalNanos;
  private final long toleranceNanos;
  private final ConcurrentHashMap<String, AtomicLong> cells = new ConcurrentHashMap<>();

  public TokenBuckets(int perSecond, int burst) {
    this.intervalNanos = 1_000_000_000L / perSecond;
    this.toleranceNanos = intervalNanos * (burst - 1L);
  }

  /** @return 0 if the request may go on, else the seconds to wait (the {@code Retry-After}) */
  public long acquire(String key, long nowNanos) {
    AtomicLong tat = cells.computeIfAbsent(key, k -> new AtomicLong(nowNanos));
    while (true) {
      long t = tat.get();
      long start = Math.max(t, nowNanos);
      if (start - nowNanos > toleranceNanos) {
        long waitNanos = start - toleranceNanos - nowNanos;
        return Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
      }
      if (tat.compareAndSet(t, start + intervalNanos)) {
        return 0;
      }
    }
  }

  /** Forgets cells that are full again (nothing to remember about them). */
  public void sweep(long nowNanos) {
    cells.values().removeIf(c -> c.get() < nowNanos);
  }

  public int size() {
    return cells.size();
  }
}
