package com.presencehub.presence;

/** The two clocks of the presence model (PROTOCOL.md §2), in milliseconds. */
public record PresenceTimings(long idleTimeoutMs, long offlineGraceMs) {
  public PresenceTimings {
    if (idleTimeoutMs <= 0) {
      throw new IllegalArgumentException("idleTimeoutMs must be > 0");
    }
    if (offlineGraceMs < 0) {
      throw new IllegalArgumentException("offlineGraceMs must be >= 0");
    }
  }
}
