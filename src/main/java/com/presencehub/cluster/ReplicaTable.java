package com.presencehub.cluster;

import com.presencehub.protocol.ReplicationEnvelope.Delta;
import com.presencehub.protocol.ReplicationEnvelope.Digest;
import com.presencehub.protocol.ReplicationEnvelope.FullState;
import com.presencehub.presence.Contribution;
import com.presencehub.presence.UserKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * This node's replicated view of the cluster (PROTOCOL.md §6, README "Replication"), plain Java:
 * its own shares and their numbering, every peer's shares in delta order (gaps, waiting deltas,
 * full states, the replay after them), fingerprints for digests, the cluster's preferences (latest
 * write wins, this node's one copy for full states and digests), membership (restarts, departures,
 * merges, readiness), and the publish marks of {@code presence.changes}, which travel in deltas and
 * full states into the {@link ChangeStream}. Every input returns {@link ReplicaChanges}: shares and
 * preferences for the shards, peers to ask for a full state, graces to time, for the verticle.
 *
 * <p>Not thread-safe: one instance per node, used on the replication event loop.
 */
final class ReplicaTable {

  private final String self;
  private final ChangeStream stream;
  private final ClusterPreferences preferences = new ClusterPreferences();
  private final OwnShares own;
  private final Map<String, PeerReplica> peers = new HashMap<>();
  /** Readiness and the ledger of this node's first sync. */
  private final FirstSync first = new FirstSync();
  private final PeerMembership membership;

  /** {@code self}: this node's Vert.x node id; {@code stream}: gets the marks received, membership and full states. */
  ReplicaTable(String self, ChangeStream stream) {
    this.self = self;
    this.stream = stream;
    this.own = new OwnShares(self, stream, preferences);
    this.membership = new PeerMembership(self, stream, peers, first);
  }

  /** This node's own shares, deltas, full state and digest. */
  OwnShares own() {
    return own;
  }

  // ---- in: the others' messages ------------------------------------------------------------------

  /** Whether {@code origin} is a known peer (else the caller re-reads the membership first). */
  boolean knows(String origin) {
    return peers.containsKey(origin);
  }

  /** A message came from {@code origin}; false when it is not a live peer (then it is ignored). */
  boolean heard(String origin, long now) {
    PeerReplica p = live(origin);
    if (p != null) {
      p.lastHeard = now;
    }
    return p != null;
  }

  /** A delta of {@code origin}: applied in sequence, or kept behind a gap while its full state is asked for. */
  ReplicaChanges delta(String origin, Delta d, long now) {
    ReplicaChanges out = new ReplicaChanges();
    PeerReplica p = live(origin);
    if (p == null) {
      return out;
    }
    long expected = p.order.seq() + 1;
    switch (p.order.offer(d.seq(), d)) {
      case STALE -> { }
      case APPLY -> apply(p, d, now, out);
      case WAIT -> {
        // A gap (or no full state yet to apply it to): wait for the peer's full state. Its publish
        // marks need no order (latest stamp wins): kept at once, so that they survive if the full
        // state never comes (the publisher froze or died behind the gap).
        stream.marks(d.marks(), now);
        if (!p.syncing) {
          if (expected > 0) {
            out.log("gap from " + p + ": expected " + expected + ", got " + d.seq() + "; asking for its full state");
          }
          sync(p, out);
        }
      }
    }
    return out;
  }

  private void apply(PeerReplica p, Delta d, long now, ReplicaChanges out) {
    // Marks first: a transition these contributions cause must meet the ledger that shows it.
    stream.marks(d.marks(), now);
    List<Contribution> changed = new ArrayList<>();
    for (Contribution c : d.contributions()) {
      if (p.put(c)) {
        changed.add(c);
      }
    }
    out.shares(p.id(), changed);
    out.preferences(preferences.keepNewer(d.preferences()));
  }

  /** Deltas waiting behind a gap for a full state, over every peer (a metric). */
  int bufferedDeltas() {
    return peers.values().stream().mapToInt(p -> p.order.waiting()).sum();
  }

  /** A digest of {@code origin}: a later sequence or another fingerprint means something was lost. */
  ReplicaChanges digest(String origin, Digest g, long now) {
    ReplicaChanges out = new ReplicaChanges();
    PeerReplica p = live(origin);
    if (p == null) {
      return out;
    }
    stream.peerPaused(p.name(), g.paused(), now);
    if (!p.syncing && p.disagrees(g, preferences.fingerprint())) {
      sync(p, out);
    }
    return out;
  }

  /** A message of {@code origin} could not be read: its full state replaces what is held. */
  ReplicaChanges unreadable(String origin) {
    ReplicaChanges out = new ReplicaChanges();
    PeerReplica p = peers.get(origin);
    if (p != null) {
      sync(p, out);
    }
    return out;
  }

