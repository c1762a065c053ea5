package com.presencehub.logging;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Caps how many lines something that any client can trigger writes at INFO or above: at most
 * {@code perWindow} lines per {@code windowMs}; the rest are counted and the count is reported on
 * the next line that gets through. Lock-free; safe from any thread.
 */
public final class LogLimiter {

  private final int perWindow;
  private final long windowMs;
  private final AtomicLong windowStart = new AtomicLong();
  private final AtomicLong inWindow = new AtomicLong();
  private final AtomicLong suppressed = new AtomicLong();

  public LogLimiter(int perWindow, long windowMs) {
    this.perWindow = perWindow;
    this.windowMs = windowMs;
  }

  /**
   * @return null when this line must be dropped; otherwise the suffix to append (empty, or how
   *     many lines were dropped since the last one written)
   */
  public String admit(long nowMs) {
    long start = windowStart.get();
    if (nowMs - start >= windowMs && windowStart.compareAndSet(start, nowMs)) {
      inWindow.set(0);
    }
    if (inWindow.incrementAndGet() > perWindow) {
      suppressed.incrementAndGet();
      return null;
    }
    long dropped = suppressed.getAndSet(0);
    return dropped == 0 ? "" : " (" + dropped + " similar lines suppressed)";
  }
}
