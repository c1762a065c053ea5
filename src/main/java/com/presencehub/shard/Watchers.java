package com.presencehub.shard;

import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.Role;
import com.presencehub.presence.Status;
import com.presencehub.presence.UserKey;
import com.presencehub.presence.VisibilityPolicy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who hears a shard's changes, apart from the users' state: sessions watching users by id, sessions
 * watching a roster (PROTOCOL.md §4), and the roster index (the users of each roster that are not
 * offline: what a roster snapshot lists). {@link #audience} computes the fan-out of one change as
 * data; the shard queues the deliveries.
 *
 * <p>Plain Java on the shard's one thread; sets keep insertion order, so fan-out and snapshots
 * follow the order of subscriptions and arrivals.
 */
public final class Watchers {

  private final Map<UserKey, Set<SessionLink>> byUser = new HashMap<>();
  private final Map<Roster, Set<SessionLink>> byRoster = new HashMap<>();
  private final Map<Roster, Set<UserKey>> present = new HashMap<>();

  /** {@code watcher} watches the users {@code userIds} of its own tenant. */
  public void watchUsers(SessionLink watcher, Collection<String> userIds) {
    for (String id : userIds) {
      byUser.computeIfAbsent(new UserKey(watcher.user().tenant(), id), k -> new LinkedHashSet<>()).add(watcher);
    }
  }

  public void unwatchUsers(SessionLink watcher, Collection<String> userIds) {
    for (String id : userIds) {
      UserKey key = new UserKey(watcher.user().tenant(), id);
      Set<SessionLink> set = byUser.get(key);
      if (set != null && set.remove(watcher) && set.isEmpty()) {
        byUser.remove(key);
      }
    }
  }

  /** {@code watcher} watches its tenant's roster of {@code role}; returns that roster. */
  public Roster watchRoster(SessionLink watcher, Role role) {
    Roster roster = new Roster(watcher.user().tenant(), role);
    byRoster.computeIfAbsent(roster, k -> new LinkedHashSet<>()).add(watcher);
    return roster;
  }

  public void unwatchRoster(SessionLink watcher, Role role) {
    Roster roster = new Roster(watcher.user().tenant(), role);
    Set<SessionLink> set = byRoster.get(roster);
    if (set != null && set.remove(watcher) && set.isEmpty()) {
      byRoster.remove(roster);
    }
  }

  /** The users of {@code roster} that are not offline, in the order they were listed (read only). */
  public Set<UserKey> present(Roster roster) {
    return present.getOrDefault(roster, Set.of());
  }

  /**
   * Keeps the roster index right after a change of {@code key}: listed under {@code role} unless
   * {@code status} is offline, and no longer under {@code roleBefore} if the role moved.
   */
  public void reindex(UserKey key, Role roleBefore, Role role, Status status) {
    if (roleBefore != null && roleBefore != role) {
      unlist(key, roleBefore);
    }
    if (status == Status.OFFLINE) {
      unlist(key, role);
    } else if (role != null) {
      present.computeIfAbsent(new Roster(key.tenant(), role), k -> new LinkedHashSet<>()).add(key);
    }
  }

  /** Takes {@code key} out of its roster of {@code role} (a user forgotten, or offline). */
  public void unlist(UserKey key, Role role) {
    if (role == null) {
      return;
    }
    Roster roster = new Roster(key.tenant(), role);
    Set<UserKey> set = present.get(roster);
    if (set != null && set.remove(key) && set.isEmpty()) {
      present.remove(roster);
    }
  }

  /**
   * Who hears {@code record}, a change of user {@code key}, each session once: the user's own
   * sessions but {@code skip} (they always hear their own changes, PROTOCOL.md §4), then the
   * user's watchers that may see the record's role ({@link VisibilityPolicy}), then the watchers of
   * the record's roster.
   */
  public List<SessionLink> audience(UserKey key, PresenceRecord record, List<SessionLink> own, SessionLink skip) {
    List<SessionLink> out = new ArrayList<>();
    for (SessionLink s : own) {
      if (s != skip) {
        out.add(s);
      }
    }
    // Each source holds a session at most once; only a session already added from an earlier
    // (small) source can repeat, so a roster of thousands is copied without hashing.
    int ownCount = out.size();
    Set<SessionLink> watchers = byUser.get(key);
    if (watchers != null) {
      for (SessionLink w : watchers) {
        if (VisibilityPolicy.canSee(w.role(), record.role()) && !addedBefore(out, ownCount, w)) {
          out.add(w);
        }
      }
    }
    Set<SessionLink> rosterSet = record.role() == null ? null : byRoster.get(new Roster(record.tenant(), record.role()));
    if (rosterSet != null) {
      int smallCount = out.size();
      if (smallCount == 0) {
        out.addAll(rosterSet);
      } else {
        for (SessionLink w : rosterSet) {
          if (!addedBefore(out, smallCount, w)) {
            out.add(w);
          }
        }
      }
    }
    return out;
  }

  private static boolean addedBefore(List<SessionLink> out, int count, SessionLink s) {
    for (int i = 0; i < count; i++) {
      if (out.get(i).equals(s)) {
        return true;
      }
    }
    return false;
  }

  /** Users listed in the roster index (those that are not offline), all rosters. */
  public int presentCount() {
    int n = 0;
    for (Set<UserKey> set : present.values()) {
      n += set.size();
    }
    return n;
  }

  /** Users watched by id (subscriptions, not records). */
  public int watchedUserCount() {
    return byUser.size();
  }
}
