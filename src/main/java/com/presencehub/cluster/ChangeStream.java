package com.presencehub.cluster;

import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.PublishMark;
import com.presencehub.presence.UserKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The rules of {@code presence.changes} (PROTOCOL.md §5 and §6), plain Java: who may speak for the
 * cluster, what it publishes, and the published state ("ledger") that every node keeps as cluster
 * state. The replication verticle feeds it this node's view, the peers' publish marks and the
 * membership, and carries out what it returns: records to publish and marks to replicate.
 *
 * <p>The ledger holds, per user, the last status published by any node, stamped (a Lamport-style
 * millisecond stamp, then the publishing node's name) so that two ledgers merge by latest stamp.
 * Marks leave in the publisher's numbered replication deltas and every full state, so a node that
 * joins or restarts holds the ledger before it can publish (it is not ready before its first full
 * states), and a node that takes over publishes exactly the users whose view differs from it.
 *
 * <p>A node <em>speaks</em> (publishes) only when all of these hold:
 * <ul>
 *   <li>it holds the whole view ({@link #ready}) and is not stopping;
 *   <li>it is the oldest hub member of its current view;
 *   <li>its current view holds a strict majority of the last <em>stable</em> membership (peers
 *       that report being quarantined after a pause do not count) — the view a speaking node saw
 *       unchanged for {@code settleMs} with every peer's full state received since it last
 *       changed. Until it has one (just started), a node that founded its cluster speaks in any
 *       view; one that joined older members only once its view is such a view and holds no
 *       quarantined peer (and only then forms its first one). Two nodes are the exception: with a stable
 *       membership of two, one node that was not paused speaks alone (it cannot tell a crashed
 *       peer from a partitioned one; refusing would leave a crashed node's users online in the
 *       stream for good). A node paused since the stable membership formed never claims this
 *       exception: alone after a pause, it stays silent until the other node is back (or a new
 *       stable membership forms). Nor does a pair that is what is left of a larger cluster, until
 *       it has been stable for {@code 6 × settleMs}: losing a member (often Hazelcast's master) can
 *       briefly split the two survivors, and each must not publish the other's healthy users offline;
 *   <li>it is not quarantined: a gap of more than {@code pauseMs} between two inputs, confirmed by
 *       the {@link PauseWitness}, means this process was frozen (SIGSTOP, a long GC, a VM pause),
 *       not merely its event loop behind. Its view and membership are then
 *       stale, so it speaks again only after its view stayed unchanged for {@code settleMs} and
 *       every peer of it sent its full state after the pause and after the last view change.
 * </ul>
 * A node only <em>starts</em> to speak once every peer of its current view sent its full state
 * (with its ledger) since the view last lost its oldest member, the one that spoke: the marks of a
 * predecessor that died may have reached only some of the survivors. Only the speaker makes marks,
 * so nodes joining, and any other member lost, change no ledger held: then only the arrivals' own
 * full states are awaited (see {@link #membership}). While it speaks, every user whose (status,
 * reason) in this node's view differs from the ledger gets exactly one event: on a transition, when
 * it starts speaking, and when marks merged from elsewhere (a healed partition) differ from the view.
 *
 * <p>Not thread-safe: one instance per node, used on the replication event loop.
 */
public final class ChangeStream {

  private final String self;
  private final long pauseMs;
  private final PauseWitness pauses;
  private final long settleMs;
  /** The view and the published state this node compares. */
  private final PublishLedger ledger;

  /** Hub members' names, oldest first, as last reported. */
  private List<String> members = List.of();
  private long viewSince;
  /** Peers whose full state arrived since the view last changed (or since the pause). */
  private final Set<String> syncedSinceChange = new HashSet<>();
  private Set<String> stable = Set.of();
  /**
   * When the stable membership last shrank (a member lost): the two-node exception waits
   * {@link #pairTrustMs} after it. A pair left over from a larger cluster has just seen a member
   * vanish, and Hazelcast, having lost its master, may briefly split the two healthy survivors:
   * each would then publish the other's users offline. Long.MIN_VALUE: never shrank.
   */
  private long shrunkAt = Long.MIN_VALUE;
  private final long pairTrustMs;
  /** Peers that say (in their digests) they are quarantined after a pause: they count for no majority. */
  private final Set<String> pausedPeers = new HashSet<>();

  private boolean ready;
  private boolean stopped;
  private long lastInputMs = -1;
  private boolean paused;
  private long pausedAt;
  /** An older member was in a view of this node's: it joined a running cluster (see {@link #quorum}). */
  private boolean joinedOlder;
  /** Paused since the stable membership formed: the two-node exception is off until it forms again. */
  private boolean pausedSinceStable;
  private boolean speaking;

  /**
   * @param self this node's name (its {@code nodeId})
   * @param pauseMs a gap between inputs longer than this is a pause (ms), if {@code pauses} confirms it
   * @param settleMs how long a view must stay unchanged to become stable or to end a quarantine (ms)
   * @param retentionMs how long a user offline in both the view and the ledger is kept
   *     ({@code offlineRetentionMs}, PROTOCOL.md §2); then it is forgotten, as if never seen
   * @param pauses tells a pause of the process from a busy loop ({@link ProcessPauses}; tests: every gap)
   */
  ChangeStream(String self, long pauseMs, long settleMs, long retentionMs, PauseWitness pauses) {
    this.self = self;
    this.pauseMs = pauseMs;
    this.pauses = pauses;
    this.settleMs = settleMs;
    this.ledger = new PublishLedger(self, retentionMs);
    this.pairTrustMs = 6 * settleMs;
  }

  // ---- inputs ------------------------------------------------------------------------------------

  /**
   * A transition in this node's view (from its shards, in order per user). While speaking, it is
   * published at once unless the ledger already shows it.
   */
  public Publication transition(PresenceRecord r, long now) {
    notePause(now);
    ledger.see(r, now);
    if (!decide(now)) {
      return Publication.NONE;
    }
    return ledger.publishIfDiffers(List.of(r.key()), now);
  }

  /**
   * Marks received from a peer (a delta's or a full state's), merged by latest stamp. What they
   * change is compared with the view only at the next {@link #recheck}: the contributions that
   * travelled with them reach the view through the shards, after this call.
   */
  public void marks(Collection<PublishMark> marks, long now) {
    notePause(now);
    List<UserKey> changed = ledger.merge(marks, now);
    if (speaking) {
      recheck.addAll(changed);
    }
  }

  /** Whether {@link #recheck} has work: the caller runs it once the shards caught up. */
  public boolean needsRecheck() {
    return recheckAll || !recheck.isEmpty();
  }

  /**
   * Publishes, once, every user waiting for a comparison (all of them after this node started to
   * speak) whose view differs from the ledger. The caller calls it after a round trip through every
   * shard, so that the view includes what the replication messages before it brought.
   */
  public Publication recheck(long now) {
    notePause(now);
    boolean all = recheckAll;
    List<UserKey> users = new ArrayList<>(recheck);
    recheckAll = false;
    recheck.clear();
    if (!decide(now)) {
      return Publication.NONE;
    }
    if (all) {
      users = ledger.users();
    }
    return ledger.publishIfDiffers(users, now);
  }

  /**
   * The hub members' names, oldest first, as the membership service lists them now. Like {@link
   * #synced}, {@link #ready} and {@link #tick}, it may start or end speaking; check {@link
   * #needsRecheck} afterwards.
   *
   * @return true when every peer's full state is needed again: the oldest member (the speaker) left,
   *     and the marks of a predecessor that died may have reached only some of the survivors. Any
   *     other change returns false and keeps the full states already received: only the speaker
   *     makes marks, so an arrival (a node joining, one back after a restart) or another member's
   *     loss changes no ledger held, and only the arrivals' own full states are awaited (issue 17:
   *     a loss cost N·(N−1) full states). A healed split re-syncs every peer ({@link #distrustPeers}).
   */
  public boolean membership(List<String> oldestFirst, long now) {
    notePause(now);
    boolean resync = false;
    if (!oldestFirst.equals(members)) {
      Set<String> next = new HashSet<>(oldestFirst);
      Set<String> before = new HashSet<>(members);
      if (!next.equals(before)) {
        viewSince = now;
        resync = !members.isEmpty() && !next.contains(members.get(0));
        if (resync) {
          syncedSinceChange.clear();
        }
      }
      members = List.copyOf(oldestFirst);
      joinedOlder |= !members.isEmpty() && !members.get(0).equals(self);
      pausedPeers.retainAll(members);
    }
    decide(now);
    return resync;
  }

  /**
   * A peer's word (its digests) on its quarantine after a pause: a peer that just resumed cannot
   * vouch for the cluster, so until it says it re-synced it counts for no majority.
   */
  public void peerPaused(String peer, boolean isPaused, long now) {
    notePause(now);
    if (isPaused) {
      pausedPeers.add(peer);
    } else {
      pausedPeers.remove(peer);
    }
    decide(now);
  }

  /** Nothing from the peers can be trusted whole (a healed split): every peer's full state is needed again. */
  public void distrustPeers() {
    syncedSinceChange.clear();
  }

  /** A peer's full state (and the marks in it) was applied. */
  public void synced(String peer, long now) {
    notePause(now);
    syncedSinceChange.add(peer);
    decide(now);
  }

  /** This node holds the whole view (readiness). */
  public void ready(long now) {
    ready = true;
    decide(now);
  }

  /** Called every few hundred ms: detects pauses, forms the stable membership, may start speaking. */
  public void tick(long now) {
    notePause(now);
    decide(now);
    ledger.forgetOffline(now);
  }

  /** Users held (view or ledger): what retention bounds. */
  public int size() {
    return ledger.size();
  }

  /** The node is stopping: it never publishes again. */
  public void stop() {
    stopped = true;
    speaking = false;
  }

  // ---- state -------------------------------------------------------------------------------------

  public boolean speaking() {
    return speaking;
  }

  public boolean paused() {
    return paused;
  }

  public Set<String> stableMembership() {
    return stable;
  }

  /** The whole ledger, for a full state. */
  public Collection<PublishMark> ledger() {
    return ledger.marks();
  }

  /** The ledger entry of {@code user}, or null when nothing was ever published for it. */
  public PublishMark published(UserKey user) {
    return ledger.published(user);
  }

  // ---- rules -------------------------------------------------------------------------------------

  private final Set<UserKey> recheck = new LinkedHashSet<>();
  private boolean recheckAll;

  private void notePause(long now) {
    if (lastInputMs >= 0 && now - lastInputMs > pauseMs && pauses.pausedBetween(lastInputMs, now)) {
      // Frozen (a loop merely behind loses nothing): the membership may be stale, and the others
      // may have published this node's users' fate meanwhile. Silent until re-synced.
      paused = true;
      pausedSinceStable = true;
      pausedAt = now;
      syncedSinceChange.clear();
    }
    lastInputMs = Math.max(lastInputMs, now);
  }

  /** Recomputes {@link #speaking}; a node that starts speaking compares every user at the next recheck. */
  private boolean decide(long now) {
    boolean settled = !members.isEmpty() && now - Math.max(viewSince, paused ? pausedAt : 0) >= settleMs
        && syncedSinceChange.containsAll(others());
    if (paused && settled) {
      paused = false;
    }
    boolean oldest = !members.isEmpty() && members.get(0).equals(self);
    boolean quorum = quorum(now, settled);
    if (ready && !paused && quorum && settled && !stopped) {
      // Only a side that speaks for the cluster may redefine it; a minority keeps the old one.
      if (members.size() < stable.size()) {
        shrunkAt = now;
      }
      stable = Set.copyOf(members);
      pausedSinceStable = false;
    }
    // A node that starts to speak first merges the ledger of every peer in its view (their full
    // states since the view changed): a predecessor's marks may have reached only some of them.
    boolean speak = ready && !stopped && !paused && oldest && quorum
        && (speaking || syncedSinceChange.containsAll(others()));
    if (speak && !speaking) {
      recheckAll = true;
    }
    if (!speak) {
      recheck.clear();
    }
    speaking = speak;
    return speak;
  }

  private List<String> others() {
    List<String> out = new ArrayList<>(members);
    out.remove(self);
    return out;
  }

  private boolean quorum(long now, boolean settled) {
    if (stable.isEmpty()) {
      // Just started. A node that founded its cluster speaks in any view (nothing happened before
      // it). One that joined older members holds their ledger, but in a view that has not settled,
      // or beside a peer quarantined after a pause, it may lack their users: restarted into one
      // side of a split being merged, with a resumed peer, it spoke at once and published the
      // other side's users offline (bench/chaos.sh, 2026-12-01).
      return !joinedOlder || (settled && pausedPeers.isEmpty());
    }
    int present = 0;
    for (String n : members) {
      if (stable.contains(n) && !pausedPeers.contains(n)) {
        present++;
      }
    }
    if (2 * present > stable.size()) {
      return true;
    }
    return stable.size() == 2 && present == 1 && !pausedSinceStable
        && (shrunkAt == Long.MIN_VALUE || now - shrunkAt >= pairTrustMs);
  }
}
