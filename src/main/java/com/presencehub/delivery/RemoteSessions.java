package com.presencehub.delivery;

import com.presencehub.presence.UserKey;
import io.vertx.core.Future;

/**
 * Writes a delivery to a user's sessions on another node of the cluster, through that node's own
 * address (there is no clustered consumer per socket). Standalone nodes have no other nodes.
 */
public interface RemoteSessions {

  RemoteSessions NONE = (node, user, frame) -> Future.succeededFuture(0);

  /** Completes with the number of sessions of {@code user} on {@code node} that took the frame. */
  Future<Integer> write(String node, UserKey user, String frame);
}
