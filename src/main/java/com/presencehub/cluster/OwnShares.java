package com.presencehub.cluster;

import com.presencehub.presence.PublishMark;
import com.presencehub.protocol.ReplicationEnvelope.Delta;
import com.presencehub.protocol.ReplicationEnvelope.Digest;
import com.presencehub.protocol.ReplicationEnvelope.FullState;
import com.presencehub.presence.Contribution;
import com.presencehub.presence.Preference;
import com.presencehub.presence.UserKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * This node's side of replication, plain Java: its users' local shares as the shards handed them
 * over, numbered into deltas (this node is their only writer), its full state and its digest.
 */
final class OwnShares {

  private final String self;
  private final ChangeStream stream;
  private final ClusterPreferences preferences;
  private final Map<UserKey, Contribution> local = new HashMap<>();
  private long fingerprint;
  private long seq;
  private final List<Contribution> pending = new ArrayList<>();
  private final List<Preference> pendingPreferences = new ArrayList<>();
  private final List<PublishMark> pendingMarks = new ArrayList<>();

  OwnShares(String self, ChangeStream stream, ClusterPreferences preferences) {
    this.self = self;
    this.stream = stream;
    this.preferences = preferences;
  }

  /** The shards handed over their users' shares and the preferences written here. */
  void local(List<Contribution> contributions, List<Preference> prefs) {
    for (Contribution c : contributions) {
      Contribution old = c.present() ? local.put(c.user(), c) : local.remove(c.user());
      if (old != null) {
        fingerprint -= old.fingerprint();
      }
      if (c.present()) {
        fingerprint += c.fingerprint();
      }
    }
    pending.addAll(contributions);
    for (Preference p : prefs) {
      preferences.keep(p);
    }
    pendingPreferences.addAll(prefs);
  }

  /** Publish marks of events this node just published: they leave with the next delta. */
  void published(List<PublishMark> marks) {
    pendingMarks.addAll(marks);
  }

  /** The next numbered delta of everything handed over since the last; null when there is nothing. */
  Delta nextDelta() {
    if (pending.isEmpty() && pendingPreferences.isEmpty() && pendingMarks.isEmpty()) {
      return null;
    }
    seq++;
    Delta d = new Delta(self, seq, List.copyOf(pending), List.copyOf(pendingPreferences), List.copyOf(pendingMarks));
    pending.clear();
    pendingPreferences.clear();
    pendingMarks.clear();
    return d;
  }

  /**
   * This node's full state, numbered as its last delta (call {@link #nextDelta} first); {@code
   * withShares} false leaves its shares and preferences out (the ledger asked for alone), {@code
   * withLedger} false its publish marks (an asker that takes them elsewhere).
   */
  FullState fullState(boolean withShares, boolean withLedger) {
    return new FullState(self, seq, withShares ? List.copyOf(local.values()) : List.of(),
        withShares ? List.copyOf(preferences.all()) : List.of(), withLedger ? List.copyOf(stream.ledger()) : List.of());
  }

  Digest digest() {
    return new Digest(self, seq, local.size(), fingerprint, preferences.fingerprint(), stream.paused());
  }
}
