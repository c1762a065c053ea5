package com.presencehub.gateway;

import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.Role;
import com.presencehub.presence.VisibilityPolicy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one open session watches (PROTOCOL.md §4 subscribe): users by id ({@link WatchedUsers},
 * within {@code maxWatchedUsers}) and rosters, each either watched or pending (its subscribe is
 * still gathering the snapshot from the shards). Decides which presence changes the session writes.
 * Plain Java, one per session, used on the session's loop.
 *
 * <p>Snapshot before changes: a change about a user or roster whose snapshot is pending is held,
 * and released by {@link #releaseHeld()} once the snapshot is written, so a watcher never sees a
 * change older than its snapshot. The session's own record always goes through.
 */
final class Watchlist {

  /** Unregisters at the shards when a session ends: the users and rosters it watched or awaited. */
  record Forgotten(Set<String> users, Set<Role> rosters) { }

  private final String self;
  private final Role viewer;
  private final WatchedUsers users;
  /** Rosters watched, as bits of {@code 1 << Role.ordinal()} (issue 15: no per-session EnumSet). */
  private int rosters;
  /** Roster → number of subscribes in flight for it; null while none is (most sessions never subscribe). */
  private Map<Role, Integer> pendingRosters;
  /** Changes held for a pending snapshot; null while none is. */
  private List<PresenceRecord> held;

  /**
   * @param self the session's own user id (its own changes always pass)
   * @param viewer the session's role ({@link VisibilityPolicy})
   * @param maxWatchedUsers users the session may watch by id
   */
  Watchlist(String self, Role viewer, int maxWatchedUsers) {
    this.self = self;
    this.viewer = viewer;
    this.users = new WatchedUsers(maxWatchedUsers);
  }

  /** The {@code maxWatchedUsers} limit. */
  int userLimit() {
    return users.limit();
  }

  /** See {@link WatchedUsers#admit}: -1 when admitted (the users are pending), else the count it would reach. */
  int admitUsers(List<String> ids) {
    return users.admit(ids);
  }

  /** See {@link WatchedUsers#settle}: the users to unregister at the shards when the subscribe is dropped. */
  List<String> settleUsers(List<String> ids, boolean keep) {
    return users.settle(ids, keep);
  }

  void unwatchUsers(Collection<String> ids) {
    users.remove(ids);
  }

  /** A roster subscribe is on its way to the shards: its changes are held until {@link #rosterAnswered}. */
  void rosterPending(Role roster) {
    if (pendingRosters == null) {
      pendingRosters = new EnumMap<>(Role.class);
    }
    pendingRosters.merge(roster, 1, Integer::sum);
  }

  /** The shards answered a roster subscribe; the roster is watched from now on if {@code watch}. */
  void rosterAnswered(Role roster, boolean watch) {
    if (pendingRosters != null) {
      pendingRosters.computeIfPresent(roster, (r, n) -> n == 1 ? null : n - 1);
      if (pendingRosters.isEmpty()) {
        pendingRosters = null;
      }
    }
    if (watch) {
      rosters |= 1 << roster.ordinal();
    }
  }

  void unwatchRoster(Role roster) {
    rosters &= ~(1 << roster.ordinal());
  }

  /**
   * Changes from the shards, in their order.
   *
   * @return those to write now; those waiting for a snapshot are held, the rest dropped
   */
  List<PresenceRecord> changes(List<PresenceRecord> updates) {
    List<PresenceRecord> out = new ArrayList<>(updates.size());
    for (PresenceRecord r : updates) {
      if (r.user().equals(self)) {
        out.add(r);
      } else if (pending(r)) {
        if (held == null) {
          held = new ArrayList<>();
        }
        held.add(r);
      } else if (watched(r)) {
        out.add(r);
      }
    }
    return out;
  }

  /**
   * A snapshot was written (or its subscribe dropped).
   *
   * @return held changes whose snapshot has been sent, in order; those still waiting for one stay held
   */
  List<PresenceRecord> releaseHeld() {
    if (held == null || held.isEmpty()) {
      return List.of();
    }
    List<PresenceRecord> out = new ArrayList<>();
    List<PresenceRecord> keep = new ArrayList<>();
    for (PresenceRecord r : held) {
      if (pending(r)) {
        keep.add(r);
      } else if (watched(r)) {
        out.add(r);
      }
    }
    held.clear();
    held.addAll(keep);
    return out;
  }

  /** Number of changes held for a pending snapshot. */
  int heldCount() {
    return held == null ? 0 : held.size();
  }

  /** The session ended: forgets everything and returns what to unregister. */
  Forgotten end() {
    Set<String> all = users.all();
    users.clear();
    EnumSet<Role> allRosters = EnumSet.noneOf(Role.class);
    for (Role r : Role.values()) {
      if (watchesRoster(r)) {
        allRosters.add(r);
      }
    }
    if (pendingRosters != null) {
      allRosters.addAll(pendingRosters.keySet());
    }
    rosters = 0;
    pendingRosters = null;
    held = null;
    return new Forgotten(all, allRosters);
  }

  private boolean watchesRoster(Role r) {
    return (rosters & (1 << r.ordinal())) != 0;
  }

  private boolean pending(PresenceRecord r) {
    return users.isPending(r.user()) || (r.role() != null && pendingRosters != null && pendingRosters.containsKey(r.role()));
  }

  private boolean watched(PresenceRecord r) {
    return VisibilityPolicy.canSee(viewer, r.role())
        && (users.isWatched(r.user()) || (r.role() != null && watchesRoster(r.role())));
  }
}
