package com.presencehub.cluster;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@link ReplicaTable}'s peers as the membership service lists them (PROTOCOL.md §6), plain
 * Java: a node new or back is asked for its full state; one that restarted (same name, later
 * epoch) replaces its past at once; a departed one lingers for the grace, then is dropped; the
 * speaker lost (or restarted, or a healed split) makes every peer re-sync, since only then may a
 * ledger here lack marks; and readiness, through {@link FirstSync}. Shares the table's peers.
 *
 * <p>Not thread-safe: used on the replication event loop.
 */
final class PeerMembership {

  private final String self;
  private final ChangeStream stream;
  private final Map<String, PeerReplica> peers;
  private final FirstSync first;
  /** Numbers every full-state ask ({@link ReplicaChanges.Sync#request}). */
  private long requests;
  private long graceTokens;
  /** The oldest hub member's name at the last membership: the one that speaks. */
  private String oldestName;

  PeerMembership(String self, ChangeStream stream, Map<String, PeerReplica> peers, FirstSync first) {
    this.self = self;
    this.stream = stream;
    this.peers = peers;
    this.first = first;
  }

  /** Brings peers, lingering and readiness in line with the hub members listed now (oldest first). */
  ReplicaChanges update(List<Membership.Member> members, long now) {
    ReplicaChanges out = new ReplicaChanges();
    Set<String> live = new HashSet<>();
    boolean restartedSpeaker = false;
    first.look(members, self);
    for (Membership.Member m : members) {
      live.add(m.id());
    }
    for (Membership.Member m : members) {
      // A node that restarted (same name, later epoch) replaces its past at once: the old
      // incarnation's sessions died with it, no need to wait for failure detection.
      for (PeerReplica old : new ArrayList<>(peers.values())) {
        if (old.name().equals(m.name()) && old.member.epoch() < m.epoch() && !old.id().equals(m.id())) {
          out.log(old + " restarted as epoch " + m.epoch() + ": dropping its old sessions now");
          if (old.name().equals(oldestName)) {
            // Before anything lets the stream decide who speaks: the next oldest takes over now.
            restartedSpeaker = true;
            stream.distrustPeers();
          }
          drop(old, now, out);
        }
      }
      if (m.id().equals(self)) {
        continue;
      }
      PeerReplica p = peers.get(m.id());
      if (p == null) {
        p = new PeerReplica(m, now);
        peers.put(p.id(), p);
        first.peerAdded(p.id());
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
    first.firstLook(peers.values().stream().filter(p -> p.stale).map(PeerReplica::id).toList());
    first.retain(live);
    checkWhole(now, out);
    // The oldest member speaks: if it restarted before failure detection, it kept its name, so the
    // names alone do not show the loss, but its old incarnation died, and its last marks may have
    // reached only some peers. (Another node's restart loses no mark: only the speaker makes them.)
    List<String> names = Membership.currentNames(members);
    boolean lost = stream.membership(names, now) || restartedSpeaker;
    oldestName = names.isEmpty() ? null : names.get(0);
    if (lost) {
      first.endJoining(true, alivePeers());
      // The speaker lost: every peer's ledger is needed again before this node may start to speak
      // (ChangeStream), so every peer is asked for its full state. Arrivals, and other members
      // lost, change no ledger held here: then only arrivals are asked (above), which keeps a
      // join, a restart or a crash from costing every member a full state of every other (issue
      // 17, bench/join.mjs).
      resyncAll(out);
      // The speaker's ledger, if it was all this node waited for, is wanted no more.
      checkWhole(now, out);
    }
    return out;
  }

  private List<String> alivePeers() {
    return peers.values().stream().filter(p -> p.alive).map(PeerReplica::id).toList();
  }

  /** Every live peer is asked for its full state (one already asked is asked again once it answers, if stale). */
  private void resyncAll(ReplicaChanges out) {
    peers.values().stream().filter(p -> p.alive).forEach(p -> {
      p.stale = true;
      sync(p, out);
    });
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
    if (first.isLedgerPeer(p.id())) {
      // The one peer the ledger was to come from is gone: every other one is asked for its own.
      first.endJoining(true, alivePeers());
      resyncAll(out);
      checkWhole(now, out);
    }
    if (first.done(p.id())) {
      checkWhole(now, out);
    }
  }

  /** {@code peer}'s full state was applied: if it was awaited, this node may now be whole. */
  void received(String peer, long now, ReplicaChanges out) {
    if (first.done(peer)) {
      checkWhole(now, out);
    }
  }

  private void checkWhole(long now, ReplicaChanges out) {
    if (first.becameWhole()) {
      out.whole(peers.size());
      stream.ready(now);
    }
  }

  /** The speaker's ledger asked for alone came ({@code held}) or did not (asked again at the next tick). */
  void ledgerAnswered(boolean held, long now, ReplicaChanges out) {
    first.ledgerAnswered(held);
    checkWhole(now, out);
  }

  /**
   * Nothing held of the peers can be trusted whole (a healed split, or this process was paused):
   * each is asked for its full state at the next {@link ReplicaTable#tick}.
   */
  void distrustAll() {
    first.endJoining(false, List.of());
    peers.values().forEach(p -> p.stale = true);
    stream.distrustPeers();
  }

  /** Asks {@code p} for its full state (its shares alone while joining); deltas that arrive meanwhile wait. */
  void sync(PeerReplica p, ReplicaChanges out) {
    if (p.syncing || !p.alive) {
      return;
    }
    p.syncing = true;
    p.request = ++requests;
    out.sync(new ReplicaChanges.Sync(p.id(), p.request, !first.sharesOnly()));
    askLedger(p, out);
  }

  /** Asks {@code p} for its ledger alone if it is the speaker's, wanted and not in flight. */
  void askLedger(PeerReplica p, ReplicaChanges out) {
    if (p.alive && first.askLedger(p.id())) {
      out.sync(new ReplicaChanges.Sync(p.id(), ++requests, false, true));
    }
  }
}
