package com.presencehub.presence;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Other nodes' shares of one user (their {@link Contribution}s, by node id), as {@link
 * UserPresence} merges them. The map exists only while some node holds a share (the common case
 * is none). Plain Java, owned by the user's shard.
 */
final class RemoteShares {

  /** Other nodes' shares, by node; null while there are none. */
  private Map<String, Contribution> byNode;
  /** The latest activity seen through shares that are gone: offline records still show it. */
  private long goneLastActiveAt = UserPresence.NEVER;

  /** Another node's share changed; a share that is not {@link Contribution#present()} is forgotten. */
  void apply(String node, Contribution c) {
    if (c.present()) {
      if (byNode == null) {
        byNode = new HashMap<>(4);
      }
      byNode.put(node, c);
    } else if (byNode != null) {
      Contribution old = byNode.remove(node);
      if (old != null) {
        goneLastActiveAt = Math.max(goneLastActiveAt, old.lastActiveAt());
      }
      if (byNode.isEmpty()) {
        byNode = null;
      }
    }
  }

  /** Whether any other node holds a share. */
  boolean any() {
    return byNode != null;
  }

  Contribution of(String node) {
    return byNode == null ? null : byNode.get(node);
  }

  /**
   * The role of the shares: they agree, except in the race of §3 (two sessions with different
   * roles opened on two nodes within the propagation delay); then the share of the smallest node
   * id decides, so that every node that sees only remote shares shows the same role. {@code
   * fallback} when no share names a role.
   */
  Role role(Role fallback) {
    String first = null;
    Role r = fallback;
    if (byNode != null) {
      for (Map.Entry<String, Contribution> e : byNode.entrySet()) {
        if (e.getValue().role() != null && (first == null || e.getKey().compareTo(first) < 0)) {
          first = e.getKey();
          r = e.getValue().role();
        }
      }
    }
    return r;
  }

  /** A role of some share that is not {@code wanted}, or null. */
  Role otherRole(Role wanted) {
    if (byNode != null) {
      for (Contribution c : byNode.values()) {
        if (c.role() != null && c.role() != wanted) {
          return c.role();
        }
      }
    }
    return null;
  }

  /** Open sessions on other nodes (not the in-grace ones). */
  int sessions() {
    int n = 0;
    if (byNode != null) {
      for (Contribution c : byNode.values()) {
        n += c.sessions();
      }
    }
    return n;
  }

  /** Nodes that hold an open session of the user (delivery targets). */
  List<String> nodesWithSessions() {
    if (byNode == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>(byNode.size());
    for (Map.Entry<String, Contribution> e : byNode.entrySet()) {
      if (e.getValue().sessions() > 0) {
        out.add(e.getKey());
      }
    }
    return out;
  }

  /** Whether some share keeps the user active. */
  boolean active() {
    if (byNode != null) {
      for (Contribution c : byNode.values()) {
        if (c.active()) {
          return true;
        }
      }
    }
    return false;
  }

  /** The latest activity of the present shares, or {@code since} if later ({@link UserPresence#NEVER} for none). */
  long lastActiveAt(long since) {
    long last = since;
    if (byNode != null) {
      for (Contribution c : byNode.values()) {
        last = Math.max(last, c.lastActiveAt());
      }
    }
    return last;
  }

  /** Like {@link #lastActiveAt(long)}, also counting the shares that are gone. */
  long lastActiveAtEver(long since) {
    return lastActiveAt(Math.max(since, goneLastActiveAt));
  }
}
