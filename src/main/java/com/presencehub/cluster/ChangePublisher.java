package com.presencehub.cluster;

import com.presencehub.protocol.BusMessages;
import com.presencehub.protocol.RecordJson;
import com.presencehub.presence.PresenceRecord;
import com.presencehub.shard.ChangeFeed;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import java.util.function.Consumer;

/**
 * Where the shards hand every transition of this node's view, and what puts events on {@code
 * presence.changes} ({@code {"tenant":"t", …record}}, PROTOCOL.md §5).
 *
 * <p>A standalone node publishes every transition itself. In a cluster the transitions go to the
 * {@link ReplicationVerticle}, whose {@link ChangeStream} decides whether this node speaks for the
 * cluster and whether the ledger already shows the change; it publishes through {@link #send}.
 */
public final class ChangePublisher implements ChangeFeed {

  public static final String ADDRESS = BusMessages.CHANGES;
  /**
   * Node-local signal (only local consumers listen): this node was paused, so the cluster-wide
   * {@code presence.changes} messages published meanwhile may not have reached it. Listeners that
   * keep a numbered stream (the HTTP change stream) tell their clients to re-read the roster.
   */
  public static final String GAP_ADDRESS = "presence.changes.local-gap";
  /** Header naming the publishing node (for operators reading a stream; nodes do not read it). */
  static final String ORIGIN_HEADER = "presence-origin";

  private final EventBus bus;
  private final DeliveryOptions options;
  private final boolean standalone;
  private volatile Consumer<PresenceRecord> gate;
  private volatile boolean speaking;

  /**
   * @param standalone true for a node without a cluster: it publishes every transition itself;
   *     false: transitions wait for the replication verticle's {@link #route}
   */
  public ChangePublisher(EventBus bus, String self, boolean standalone) {
    this.bus = bus;
    this.options = new DeliveryOptions().addHeader(ORIGIN_HEADER, self);
    this.standalone = standalone;
    this.speaking = standalone;
  }

  /** Clustered: every transition goes to {@code gate} (called on a shard's thread). */
  void route(Consumer<PresenceRecord> gate) {
    this.gate = gate;
  }

  void speaking(boolean speaking) {
    this.speaking = speaking;
  }

  /** Whether this node currently speaks for the cluster on {@code presence.changes}. */
  public boolean leading() {
    return speaking;
  }

  /** Called on the shard's thread for every transition of this node's view. */
  @Override
  public boolean publish(PresenceRecord r) {
    Consumer<PresenceRecord> g = gate;
    if (g != null) {
      g.accept(r);
      return false;
    }
    if (standalone) {
      send(r);
      return true;
    }
    return false;
  }

  /** Puts one event on the stream. */
  void send(PresenceRecord r) {
    bus.publish(ADDRESS, RecordJson.change(r), options);
  }
}
