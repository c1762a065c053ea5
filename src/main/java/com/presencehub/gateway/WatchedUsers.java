package com.presencehub.gateway;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The users one session watches by id, and those a {@code subscribe} in flight is about to add,
 * within the per-session limit (PROTOCOL.md §4 limits, {@code maxWatchedUsers}). Plain Java, one
 * instance per session, used on the session's loop.
 *
 * <p>A subscribe is admitted or refused as a whole before any shard hears of it; users of
 * subscribes still in flight count against the limit, so concurrent subscribes cannot pass it
 * together.
 */
final class WatchedUsers {

  private final int limit;
  /** Null until the session first watches a user (most sessions never do: issue 15, memory per session). */
  private Set<String> watched;
  /** User → number of subscribes in flight that name it; null until the first subscribe by id. */
  private Map<String, Integer> pending;

  WatchedUsers(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, got " + limit);
    }
    this.limit = limit;
  }

  int limit() {
    return limit;
  }

  /** Users watched or about to be. */
  int size() {
    int n = watched == null ? 0 : watched.size();
    if (pending != null) {
      for (String u : pending.keySet()) {
        if (!isWatched(u)) {
          n++;
        }
      }
    }
    return n;
  }

  /**
   * Admits a subscribe of {@code users} (marking them pending) unless it would take the session past
   * the limit.
   *
   * @return -1 when admitted, else the number of users the session would watch (more than the limit)
   */
  int admit(List<String> users) {
    int after = size();
    Set<String> seen = new HashSet<>();
    for (String u : users) {
      if (seen.add(u) && !isWatched(u) && !isPending(u)) {
        after++;
      }
    }
    if (after > limit) {
      return after;
    }
    if (pending == null) {
      pending = new HashMap<>();
    }
    for (String u : seen) {
      pending.merge(u, 1, Integer::sum);
    }
    return -1;
  }

  /**
   * The subscribe of {@code users} is answered: they are watched from now on if {@code keep}, else
   * only those watched before (or pending in another subscribe) stay.
   *
   * @return the users nobody on this session watches any longer (to unregister at the shards when
   *     the subscribe was dropped); empty when {@code keep}
   */
  List<String> settle(List<String> users, boolean keep) {
    Set<String> distinct = new HashSet<>(users);
    if (pending != null) {
      for (String u : distinct) {
        pending.computeIfPresent(u, (k, n) -> n == 1 ? null : n - 1);
      }
    }
    if (keep) {
      if (watched == null) {
        watched = new HashSet<>();
      }
      watched.addAll(distinct);
      return List.of();
    }
    List<String> dropped = new ArrayList<>();
    for (String u : users) {
      if (distinct.remove(u) && !isWatched(u) && !isPending(u)) {
        dropped.add(u);
      }
    }
    return dropped;
  }

  void remove(Collection<String> users) {
    if (watched != null) {
      users.forEach(watched::remove);
    }
  }

  boolean isWatched(String user) {
    return watched != null && watched.contains(user);
  }

  boolean isPending(String user) {
    return pending != null && pending.containsKey(user);
  }

  /** Everyone watched or pending (for unregistering them all when the session ends). */
  Set<String> all() {
    Set<String> all = watched == null ? new HashSet<>() : new HashSet<>(watched);
    if (pending != null) {
      all.addAll(pending.keySet());
    }
    return all;
  }

  void clear() {
    watched = null;
    pending = null;
  }
}
