package com.presencehub.cluster;

import com.presencehub.presence.PublishMark;
import com.presencehub.protocol.ReplicationEnvelope.Chunk;
import com.presencehub.protocol.ReplicationEnvelope.FullState;
import com.presencehub.presence.Contribution;
import com.presencehub.presence.Preference;
import java.util.ArrayList;
import java.util.List;

/**
 * Puts a streamed full state back together (issue 17), plain Java. Parts must come in order and
 * from one state: anything else means the stream broke (a part lost, or the sender restarted), and
 * the whole state is asked for again, as after any failed request. Nothing is applied before the
 * last part: a full state replaces what is held, so a user absent from it is gone, which only the
 * whole state can tell. Deltas that arrive meanwhile go to the {@link ReplicaTable} as they do
 * while a whole full state travels.
 */
final class FullStateAssembly {

  private String origin;
  private long seq = -1;
  private int next;
  private final List<Contribution> contributions = new ArrayList<>();
  private final List<Preference> preferences = new ArrayList<>();
  private final List<PublishMark> marks = new ArrayList<>();

  /**
   * Adds the next part; returns the whole state once {@code c} is the last, else null.
   *
   * @throws IllegalStateException when {@code c} is out of order or of another state
   */
  FullState add(Chunk c) {
    if (c.index() != next || (next > 0 && c.seq() != seq)) {
      throw new IllegalStateException("full-state part " + c.index() + " of state " + c.seq() + ", expected part "
          + next + (next > 0 ? " of state " + seq : ""));
    }
    seq = c.seq();
    origin = c.origin();
    next++;
    contributions.addAll(c.contributions());
    preferences.addAll(c.preferences());
    marks.addAll(c.marks());
    return c.last() ? new FullState(origin, seq, List.copyOf(contributions), List.copyOf(preferences), List.copyOf(marks))
        : null;
  }

  /** Parts received so far. */
  int parts() {
    return next;
  }
}
