package com.presencehub.presence;

/**
 * The clocks of the presence model (PROTOCOL.md §2), in milliseconds, and the one per-user bound
 * that the shard enforces (sessions per user, PROTOCOL.md §4).
 *
 * @param idleTimeoutMs       no activity for this long: {@code away}/{@code inactive} (§2)
 * @param offlineGraceMs      a non-{@code bye} end turns {@code offline} only after this (§2)
 * @param offlineRetentionMs  an {@code offline} user's record is forgotten this long after its last
 *                            change (§2 Retention); then it answers like an unknown user
 * @param maxSessionsPerUser  open sessions of one user, counted over the cluster's merged view, beyond
 *                            which a new one is refused (§4 limits)
 */
public record PresenceTimings(long idleTimeoutMs, long offlineGraceMs, long offlineRetentionMs, int maxSessionsPerUser) {

  /** PROTOCOL.md §2: 24 h. */
  public static final long DEFAULT_OFFLINE_RETENTION_MS = 86_400_000L;
  /** PROTOCOL.md §4: 32. */
  public static final int DEFAULT_MAX_SESSIONS_PER_USER = 32;

  public PresenceTimings {
    if (idleTimeoutMs <= 0) {
      throw new IllegalArgumentException("idleTimeoutMs must be > 0");
    }
    if (offlineGraceMs < 0) {
      throw new IllegalArgumentException("offlineGraceMs must be >= 0");
    }
    if (offlineRetentionMs <= 0) {
      throw new IllegalArgumentException("offlineRetentionMs must be > 0");
    }
    if (maxSessionsPerUser < 1) {
      throw new IllegalArgumentException("maxSessionsPerUser must be >= 1");
    }
  }

  /** The two clocks, with the contract's default retention and sessions-per-user limit. */
  public PresenceTimings(long idleTimeoutMs, long offlineGraceMs) {
    this(idleTimeoutMs, offlineGraceMs, DEFAULT_OFFLINE_RETENTION_MS, DEFAULT_MAX_SESSIONS_PER_USER);
  }
}
