package com.presencehub.config;

import com.presencehub.presence.PresenceTimings;

/**
 * The clocks of a node, in milliseconds (PROTOCOL.md §2, §4), and the one per-user bound the shard
 * enforces beside them. From {@link HubConfig#timingOptions()}.
 *
 * @param idleTimeoutMs       no activity for this long: {@code away}/{@code inactive} (§2)
 * @param offlineGraceMs      a non-{@code bye} end turns {@code offline} only after this (§2)
 * @param offlineRetentionMs  an offline user's record is forgotten this long after its last change (§2)
 * @param sweepIntervalMs     the shards' timing-wheel tick, at most 500 (transitions land within 1 s)
 * @param authTimeoutMs       a session must send {@code auth} within this long of opening (§4)
 * @param livenessTimeoutMs   a session whose peer has not proved itself for this long is closed (§4 Liveness)
 * @param maxSessionsPerUser  open sessions of one user over the cluster's merged view (§4 limits)
 */
public record TimingOptions(long idleTimeoutMs, long offlineGraceMs, long offlineRetentionMs, long sweepIntervalMs,
    long authTimeoutMs, long livenessTimeoutMs, int maxSessionsPerUser) {

  /** The presence model's clocks and bound, as the shards take them. */
  public PresenceTimings presence() {
    return new PresenceTimings(idleTimeoutMs, offlineGraceMs, offlineRetentionMs, maxSessionsPerUser);
  }
}
