package com.presencehub.shard;

import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.Status;

/** Hears every published transition of a shard's users (metrics, change stream). */
public interface ShardObserver {

  ShardObserver NONE = (from, to) -> { };

  /** Called on the shard's thread; {@code from} is the status before, {@code to} the new record. */
  void transition(Status from, PresenceRecord to);
}
