package com.presencehub.api.http.webhook;

import java.util.function.DoubleSupplier;

/**
 * Retry delays for a failing endpoint: exponential from {@code minMs}, capped at {@code maxMs},
 * with "equal jitter" (half fixed, half random), so endpoints that failed together do not retry
 * together and a delay never falls below half its step.
 */
public final class Backoff {

  private final long minMs;
  private final long maxMs;
  private final DoubleSupplier random;

  /** @param random uniform in [0, 1) */
  public Backoff(long minMs, long maxMs, DoubleSupplier random) {
    this.minMs = minMs;
    this.maxMs = maxMs;
    this.random = random;
  }

  /** The delay before retry number {@code attempt} (1 for the first retry), in ms. */
  public long delayMs(int attempt) {
    int shift = Math.min(Math.max(attempt - 1, 0), 40);
    long step = minMs << shift;
    if (step <= 0 || step > maxMs) {
      step = maxMs;
    }
    long half = step / 2;
    return half + (long) (random.getAsDouble() * (step - half));
  }
}
