package com.presencehub.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import io.vertx.core.Completable;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;

/**
 * Vert.x's Hazelcast cluster manager, which answers two questions of the clustered event bus from
 * the Hazelcast member list, held locally, before asking vertx-hazelcast's partitioned maps:
 * <ul>
 *   <li>a hub node's event-bus address ({@link #getNodeInfo}), from its member attributes when its
 *       bus port is fixed ({@code clusterBusPort}, as the shipped compose file and Kubernetes
 *       manifests set it); else from the {@code __vertx.nodeInfo} map;
 *   <li>who listens on an older member's full-state address ({@link #SYNC_ADDRESS_PREFIX}{@code
 *       <node id>}, which that node alone registers): that node; else the {@code __vertx.subs}
 *       map. The registration itself still goes into the map.
 * </ul>
 *
 * <p>Why: the first event-bus message to each peer waits for both answers, and a node joining a
 * cluster under load got them from the maps only once the partitions' migration to it was over:
 * 1.1-1.4 s of a 5-6 s join, before its first request for a full state even left, and its peers
 * waited as long for its address to answer (issue 17, bench/join.mjs). Member attributes travel
 * with the member list. A member without the attribute (a node on an ephemeral port, a service on
 * the event-bus API, a hub of an earlier version) is looked up in the map as before. The attribute
 * holds exactly what Vert.x advertises there, the bus host and port: the hub sets no public host
 * or port.
 *
 * <p>Only an <em>older</em> member's full-state address is answered from the member list: a
 * message to a node that has not registered its consumer yet is dropped there without a word, and
 * the request times out ({@code clusterSyncTimeoutMs}) where the map's empty answer fails it at
 * once ("no handlers") and the next digest tick asks again. A member joins Hazelcast before its
 * verticles start, so the peers asking a newcomer for its own full state, at once, would lose
 * their first request; a newcomer asking the members that were there before it would not (two
 * nodes started in the same instant aside: one timeout then).
 */
final class HubClusterManager extends HazelcastClusterManager {

  /** {@code host:port} of a hub node's clustered event bus, when its port is fixed. */
  static final String BUS_ATTRIBUTE = "presence.bus";
  /** vertx-hazelcast's member attribute with the Vert.x node id ({@code NODE_ID_ATTRIBUTE}, private there). */
  static final String VERTX_NODE_ID_ATTRIBUTE = "__vertx.nodeId";
  /** Each hub node's full-state address is this and its Vert.x node id ({@link ReplicationVerticle#syncAddress}). */
  static final String SYNC_ADDRESS_PREFIX = "presence.repl.sync.";

  HubClusterManager(Config config) {
    super(config);
  }

  /** The value of {@link #BUS_ATTRIBUTE} for a bus on {@code host:port}; null for an ephemeral port. */
  static String busAttribute(String host, int port) {
    return port > 0 && host != null ? host + ":" + port : null;
  }

  /** Reads the member list Hazelcast holds locally: no remote call, safe on an event loop. */
  @Override
  public void getNodeInfo(String nodeId, Completable<NodeInfo> promise) {
    NodeInfo fixed = fromAttributes(nodeId);
    if (fixed != null) {
      promise.succeed(fixed);
    } else {
      super.getNodeInfo(nodeId, promise);
    }
  }

  /** An older member's full-state address: that member, without a remote call. */
  @Override
  public void getRegistrations(String address, Completable<List<RegistrationInfo>> promise) {
    if (address != null && address.startsWith(SYNC_ADDRESS_PREFIX)) {
      String node = address.substring(SYNC_ADDRESS_PREFIX.length());
      if (olderThanThis(node)) {
        promise.succeed(List.of(new RegistrationInfo(node, 0, false)));
        return;
      }
    }
    super.getRegistrations(address, promise);
  }

  /** Whether {@code nodeId} is a member that joined before this one (Hazelcast lists members oldest first). */
  private boolean olderThanThis(String nodeId) {
    if (getHazelcastInstance() == null || nodeId == null) {
      return false;
    }
    for (Member m : getHazelcastInstance().getCluster().getMembers()) {
      if (m.localMember()) {
        return false;
      }
      if (nodeId.equals(m.getAttribute(VERTX_NODE_ID_ATTRIBUTE))) {
        return true;
      }
    }
    return false;
  }

  private Member member(String nodeId) {
    if (getHazelcastInstance() == null || nodeId == null) {
      return null;
    }
    for (Member m : getHazelcastInstance().getCluster().getMembers()) {
      if (nodeId.equals(m.getAttribute(VERTX_NODE_ID_ATTRIBUTE))) {
        return m;
      }
    }
    return null;
  }

  private NodeInfo fromAttributes(String nodeId) {
    Member m = member(nodeId);
    String bus = m == null ? null : m.getAttribute(BUS_ATTRIBUTE);
    int colon = bus == null ? -1 : bus.lastIndexOf(':');
    if (colon <= 0) {
      return null;
    }
    try {
      return new NodeInfo(bus.substring(0, colon), Integer.parseInt(bus.substring(colon + 1)), null);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
