package com.presencehub.shard;

import com.presencehub.presence.PresenceRecord;

/**
 * Where a shard reports every transition of its users ({@code presence.changes}, PROTOCOL.md §5).
 * A standalone node publishes them; in a cluster the replication side decides what reaches the
 * stream (cluster/ChangeStream), so that each transition appears once cluster-wide.
 */
public interface ChangeFeed {

  ChangeFeed NONE = record -> false;

  /** Called on the shard's thread for every transition, in order per user; returns whether it was published here and now. */
  boolean publish(PresenceRecord record);
}
