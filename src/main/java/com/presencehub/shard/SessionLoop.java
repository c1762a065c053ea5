package com.presencehub.shard;

import java.util.List;

/**
 * A loop sessions live on (a gateway event loop). A shard flush hands it the changes of all its
 * sessions as one task ({@link #deliver}) instead of one task per session: one cross-thread
 * hand-over and one wake-up per loop and flush, and each distinct frame encoded once.
 */
public interface SessionLoop {

  /**
   * Called on the shard's thread, once per flush and loop; must hand the batches over to the loop.
   * Every session of the batches returned this loop from {@link SessionLink#loop}, and appears in
   * one batch only: its changes of this flush, in the order the shard produced them.
   */
  void deliver(List<ChangeBatch> batches);
}
