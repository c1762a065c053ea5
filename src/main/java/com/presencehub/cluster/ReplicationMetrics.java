package com.presencehub.cluster;

/**
 * What replication reports to the node's metrics (node/HubMetrics implements it as Prometheus
 * meters). Called on the replication verticle's loop only; an implementation must not block.
 */
public interface ReplicationMetrics {

  /** A full state asked of a peer: a new peer, a gap, a digest that disagreed, a merge. */
  void fullStateRequested();

  /** A peer's full state received and applied, {@code millis} after it was asked for. */
  void fullStateApplied(long millis);

  /** A peer's digest disagreed with what this node holds of it (something was lost). */
  void digestMismatch();

  /**
   * Sampled once per digest interval.
   *
   * @param members hub members in the cluster, this node included
   * @param bufferedDeltas deltas waiting behind a gap for a full state, over every peer
   * @param lagMillis how long the peer that is furthest behind has been waiting for its full state
   *     (0 when every peer's replica is in order)
   */
  void sample(int members, int bufferedDeltas, long lagMillis);

  /** Reports nowhere (tests and simulations that build the verticle without a registry). */
  ReplicationMetrics NONE = new ReplicationMetrics() {
    @Override
    public void fullStateRequested() {
    }

    @Override
    public void fullStateApplied(long millis) {
    }

    @Override
    public void digestMismatch() {
    }

    @Override
    public void sample(int members, int bufferedDeltas, long lagMillis) {
    }
  };
}
