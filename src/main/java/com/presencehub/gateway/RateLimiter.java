package com.presencehub.gateway;

/**
 * Per-session frame rate limit: a token bucket ({@code rate}/s, {@code burst} deep) decides
 * whether a frame is served; a second bucket counts refused frames and drains at the same rate,
 * so only sustained abuse (more than {@code closeAfter} refusals beyond what the rate forgives)
 * closes the session. Plain Java; one instance per session, used on the session's event loop.
 */
final class RateLimiter {

  enum Verdict { SERVE, REFUSE, CLOSE }

  private final double ratePerMs;
  private final double burst;
  private final double closeAfter;
  private double tokens;
  private double strikes;
  private long lastMs;

  RateLimiter(int ratePerSecond, int burst, int closeAfter, long nowMs) {
    this.ratePerMs = ratePerSecond / 1000.0;
    this.burst = burst;
    this.closeAfter = closeAfter;
    this.tokens = burst;
    this.lastMs = nowMs;
  }

  Verdict onFrame(long nowMs) {
    long elapsed = Math.max(0, nowMs - lastMs);
    lastMs = nowMs;
    double refill = elapsed * ratePerMs;
    tokens = Math.min(burst, tokens + refill);
    strikes = Math.max(0, strikes - refill);
    if (tokens >= 1) {
      tokens -= 1;
      return Verdict.SERVE;
    }
    strikes += 1;
    return strikes > closeAfter ? Verdict.CLOSE : Verdict.REFUSE;
  }
}