  /** Asks {@code p} for its full state; deltas that arrive meanwhile wait in order. */
  private void sync(PeerReplica p, ReplicaChanges out) {
    membership.sync(p, out);
  }

  /** The peer a request was for, if that is its latest ask (same object, not asked again since); its request is over. */
  private PeerReplica answered(ReplicaChanges.Sync s) {
    PeerReplica p = peers.get(s.peer());
    if (p == null || p.request != s.request()) {
      return null;
    }
    p.syncing = false;
    if (!p.alive) {
      p.order.dropWaiting();
      return null;
    }
    return p;
  }

  /** The full state asked for by {@code s} did not come: the next tick asks again; waiting deltas stay. */
  void syncFailed(ReplicaChanges.Sync s) {
    if (!s.shares()) {
      first.ledgerAnswered(false);
      return;
    }
    PeerReplica p = answered(s);
    if (p != null) {
      p.stale = true;
    }
  }

  /** The full state asked for by {@code s} arrived. */
  ReplicaChanges fullState(ReplicaChanges.Sync s, FullState state, long now) {
    ReplicaChanges out = new ReplicaChanges();
    if (!s.shares()) {
      // The speaker's ledger alone, for a joining node (it may complete readiness): marks merge by latest stamp at any time.
      // (A node of an earlier version sends its shares with it: they are left, not half-applied.)
      stream.marks(state.marks(), now);
      membership.ledgerAnswered(true, now, out);
      return out;
    }
    boolean wasJoining = first.joining();
    PeerReplica p = answered(s);
    if (p == null) {
      return out;
    }
    out.preferences(preferences.keepNewer(state.preferences()));
    // The ledger it holds (cluster state, merged by latest stamp), before the contributions.
    stream.marks(state.marks(), now);
    // Deltas applied while the full state travelled may already be past it: then it is older
    // than what is held and its shares are not applied (a disagreement left shows in the next
    // digest, which asks again).
    if (p.order.fullState(state.seq())) {
      out.shares(p.id(), p.replaceAll(state.contributions()));
    }
    p.stale = false;
    // The deltas that waited for it, in order, up to the next gap if any.
    for (Delta d : p.order.ready()) {
      apply(p, d, now, out);
    }
    if (p.order.waiting() > 0) {
      sync(p, out);
    }
    if (s.ledger() && first.isLedgerPeer(p.id())) {
      // The speaker's ledger came with its full state (a re-sync after a merge or a pause).
      membership.ledgerAnswered(true, now, out);
    }
    if (s.ledger() || wasJoining) {
      membership.received(p.id(), now, out);
      stream.synced(p.name(), now);
    } else {
      // Asked without the ledger while joining, answered after the speaker was lost: it counts
      // neither for readiness nor for speaking; asked again, with it.
      p.stale = true;
      sync(p, out);
    }
    return out;
  }

  // ---- membership (PeerMembership) --------------------------------------------------------------

  /** Brings peers, lingering and readiness in line with the hub members listed now (oldest first). */
  ReplicaChanges membership(List<Membership.Member> members, long now) {
    return membership.update(members, now);
  }

  /** The grace of a departed peer is over: its users lose its shares, unless it came back. */
  ReplicaChanges graceOver(ReplicaChanges.Grace g, long now) {
    return membership.graceOver(g, now);
  }

  /**
   * Nothing held of the peers can be trusted whole (a healed split, or this process was paused):
   * each is asked for its full state at the next {@link #tick}.
   */
  void distrustAll() {
    membership.distrustAll();
  }


  /**
   * Peers to re-sync now: those marked stale, and those silent for {@code silenceMs} (no delta, no
   * digest: what a lost subscription looks like).
   */
  ReplicaChanges tick(long now, long silenceMs) {
    ReplicaChanges out = new ReplicaChanges();
    for (PeerReplica p : peers.values()) {
      boolean silent = now - p.lastHeard > silenceMs;
      if (p.alive && !p.syncing && (p.stale || silent)) {
        if (silent) {
          p.lastHeard = now;
        }
        sync(p, out);
      }
      // The speaker's ledger, if asked for alone and lost on the way.
      membership.askLedger(p, out);
    }
    return out;
  }

  // ---- state, for tests and logs -----------------------------------------------------------------

  /** Whether this node holds every other node's full state (readiness). */
  boolean whole() {
    return first.whole();
  }

  /** The current incarnation of peer {@code id}, or null. */
  PeerReplica peer(String id) {
    return peers.get(id);
  }

  private PeerReplica live(String id) {
    PeerReplica p = peers.get(id);
    return p == null || !p.alive ? null : p;
  }
}
