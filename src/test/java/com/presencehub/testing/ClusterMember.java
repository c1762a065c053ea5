package com.presencehub.testing;

import com.hazelcast.config.ListenerConfig;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.LifecycleListener;
import com.presencehub.cluster.ClusterSetup;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * The test JVM joining a {@link HubCluster} as a plain Vert.x member (no hub in it), to listen to
 * {@code presence.changes} the way other services do.
 */
public final class ClusterMember implements AutoCloseable {

  private final Vertx vertx;
  private final List<JsonObject> changes = new ArrayList<>();

  private ClusterMember(Vertx vertx) {
    this.vertx = vertx;
  }

  public static ClusterMember join(HubCluster cluster) {
    var hz = ClusterSetup.memberHazelcast(cluster.clusterName(), "127.0.0.1", TestNode.freePort(), cluster.memberList(),
        2000, 2000);
    // Split off and merged back, this member missed what the other side published: like any
    // service on the bus (docs/protocol.md §6, Limits), it re-reads the users it knows.
    AtomicReference<ClusterMember> member = new AtomicReference<>();
    hz.addListenerConfig(new ListenerConfig((LifecycleListener) e -> {
      ClusterMember m = member.get();
      if (e.getState() == LifecycleEvent.LifecycleState.MERGED && m != null) {
        long mergedAt = System.currentTimeMillis();
        m.reread(mergedAt, 0);
        // Again once vertx-hazelcast has re-published this member's subscription (a background
        // job after MERGED): an event published before the nodes knew it again is lost too.
        m.vertx.setTimer(3_000, t -> m.reread(mergedAt, 0));
      }
    }));
    VertxOptions options = new VertxOptions();
    options.getEventBusOptions().setHost("127.0.0.1").setPort(0);
    try {
      Vertx v = Vertx.builder().with(options).withClusterManager(new HazelcastClusterManager(hz)).buildClustered()
          .await(60, TimeUnit.SECONDS);
      ClusterMember m = new ClusterMember(v);
      member.set(m);
      MessageConsumer<JsonObject> c = v.eventBus().consumer("presence.changes", msg -> m.record(msg.body(), msg.headers().get("presence-origin")));
      c.completion().await(20, TimeUnit.SECONDS);
      return m;
    } catch (Exception e) {
      throw new AssertionError("could not join the cluster", e);
    }
  }

  /** Kept with the arrival time and the publishing node (the event's presence-origin header, for the logs). */
  private synchronized void record(JsonObject change, String origin) {
    changes.add(change.copy().put("receivedAt", System.currentTimeMillis()).put("receivedFrom", origin));
  }

  /**
   * After this member's own merge: every user seen so far, asked with {@code presence.query} and
   * kept as records marked {@code "resync": true}, which only {@link #changesWithRereads} returns
   * (a failed request is retried every 500 ms, at most 40 times).
   */
  private void reread(long mergedAt, int attempt) {
    Map<String, Set<String>> byTenant = new HashMap<>();
    for (JsonObject c : changes()) {
      byTenant.computeIfAbsent(c.getString("tenant"), t -> new LinkedHashSet<>()).add(c.getString("user"));
    }
    byTenant.forEach((tenant, users) -> vertx.eventBus().<JsonObject>request("presence.query",
        new JsonObject().put("tenant", tenant).put("users", new JsonArray(List.copyOf(users))))
        .onSuccess(reply -> reply.body().getJsonObject("users").forEach(u -> record(((JsonObject) u.getValue()).copy()
            .put("tenant", tenant).put("user", u.getKey()).put("resync", true).put("mergedAt", mergedAt), null)))
        .onFailure(e -> {
          if (attempt < 40) {
            vertx.setTimer(500, t -> reread(mergedAt, attempt + 1));
          }
        }));
  }

  /** Every change received so far, in arrival order (events only). */
  public synchronized List<JsonObject> changes() {
    return changes.stream().filter(c -> !c.getBoolean("resync", false)).collect(Collectors.toList());
  }

  /** The events and, where they came, the records re-read after this member's own merges. */
  public synchronized List<JsonObject> changesWithRereads() {
    return new ArrayList<>(changes);
  }

  public synchronized List<JsonObject> changesOf(String user) {
    List<JsonObject> out = new ArrayList<>();
    for (JsonObject c : changes()) {
      if (user.equals(c.getString("user"))) {
        out.add(c);
      }
    }
    return out;
  }

  public Vertx vertx() {
    return vertx;
  }

  @Override
  public void close() {
    try {
      vertx.close().await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      // Leaving a cluster whose nodes are already gone may time out; the JVM ends anyway.
    }
  }
}
