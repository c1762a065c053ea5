package com.presencehub.cluster;

import com.presencehub.cluster.ChangeStream.Mark;
import com.presencehub.presence.Contribution;
import com.presencehub.presence.Preference;
import java.util.List;

/** What hub nodes tell each other on {@code presence.repl} (README "Replication"), as data; {@link Wire} writes them. */
final class ReplicaMessages {

  private ReplicaMessages() {
  }

  /** One numbered delta of a node: its shares, preferences and publish marks since the previous. */
  record Delta(long seq, List<Contribution> contributions, List<Preference> preferences, List<Mark> marks) { }

  /** A node's whole state, numbered as its last delta. */
  record FullState(long seq, List<Contribution> contributions, List<Preference> preferences, List<Mark> marks) { }

  /**
   * What a node periodically says of itself, to catch what was lost: its sequence, how many users
   * it holds and their fingerprint, the fingerprint of the preferences it holds, and whether it is
   * quarantined after a pause ({@link ChangeStream}).
   */
  record Digest(long seq, int count, long fingerprint, long preferenceFingerprint, boolean paused) { }

  /**
   * One part of a streamed full state (issue 17): part {@code index} (from 0) of the state numbered
   * {@code seq}; the {@code last} one completes it. Concatenated in order, the parts are the state.
   */
  record Chunk(long seq, int index, boolean last, List<Contribution> contributions, List<Preference> preferences,
      List<Mark> marks) { }
}
