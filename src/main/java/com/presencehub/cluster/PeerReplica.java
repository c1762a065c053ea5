package com.presencehub.cluster;

import com.presencehub.protocol.ReplicationEnvelope.Delta;
import com.presencehub.protocol.ReplicationEnvelope.Digest;
import com.presencehub.presence.Contribution;
import com.presencehub.presence.UserKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What this node holds of one incarnation of another hub node: its contributions as last
 * replicated with their running fingerprint (compared with its digests), the order of its deltas
 * ({@link DeltaOrder}), and where the exchange with it stands. Changed only by {@link ReplicaTable},
 * through the operations below.
 */
final class PeerReplica {

  /** Deltas kept while a full state is awaited; beyond that the full state alone will do. */
  static final int MAX_WAITING = 10_000;

  final Membership.Member member;

  private final Map<UserKey, Contribution> held = new HashMap<>();
  private long fingerprint;
  final DeltaOrder<Delta> order = new DeltaOrder<>(MAX_WAITING);

  /** A live member; false once the membership service removed it (its users then linger for the grace). */
  boolean alive = true;
  /** A full-state request is on its way. */
  boolean syncing;
  /**
   * The latest ask of this peer's shares ({@link ReplicaChanges.Sync#request}; 0 before the first):
   * only its answer counts. An answer to an earlier ask (made before the peer left and came back)
   * neither ends this one's "syncing" nor applies. Asks of its ledger alone do not set it.
   */
  long request;
  /** Needs a full state at the next chance (gap seen, or a digest that disagrees). */
  boolean stale = true;
  long lastHeard;
  /** Which grace (departure) is running; a grace that ends under another token is over already. */
  long graceToken;
  /** The preference fingerprints (the peer's, this node's) at the last digest that disagreed on them; null: it agreed. */
  private long[] preferenceMismatch;

  PeerReplica(Membership.Member member, long now) {
    this.member = member;
    this.lastHeard = now;
  }

  String id() {
    return member.id();
  }

  String name() {
    return member.name();
  }

  long fingerprint() {
    return fingerprint;
  }

  /** Replaces one contribution; returns whether anything changed. */
  boolean put(Contribution c) {
    Contribution old = c.present() ? held.put(c.user(), c) : held.remove(c.user());
    if (old != null) {
      fingerprint -= old.fingerprint();
    }
    if (c.present()) {
      fingerprint += c.fingerprint();
    }
    return old == null ? c.present() : !old.equals(c);
  }

  /**
   * Whether {@code g} shows that something of this peer was lost: a later sequence, or the same
   * with another fingerprint. Preferences are everyone's: a difference may just be a write in
   * flight, so only the same difference in two digests in a row counts, neither side having
   * changed in between. Under a steady stream of {@code presence.set} writes both fingerprints move
   * every second, and "different twice" alone made every node re-sync every peer every two
   * seconds (a full state each, issue 17's join bench at 1,000 writes/s); a write lost on the way
   * still shows as a gap in its writer's numbered deltas.
   */
  boolean disagrees(Digest g, long preferenceFingerprint) {
    if (g.seq() > order.seq() || (g.seq() == order.seq() && g.fingerprint() != fingerprint)) {
      return true;
    }
    if (g.preferenceFingerprint() == preferenceFingerprint) {
      preferenceMismatch = null;
      return false;
    }
    long[] now = {g.preferenceFingerprint(), preferenceFingerprint};
    if (Arrays.equals(now, preferenceMismatch)) {
      preferenceMismatch = null;
      return true;
    }
    preferenceMismatch = now;
    return false;
  }

  /** Replaces everything held by a full state's contributions; returns what changed (gone ones first). */
  List<Contribution> replaceAll(Collection<Contribution> state) {
    Map<UserKey, Contribution> fresh = new HashMap<>();
    for (Contribution c : state) {
      fresh.put(c.user(), c);
    }
    List<Contribution> changed = new ArrayList<>();
    for (Contribution old : new ArrayList<>(held.values())) {
      if (!fresh.containsKey(old.user())) {
        Contribution gone = Contribution.gone(old.user(), old.role());
        put(gone);
        changed.add(gone);
      }
    }
    for (Contribution c : fresh.values()) {
      if (put(c)) {
        changed.add(c);
      }
    }
    return changed;
  }

  /** The node left: its sessions end, its users linger (PROTOCOL.md §6); returns what changed. */
  List<Contribution> linger() {
    List<Contribution> changed = new ArrayList<>();
    for (Contribution c : new ArrayList<>(held.values())) {
      if (c.sessions() > 0) {
        Contribution lingering = new Contribution(c.user(), c.role(), 0, true, c.active(), c.lastActiveAt());
        put(lingering);
        changed.add(lingering);
      }
    }
    return changed;
  }

  /** Forgets every share; returns them as gone. */
  List<Contribution> forget() {
    List<Contribution> gone = new ArrayList<>(held.size());
    for (Contribution c : held.values()) {
      gone.add(Contribution.gone(c.user(), c.role()));
    }
    held.clear();
    fingerprint = 0;
    return gone;
  }

  @Override
  public String toString() {
    return member.toString();
  }
}
