package com.presencehub.presence;

/**
 * A tech's preferred away, as cluster-wide state: not owned by any node (it must survive the tech
 * moving between nodes and a node dying), so every node keeps a copy and the latest write wins.
 * {@code stamp} orders writes (epoch ms, made strictly increasing per user by the writer);
 * {@code node} breaks ties between nodes.
 */
public record Preference(UserKey user, boolean away, long until, long stamp, String node) {

  /** No preference was ever set: loses against any write. */
  public static Preference none(UserKey user) {
    return new Preference(user, false, UserPresence.NEVER, Long.MIN_VALUE, "");
  }

  public boolean newerThan(Preference other) {
    if (stamp != other.stamp) {
      return stamp > other.stamp;
    }
    return node.compareTo(other.node) > 0;
  }

  public long fingerprint() {
    long h = 31L * user.tenant().hashCode() + user.user().hashCode();
    h = h * 31 + (away ? 1 : 0);
    h = h * 1_000_003 + Long.hashCode(until);
    h = h * 1_000_003 + Long.hashCode(stamp);
    h = h * 31 + node.hashCode();
    return Contribution.mix(h);
  }
}
