package com.presencehub.api.impl;

import com.presencehub.delivery.Courier;
import com.presencehub.ordering.DeliveryQueue;
import com.presencehub.presence.DeliveryKind;
import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.ReachabilityPolicy;
import com.presencehub.presence.Status;
import com.presencehub.presence.UserKey;
import com.presencehub.protocol.BusMessages;
import com.presencehub.protocol.FieldError;
import com.presencehub.protocol.RequestFailure;
import com.presencehub.shard.ShardDirectory;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * The four request/reply operations of PROTOCOL.md §5 on one node: validate, ask the shards (the
 * node's replicated view, so no other node is asked), encode the reply. Runs on the caller's
 * event loop; every shard operation is a hop there and back, nothing blocks.
 */
public final class PresenceRequests {

  private final ShardDirectory directory;
  private final Courier courier;
  private final int maxUsersPerQuery;
  private final int maxFrameBytes;
  /**
   * One delivery in flight per user, so the order holds whatever the hops do. Runs on the API
   * verticle's one event loop (a single instance per node).
   */
  private final DeliveryQueue<UserKey> deliveries = new DeliveryQueue<>();

  /**
   * @param maxUsersPerQuery the most users one {@code presence.query} may name
   * @param maxFrameBytes the largest frame {@code presence.deliver} writes to a session
   */
  public PresenceRequests(ShardDirectory directory, Courier courier, int maxUsersPerQuery, int maxFrameBytes) {
    this.directory = directory;
    this.courier = courier;
    this.maxUsersPerQuery = maxUsersPerQuery;
    this.maxFrameBytes = maxFrameBytes;
  }

  /** {@code {"tenant","users":[…]}} → {@code {"users":{"u1":{record},…}}}, in the order asked. */
  public Future<JsonObject> query(Object body) {
    BusMessages.Query q = BusMessages.query(body, maxUsersPerQuery);
    List<UserKey> keys = new ArrayList<>(q.users().size());
    for (String u : q.users()) {
      keys.add(new UserKey(q.tenant(), u));
    }
    return directory.records(keys).map(inOrder -> {
      return BusMessages.queryReply(inOrder);
    });
  }

  /** {@code {"tenant","user","kind"}} → {@code {"reachable":bool,"presence":{record}}}. */
  public Future<JsonObject> reachable(Object body) {
    BusMessages.Reachable req = BusMessages.reachable(body);
    UserKey key = req.user();
    return directory.record(key)
        .map(r -> BusMessages.reachableReply(ReachabilityPolicy.reachable(r, req.kind()), r));
  }

  /**
   * {@code {"tenant","role","status":[…]}} → {@code {"users":[{record},…]}} ordered by user id;
   * {@code status} defaults to both connected states and may not name {@code offline}.
   */
  public Future<JsonObject> roster(Object body) {
    BusMessages.Roster req = BusMessages.roster(body);
    Set<Status> wanted = req.statuses();
    return directory.roster(req.tenant(), req.role()).map(records -> {
      List<PresenceRecord> all = new ArrayList<>();
      for (PresenceRecord r : records) {
        if (wanted.contains(r.status())) {
          all.add(r);
        }
      }
      all.sort(Comparator.comparing(PresenceRecord::user));
      return BusMessages.rosterReply(all);
    });
  }

  /**
   * {@code {"tenant","to","kind","from":{"id",…},"payload":{…}}} → {@code {"delivered":n}}, or a
   * 404 {@code not_reachable} {@link RequestFailure} carrying the target's status. Deliveries made
   * from one event loop to one user leave in order (see {@link Courier}).
   */
  public Future<JsonObject> deliver(Object body) {
    BusMessages.Deliver req = BusMessages.deliver(body);
    String frame = req.frame();
    // Chars are a lower bound of the UTF-8 size; only a frame near the limit is measured exactly.
    if (frame.length() > maxFrameBytes / 3) {
      int bytes = frame.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > maxFrameBytes) {
        throw new FieldError("payload", "the delivered frame would be " + bytes + " bytes, more than the "
            + maxFrameBytes + " a session takes (maxFrameBytes)");
      }
    }
    UserKey target = req.to();
    DeliveryKind kind = req.kind();
    return deliveries.submit(target, () -> courier.deliver(target, kind, frame, r -> true)).compose(d -> switch (d.outcome()) {
      case DELIVERED -> Future.succeededFuture(BusMessages.delivered(d.delivered()));
      case NOT_REACHABLE -> Future.failedFuture(RequestFailure.notReachable(target.user(), d.record().status(), kind));
      // Services pass no visibility gate: a refusal here is a bug, reported as such.
      case FORBIDDEN -> Future.failedFuture(new IllegalStateException("delivery refused by a gate that accepts all"));
    });
  }
}
