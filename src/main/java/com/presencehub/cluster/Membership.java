package com.presencehub.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The hub nodes of the cluster as the membership service sees them now (PROTOCOL.md §6): who is
 * there, in join order, and each node's boot epoch, which tells a restarted node from its past.
 * {@link HazelcastMembership} is the implementation; tests can hand a replica table a list instead.
 */
public interface Membership {

  /**
   * One hub member.
   *
   * @param id the Vert.x node id: the origin of its replication messages and the suffix of its addresses
   * @param name the hub's node id ({@code nodeId}); the same across restarts
   * @param epoch the boot time of that incarnation (ms since the epoch); a later one supersedes
   */
  record Member(String id, String name, long epoch) {

    @Override
    public String toString() {
      return name + "@" + epoch + " (" + id + ")";
    }
  }

  /** Hub members, oldest first; members that are not hub nodes (services) are left out. */
  List<Member> members();

  /** False once the membership service is shutting down (nothing it lists can be trusted then). */
  boolean running();

  /** This member's hub name ({@code nodeId}). */
  String localName();

  /**
   * Starts calling {@code changed} when a member joins or leaves and {@code merged} when a split
   * healed (this member merged back into a larger cluster), on the membership service's own threads
   * (hop before touching state); the returned handle stops it.
   */
  Runnable listen(Runnable changed, Runnable merged);

  /** Hub members' names oldest first, an incarnation superseded by a later boot of its name left out. */
  static List<String> currentNames(List<Member> members) {
    Map<String, Long> latest = new HashMap<>();
    for (Member m : members) {
      latest.merge(m.name(), m.epoch(), Math::max);
    }
    List<String> out = new ArrayList<>();
    for (Member m : members) {
      if (latest.get(m.name()) == m.epoch() && !out.contains(m.name())) {
        out.add(m.name());
      }
    }
    return out;
  }
}
