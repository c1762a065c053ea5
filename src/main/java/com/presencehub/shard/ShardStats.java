package com.presencehub.shard;

/**
 * Counts of what a shard (or, summed, a node's shards) holds: records, users in the idle wheel,
 * records waiting for their retention, records forgotten since start, users listed in the roster
 * index (not offline), users watched by id.
 */
public record ShardStats(long users, long idleWheel, long retentionWheel, long forgotten, long present, long watchedUsers) {

  public static final ShardStats ZERO = new ShardStats(0, 0, 0, 0, 0, 0);

  public ShardStats plus(ShardStats o) {
    return new ShardStats(users + o.users, idleWheel + o.idleWheel, retentionWheel + o.retentionWheel,
        forgotten + o.forgotten, present + o.present, watchedUsers + o.watchedUsers);
  }
}
