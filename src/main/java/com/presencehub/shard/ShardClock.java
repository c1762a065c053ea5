package com.presencehub.shard;

/**
 * Time and timers for a {@link PresenceShard}, so that the shard stays plain Java: the Vert.x
 * implementation runs every task on the shard's event loop, tests drive a manual clock.
 */
public interface ShardClock {

  long now();

  /** Runs {@code task} on the shard's thread after {@code delayMs}; returns an id for cancel. */
  long schedule(long delayMs, Runnable task);

  void cancel(long timerId);

  /** Runs {@code task} on the shard's thread after what is queued there now (batching point). */
  void runSoon(Runnable task);
}
