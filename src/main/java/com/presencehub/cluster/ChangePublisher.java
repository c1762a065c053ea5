package com.presencehub.cluster;

import com.presencehub.api.client.PresenceJson;
import com.presencehub.presence.PresenceRecord;
import com.presencehub.shard.ChangeFeed;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;

/**
 * Publishes transitions on {@code presence.changes} while this node is the cluster's publisher
 * (the oldest hub member; a standalone node always is). Every node's view sees every transition,
 * so letting one node speak is what makes each transition appear once.
 */
public final class ChangePublisher implements ChangeFeed {

  public static final String ADDRESS = "presence.changes";
  /** Header naming the publishing node, so nodes can skip their own publications. */
  static final String ORIGIN_HEADER = "presence-origin";

  private final EventBus bus;
  private final DeliveryOptions options;
  private volatile boolean leading;

  public ChangePublisher(EventBus bus, String self, boolean leading) {
    this.bus = bus;
    this.options = new DeliveryOptions().addHeader(ORIGIN_HEADER, self);
    this.leading = leading;
  }

  void lead(boolean leading) {
    this.leading = leading;
  }

  public boolean leading() {
    return leading;
  }

  @Override
  public boolean publish(PresenceRecord r) {
    if (!leading) {
      return false;
    }
    // {"tenant":"t", …record} (PROTOCOL.md §5).
    bus.publish(ADDRESS, PresenceJson.change(r), options);
    return true;
  }
}
