package com.presencehub.presence;

/**
 * One node's share of a user: what that node's own sessions of the user say. Each node is the only
 * writer of its contributions and replicates them to the others; a user's record anywhere in the
 * cluster is the merge of every node's contribution (see {@link UserPresence}).
 *
 * <p>{@code active} is decided by the node that holds the sessions (it sees every activity frame),
 * so other nodes never turn a user away early on a late {@code lastActiveAt}.
 */
public record Contribution(UserKey user, Role role, int sessions, boolean lingering, boolean active, long lastActiveAt) {

  /** A contribution that says "no session here": the receiver forgets the node's share. */
  public static Contribution gone(UserKey user, Role role) {
    return new Contribution(user, role, 0, false, false, UserPresence.NEVER);
  }

  /** Whether this share keeps the user connected (an open session, or a grace still running). */
  public boolean present() {
    return sessions > 0 || lingering;
  }

  /** An order-independent fingerprint, summed over a node's contributions for digests. */
  public long fingerprint() {
    long h = 31L * user.tenant().hashCode() + user.user().hashCode();
    h = h * 31 + (role == null ? 0 : role.ordinal() + 1);
    h = h * 31 + sessions;
    h = h * 31 + (lingering ? 1 : 0);
    h = h * 31 + (active ? 1 : 0);
    h = h * 1_000_003 + Long.hashCode(lastActiveAt);
    return mix(h);
  }

  static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }
}
