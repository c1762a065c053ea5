package com.presencehub.cluster;

import com.presencehub.protocol.ReplicationEnvelope.Delta;
import com.presencehub.protocol.ReplicationEnvelope.Digest;
import com.presencehub.protocol.ReplicationEnvelope.FullState;
import com.presencehub.presence.Contribution;
import com.presencehub.presence.UserKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
  private long serials;
  private long graceTokens;
  /** Peers whose first full state this node still waits for before it is ready; null before the first look. */
  private Set<String> awaitingFirstSync;
  private boolean whole;
  /**
   * This node's first sync: until it holds the whole view (and while no member is lost), the peers
   * send their shares alone, without their publish marks; once whole, the oldest peer ({@link
   * #ledgerPeer}, the one that speaks) is asked again, with its ledger. Every peer's ledger is a
   * copy of the same cluster state, and this node needs the union of the survivors' ledgers only
   * to start speaking, which it, the youngest, can do only after a member is lost, when every peer
   * is asked again with its ledger; the deltas it hears meanwhile bring the marks published since.
   * Readiness waits for no ledger, and one ledger is fetched instead of one per peer: 52,000 marks
   * at 50,000 users, most of a full state (issue 17: join time).
   */
  private boolean joining = true;
  private String ledgerPeer;
  /** When a node that joined asks the oldest peer for its ledger (ms), after it is whole; MAX_VALUE: not due. */
  private long ledgerDueAt = Long.MAX_VALUE;
  static final long LEDGER_DELAY_MS = 1_000;
  /** The oldest hub member's name at the last membership: the one that speaks. */
  private String oldestName;

  /** {@code self}: this node's Vert.x node id; {@code stream}: gets the marks received, membership and full states. */
  ReplicaTable(String self, ChangeStream stream) {
    this.self = self;
    this.stream = stream;
    this.own = new OwnShares(self, stream, preferences);
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
    if (p.syncing || !p.alive) {
      return;
    }
    p.syncing = true;
    out.sync(new ReplicaChanges.Sync(p.id(), p.serial, !joining));
  }

  /** The peer a request was for, if it is still the same incarnation; its request is over. */
  private PeerReplica answered(ReplicaChanges.Sync s) {
    PeerReplica p = peers.get(s.peer());
    if (p == null || p.serial != s.serial()) {
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
    PeerReplica p = answered(s);
    if (p != null) {
      p.stale = true;
    }
  }

  /** The full state asked for by {@code s} arrived. */
  ReplicaChanges fullState(ReplicaChanges.Sync s, FullState state, long now) {
    ReplicaChanges out = new ReplicaChanges();
    boolean wasJoining = joining;
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
    if (awaitingFirstSync != null && awaitingFirstSync.remove(p.id())) {
      checkWhole(now, out);
    }
    if (s.ledger() || wasJoining) {
      stream.synced(p.name(), now);
    } else {
      // Asked without the ledger while joining, answered after a member was lost: ask again, with it.
      p.stale = true;
      sync(p, out);
    }
    return out;
  }

  // ---- membership --------------------------------------------------------------------------------

  /** Brings peers, lingering and readiness in line with the hub members listed now (oldest first). */
  ReplicaChanges membership(List<Membership.Member> members, long now) {
    ReplicaChanges out = new ReplicaChanges();
    Set<String> live = new HashSet<>();
    boolean restartedSpeaker = false;
    if (joining && ledgerPeer == null && !members.isEmpty()) {
      // Members come oldest first. The oldest may speak as soon as it is whole: it takes every ledger.
      ledgerPeer = members.get(0).id();
      joining = !ledgerPeer.equals(self);
    }
    for (Membership.Member m : members) {
      live.add(m.id());
    }
    for (Membership.Member m : members) {
      // A node that restarted (same name, later epoch) replaces its past at once: the old
      // incarnation's sessions died with it, no need to wait for failure detection.
      for (PeerReplica old : new ArrayList<>(peers.values())) {
        if (old.name().equals(m.name()) && old.member.epoch() < m.epoch() && !old.id().equals(m.id())) {
          out.log(old + " restarted as epoch " + m.epoch() + ": dropping its old sessions now");
          drop(old, now, out);
          restartedSpeaker |= old.name().equals(oldestName);
        }
      }
      if (m.id().equals(self)) {
        continue;
      }
      PeerReplica p = peers.get(m.id());
      if (p == null) {
        p = new PeerReplica(m, ++serials, now);
        peers.put(p.id(), p);
        if (awaitingFirstSync != null) {
          awaitingFirstSync.add(p.id());
        }
        sync(p, out);
      } else if (!p.alive) {
        out.log(p + " is back: cancelling its grace, re-syncing");
        p.alive = true;
        p.lastHeard = now;
        p.stale = true;
        sync(p, out);
      }
    }
    for (PeerReplica p : new ArrayList<>(peers.values())) {
      if (p.alive && !live.contains(p.id())) {
        orphan(p, out);
      }
    }
    if (awaitingFirstSync == null) {
      // The first look at the cluster: ready once each node seen now has sent its full state.
      awaitingFirstSync = new HashSet<>();
      for (PeerReplica p : peers.values()) {
        if (p.stale) {
          awaitingFirstSync.add(p.id());
        }
      }
    }
    awaitingFirstSync.retainAll(live);
    checkWhole(now, out);
    // The oldest member speaks: if it restarted before failure detection, it kept its name, so the
    // names alone do not show the loss, but its old incarnation died, and its last marks may have
    // reached only some peers. (Another node's restart loses no mark: only the speaker makes them.)
    List<String> names = Membership.currentNames(members);
    boolean lost = stream.membership(names, now);
    if (restartedSpeaker && !lost) {
      stream.distrustPeers();
      lost = true;
    }
    oldestName = names.isEmpty() ? null : names.get(0);
    if (lost) {
      joining = false;
      // A member lost: every peer's ledger is needed again before this node may start to speak
      // (ChangeStream), so every peer is asked for its full state. Arrivals alone change no ledger
      // held here: then only they are asked (above), which keeps a join or a restart from costing
      // every member a full state of every other (issue 17, bench/join.mjs).
      for (PeerReplica p : peers.values()) {
        if (p.alive) {
          p.stale = true;
          sync(p, out);
        }
      }
    }
    return out;
  }

  /** The membership service removed {@code p}: its users keep their presence for the grace, then lose it. */
  private void orphan(PeerReplica p, ReplicaChanges out) {
    p.alive = false;
    p.syncing = false;
    p.order.dropWaiting();
    out.shares(p.id(), p.linger());
    p.graceToken = ++graceTokens;
    out.grace(new ReplicaChanges.Grace(p.id(), p.graceToken, p.toString()));
  }

  /** The grace of a departed peer is over: its users lose its shares, unless it came back. */
  ReplicaChanges graceOver(ReplicaChanges.Grace g, long now) {
    ReplicaChanges out = new ReplicaChanges();
    PeerReplica p = peers.get(g.peer());
    if (p != null && !p.alive && p.graceToken == g.token()) {
      drop(p, now, out);
    }
    return out;
  }

  /** Forgets every share of {@code p} now. */
  private void drop(PeerReplica p, long now, ReplicaChanges out) {
    p.alive = false;
    p.graceToken = 0;
    peers.remove(p.id());
    out.shares(p.id(), p.forget());
    if (joining && p.id().equals(ledgerPeer)) {
      // The one peer asked for the ledger is gone: every other one is asked for its own.
      joining = false;
      for (PeerReplica other : peers.values()) {
        if (other.alive) {
          other.stale = true;
          sync(other, out);
        }
      }
    }
    if (awaitingFirstSync != null && awaitingFirstSync.remove(p.id())) {
      checkWhole(now, out);
    }
  }

  private void checkWhole(long now, ReplicaChanges out) {
    if (awaitingFirstSync != null && awaitingFirstSync.isEmpty() && !whole) {
      whole = true;
      out.whole(peers.size());
      stream.ready(now);
      if (joining) {
        joining = false;
        // The oldest peer's shares are held; its ledger a second later, once the node has started
        // to serve, so that the two do not compete for the node's CPU (see tick).
        ledgerDueAt = now + LEDGER_DELAY_MS;
      }
    }
  }

  /**
   * Nothing held of the peers can be trusted whole (a healed split, or this process was paused):
   * each is asked for its full state at the next {@link #tick}.
   */
  void distrustAll() {
    joining = false;
    peers.values().forEach(p -> p.stale = true);
    stream.distrustPeers();
  }

  /**
   * Peers to re-sync now: those marked stale, and those silent for {@code silenceMs} (no delta, no
   * digest: what a lost subscription looks like).
   */
  ReplicaChanges tick(long now, long silenceMs) {
    ReplicaChanges out = new ReplicaChanges();
    if (now >= ledgerDueAt) {
      ledgerDueAt = Long.MAX_VALUE;
      PeerReplica oldest = live(ledgerPeer);
      if (oldest != null) {
        oldest.stale = true; // asked below, with its ledger (an answer on its way without one is asked again)
      }
    }
    for (PeerReplica p : peers.values()) {
      boolean silent = now - p.lastHeard > silenceMs;
      if (p.alive && !p.syncing && (p.stale || silent)) {
        if (silent) {
          p.lastHeard = now;
        }
        sync(p, out);
      }
    }
    return out;
  }

  // ---- state, for tests and logs -----------------------------------------------------------------

  /** Whether this node holds every other node's full state (readiness). */
  boolean whole() {
    return whole;
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
