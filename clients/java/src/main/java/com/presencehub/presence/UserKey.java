package com.presencehub.presence;

import java.util.Objects;

/** A user is only ever identified within its tenant: nothing crosses tenants. */
public record UserKey(String tenant, String user) {
  public UserKey {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(user, "user");
  }

  /** Stable spread of users over the event loops that own them. */
  public int shardOf(int shards) {
    return Math.floorMod(hashCode(), shards);
  }
}
