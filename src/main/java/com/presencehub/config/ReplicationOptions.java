package com.presencehub.config;

/**
 * What the replicated view (cluster/ReplicationVerticle, PROTOCOL.md §6) needs of {@link HubConfig}.
 *
 * @param digestIntervalMs {@code clusterDigestIntervalMs}: a digest out and the membership re-read this often
 * @param syncTimeoutMs {@code clusterSyncTimeoutMs}: how long each part of a full state may take (ms), doubled
 *     after each ask of that peer and kind that timed out, up to 4× (FetchBackoff)
 * @param failureTimeoutMs {@code clusterFailureTimeoutMs}: Hazelcast's failure detection; sizes the pause
 *     detector and the settle time of {@code presence.changes}
 * @param offlineGraceMs {@code offlineGraceMs}: how long a departed node's users linger (§2)
 * @param offlineRetentionMs {@code offlineRetentionMs}: how long an offline user is remembered (§2 Retention)
 */
public record ReplicationOptions(long digestIntervalMs, long syncTimeoutMs, long failureTimeoutMs, long offlineGraceMs,
    long offlineRetentionMs) {
}
