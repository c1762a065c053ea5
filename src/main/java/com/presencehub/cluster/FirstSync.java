package com.presencehub.cluster;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A node's first sync with the cluster (PROTOCOL.md §6 readiness; issue 17: join time), plain Java,
 * used by the {@link ReplicaTable}: which peers' first full states it waits for before it is
 * ready, and how it asks for them.
 *
 * <p>While <em>joining</em> (until it holds the whole view, and while no member is lost), only the
 * oldest peer (the one that speaks) sends its publish marks with its full state; the others send
 * their shares alone. Every peer's ledger is a copy of the same cluster state, and this node needs
 * the union of the survivors' ledgers only to start speaking, which it, the youngest, can do only
 * after a member is lost, when every peer is asked again with its ledger; but it is not ready
 * before it holds one whole ledger, the speaker's, since it may be the only survivor (the speaker
 * of two nodes stopped right after it joined). One ledger instead of one per peer: 52,000 marks at
 * 50,000 users, most of a full state. A node that is the oldest at its first look takes every one.
 *
 * <p>Not thread-safe: used on the replication event loop.
 */
final class FirstSync {

  /** Peers whose first full state this node still waits for; null before the first look. */
  private Set<String> awaiting;
  private boolean whole;
  private boolean joining = true;
  private String ledgerPeer;

  /** At every membership (members oldest first): the first look picks the ledger's peer, the oldest. */
  void look(List<Membership.Member> members, String self) {
    if (joining && ledgerPeer == null && !members.isEmpty()) {
      ledgerPeer = members.get(0).id();
      joining = !ledgerPeer.equals(self);
    }
  }

  /** Whether a full state asked of {@code peer} now leaves the ledger out. */
  boolean sharesOnly(String peer) {
    return joining && !peer.equals(ledgerPeer);
  }

  /** Whether this node is still in its first sync (a ledger-less answer then counts as received). */
  boolean joining() {
    return joining;
  }

  /** A member lost, a split merged: every full state asked for from now on carries the ledger. */
  void endJoining() {
    joining = false;
  }

  /** Whether {@code peer} is the one the ledger is to come from while this node is joining. */
  boolean isLedgerPeer(String peer) {
    return joining && peer.equals(ledgerPeer);
  }

  /** The first look at the cluster: ready once each of {@code peers} sent its full state (or left). */
  void firstLook(Collection<String> peers) {
    if (awaiting == null) {
      awaiting = new HashSet<>(peers);
    }
  }

  /** A peer seen after the first look, before this node is whole: its full state is awaited too. */
  void peerAdded(String peer) {
    if (awaiting != null) {
      awaiting.add(peer);
    }
  }

  /** Only the peers still members are awaited. */
  void retain(Set<String> live) {
    if (awaiting != null) {
      awaiting.retainAll(live);
    }
  }

  /** {@code peer}'s first full state came, or it left; whether it was awaited. */
  boolean done(String peer) {
    return awaiting != null && awaiting.remove(peer);
  }

  /** True once, when nothing is awaited any more: the node is whole. */
  boolean becameWhole() {
    if (awaiting == null || !awaiting.isEmpty() || whole) {
      return false;
    }
    whole = true;
    joining = false;
    return true;
  }

  boolean whole() {
    return whole;
  }

}
