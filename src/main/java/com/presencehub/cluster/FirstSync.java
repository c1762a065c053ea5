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
 * <p>While <em>joining</em> (until it holds the whole view, and while the speaker is not lost),
 * every peer sends its shares alone, and the oldest peer (the one that speaks) is asked for its
 * publish marks ("ledger") in a request of their own, at the same time: both stream at once,
 * instead of the ledger's 13 parts (52,000 marks at 50,000 users) after the speaker's shares.
 * Every peer's ledger is a copy of the same cluster state, and this node needs the union of the
 * survivors' ledgers only to start speaking, which it, the youngest, can do only after every older
 * member is lost; the speaker's loss asks every peer again with its ledger. But it is not ready
 * before it holds the speaker's whole ledger: it may be the only survivor (a rolling restart of
 * two nodes stops the speaker as soon as this one is ready), and a node that speaks without a
 * ledger publishes every user again and misses the offlines the ledger would show (a review
 * finding, issue 17). A node that is the oldest at its first look takes every peer's ledger with
 * its shares.
 *
 * <p>Not thread-safe: used on the replication event loop.
 */
final class FirstSync {

  /** Peers whose first full state this node still waits for; null before the first look. */
  private Set<String> awaiting;
  private boolean whole;
  private boolean joining = true;
  private String ledgerPeer;

  /** The speaker's ledger, asked for alone: wanted, asked (in flight), or not needed (held, or a loss re-asks every peer). */
  private enum Ledger { NOT_NEEDED, WANTED, ASKED }

  private Ledger ledger = Ledger.NOT_NEEDED;

  /** At every membership (members oldest first): the first look picks the ledger's peer, the oldest. */
  void look(List<Membership.Member> members, String self) {
    if (joining && ledgerPeer == null && !members.isEmpty()) {
      ledgerPeer = members.get(0).id();
      joining = !ledgerPeer.equals(self);
      ledger = joining ? Ledger.WANTED : Ledger.NOT_NEEDED;
    }
  }

  /** Whether a full state asked of a peer now leaves the ledger out: while joining, of every peer. */
  boolean sharesOnly() {
    return joining;
  }

  /** Whether to ask {@code peer} for its ledger alone now: it is the speaker's, wanted and not yet asked for. */
  boolean askLedger(String peer) {
    if (ledger != Ledger.WANTED || !peer.equals(ledgerPeer)) {
      return false;
    }
    ledger = Ledger.ASKED;
    return true;
  }

  /**
   * The speaker's ledger came ({@code held}: alone, or with a full state asked for with it) or the
   * one asked for alone did not (then it is asked for again at the next tick).
   */
  void ledgerAnswered(boolean held) {
    if (held) {
      ledger = Ledger.NOT_NEEDED;
    } else if (ledger == Ledger.ASKED) {
      ledger = Ledger.WANTED;
    }
  }

  /** Whether this node is still in its first sync (a ledger-less answer then counts as received). */
  boolean joining() {
    return joining;
  }

  /**
   * The speaker lost ({@code speakerGone}), a split merged or this process paused: every full state
   * asked for from now on carries the ledger. The speaker's, if still wanted, stays wanted unless
   * the speaker is gone; then, while this node is not whole yet, every peer left is awaited again,
   * with its ledger: a node ready without any ledger and then left alone would speak without one.
   */
  void endJoining(boolean speakerGone, Collection<String> peersLeft) {
    joining = false;
    if (speakerGone) {
      ledger = Ledger.NOT_NEEDED;
      if (awaiting != null && !whole) {
        awaiting.addAll(peersLeft);
      }
    }
  }

  /** Whether {@code peer} is the one the ledger is still to come from. */
  boolean isLedgerPeer(String peer) {
    return ledger != Ledger.NOT_NEEDED && peer.equals(ledgerPeer);
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

  /** True once, when nothing is awaited any more (every peer's shares, the speaker's ledger): the node is whole. */
  boolean becameWhole() {
    if (awaiting == null || !awaiting.isEmpty() || whole || ledger != Ledger.NOT_NEEDED) {
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
