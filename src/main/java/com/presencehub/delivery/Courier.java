package com.presencehub.delivery;

import com.presencehub.presence.DeliveryKind;
import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.ReachabilityPolicy;
import com.presencehub.presence.UserKey;
import com.presencehub.shard.SessionLink;
import com.presencehub.shard.ShardDirectory;
import com.presencehub.shard.Target;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Delivers a frame to every session of a user, wherever in the cluster they are connected: the
 * user's shard names the local sessions and the other nodes holding sessions; the reachability
 * table (§2) is applied to the merged record first. Used by the gateway ({@code chat.push}) and by
 * the event-bus API ({@code presence.deliver}).
 *
 * <p>Order: deliveries to one user from one caller leave in call order (one hop to the user's
 * shard, then one ordered channel per node), so they arrive in order.
 */
public final class Courier {

  private final ShardDirectory directory;
  private final RemoteSessions remote;

  public Courier(ShardDirectory directory, RemoteSessions remote) {
    this.directory = directory;
    this.remote = remote;
  }

  /**
   * Delivers {@code frame} (already encoded) to {@code to} if {@code gate} accepts the target's
   * record and the reachability table allows {@code kind}. Completes on the caller's context.
   */
  public Future<Delivery> deliver(UserKey to, DeliveryKind kind, String frame, Predicate<PresenceRecord> gate) {
    return directory.target(to).compose(t -> {
      if (!gate.test(t.record())) {
        return Future.succeededFuture(new Delivery(Delivery.Outcome.FORBIDDEN, t.record(), 0));
      }
      if (!ReachabilityPolicy.reachable(t.record(), kind)) {
        return Future.succeededFuture(new Delivery(Delivery.Outcome.NOT_REACHABLE, t.record(), 0));
      }
      return writeAll(to, t, frame).map(n -> new Delivery(Delivery.Outcome.DELIVERED, t.record(), n));
    });
  }

  /** Writes to the user's sessions on this node only; the per-node address of the cluster uses it. */
  public Future<Integer> deliverLocal(UserKey to, String frame) {
    return directory.target(to).compose(t -> writeLocal(t.sessions(), frame));
  }

  private Future<Integer> writeAll(UserKey to, Target t, String frame) {
    List<Future<Integer>> parts = new ArrayList<>(1 + t.nodes().size());
    parts.add(writeLocal(t.sessions(), frame));
    for (String node : t.nodes()) {
      // A node that cannot be reached took nothing: the count stays honest.
      parts.add(remote.write(node, to, frame).otherwise(0));
    }
    return Future.join(parts).map(all -> {
      int n = 0;
      for (Future<Integer> f : parts) {
        n += f.succeeded() ? f.result() : 0;
      }
      return n;
    });
  }

  private static Future<Integer> writeLocal(List<SessionLink> sessions, String frame) {
    if (sessions.isEmpty()) {
      return Future.succeededFuture(0);
    }
    List<Future<Boolean>> writes = new ArrayList<>(sessions.size());
    for (SessionLink s : sessions) {
      writes.add(s.offer(frame));
    }
    return Future.join(writes).transform(ar -> {
      int n = 0;
      for (Future<Boolean> w : writes) {
        if (w.succeeded() && w.result()) {
          n++;
        }
      }
      return Future.succeededFuture(n);
    });
  }
}
