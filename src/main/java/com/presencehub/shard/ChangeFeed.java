package com.presencehub.shard;

import com.presencehub.presence.PresenceRecord;

/**
 * The cluster-wide stream of transitions ({@code presence.changes}). Exactly one node publishes at
 * a time, so a transition seen by every node's view is published once; the others only remember
 * what was published, so that a node taking over publishes what its predecessor had not.
 */
public interface ChangeFeed {

  ChangeFeed NONE = record -> false;

  /** Called on the shard's thread for every transition; returns whether it was published. */
  boolean publish(PresenceRecord record);
}
