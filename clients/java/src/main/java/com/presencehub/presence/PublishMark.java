package com.presencehub.presence;

/**
 * A published status: one entry of the change stream's ledger (which status of a user was last
 * published on {@code presence.changes}, when, by which node), as nodes replicate it. The latest
 * {@code stamp} wins; on a tie, the greater node name.
 */
public record PublishMark(UserKey user, Role role, Status status, Reason reason, long stamp, String node) {

  /** Whether this mark replaces {@code o} in a ledger. */
  public boolean newerThan(PublishMark o) {
    return stamp != o.stamp ? stamp > o.stamp : node.compareTo(o.node) > 0;
  }

  /** Whether this mark says what {@code r} says (same status and reason). */
  public boolean shows(PresenceRecord r) {
    return status == r.status() && reason == r.reason();
  }
}
