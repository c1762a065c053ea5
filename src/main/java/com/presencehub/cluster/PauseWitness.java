package com.presencehub.cluster;

/**
 * Whether this process was paused as a whole between two instants: frozen (SIGSTOP, a
 * stop-the-world GC, a VM its host paused), not merely with its event loop behind. {@link
 * ChangeStream} asks it when a gap of more than {@code pauseMs} separates two of its inputs
 * (issue 17; {@link ProcessPauses} is the one a node uses).
 */
@FunctionalInterface
interface PauseWitness {

  /** Every gap between two inputs is a pause: for a stream whose inputs only a pause delays (tests). */
  PauseWitness EVERY_GAP = (from, to) -> true;

  /**
   * @param from the earlier instant (epoch ms, {@link System#currentTimeMillis})
   * @param to the later instant (epoch ms)
   * @return true when the process may have been paused in between (false only when it is known not)
   */
  boolean pausedBetween(long from, long to);
}
