package com.presencehub.api.impl;

import com.presencehub.api.client.PresenceJson;
import com.presencehub.delivery.Courier;
import com.presencehub.delivery.DeliveryQueue;
import com.presencehub.presence.DeliveryKind;
import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.ReachabilityPolicy;
import com.presencehub.presence.Role;
import com.presencehub.presence.Status;
import com.presencehub.presence.UserKey;
import com.presencehub.shard.ShardDirectory;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The four request/reply operations of PROTOCOL.md §5 on one node: validate, ask the shards (the
 * node's replicated view, so no other node is asked), encode the reply. Runs on the caller's
 * event loop; every shard operation is a hop there and back, nothing blocks.
 */
public final class PresenceRequests {

  private static final Set<Status> CONNECTED = EnumSet.of(Status.ONLINE, Status.AWAY);

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
    RequestFields f = RequestFields.of(body);
    String tenant = f.requiredId("tenant");
    List<String> users = f.idList("users", maxUsersPerQuery);
    List<UserKey> keys = new ArrayList<>(users.size());
    for (String u : users) {
      keys.add(new UserKey(tenant, u));
    }
    return directory.records(keys).map(records -> {
      JsonObject out = new JsonObject();
      for (int i = 0; i < users.size(); i++) {
        out.put(users.get(i), PresenceJson.record(records.get(i)));
      }
      return new JsonObject().put("users", out);
    });
  }

  /** {@code {"tenant","user","kind"}} → {@code {"reachable":bool,"presence":{record}}}. */
  public Future<JsonObject> reachable(Object body) {
    RequestFields f = RequestFields.of(body);
    UserKey key = new UserKey(f.requiredId("tenant"), f.requiredId("user"));
    DeliveryKind kind = kind(f);
    return directory.record(key).map(r -> new JsonObject()
        .put("reachable", ReachabilityPolicy.reachable(r, kind))
        .put("presence", PresenceJson.record(r)));
  }

  /**
   * {@code {"tenant","role","status":[…]}} → {@code {"users":[{record},…]}} ordered by user id;
   * {@code status} defaults to both connected states and may not name {@code offline}.
   */
  public Future<JsonObject> roster(Object body) {
    RequestFields f = RequestFields.of(body);
    String tenant = f.requiredId("tenant");
    Role role = Role.fromWire(f.requiredString("role"));
    if (role == null) {
      throw ApiFailure.badRequest("role", "must be tech or client");
    }
    Set<Status> wanted = statuses(f);
    return directory.roster(tenant, role).map(records -> {
      List<PresenceRecord> all = new ArrayList<>();
      for (PresenceRecord r : records) {
        if (wanted.contains(r.status())) {
          all.add(r);
        }
      }
      all.sort(Comparator.comparing(PresenceRecord::user));
      JsonArray users = new JsonArray();
      for (PresenceRecord r : all) {
        users.add(PresenceJson.record(r));
      }
      return new JsonObject().put("users", users);
    });
  }

  /**
   * {@code {"tenant","to","kind","from":{"id",…},"payload":{…}}} → {@code {"delivered":n}}, or a
   * 404 {@code not_reachable} failure naming the target's status. Deliveries made from one event
   * loop to one user leave in order (see {@link Courier}).
   */
  public Future<JsonObject> deliver(Object body) {
    RequestFields f = RequestFields.of(body);
    String tenant = f.requiredId("tenant");
    String to = f.requiredId("to");
    DeliveryKind kind = kind(f);
    RequestFields from = f.requiredObject("from");
    from.requiredId("id");
    from.optionalString("role");
    from.optionalString("name");
    JsonObject payload = f.optionalObject("payload");
    String frame = new JsonObject().put("type", kind.wire()).put("from", from.body())
        .put("payload", payload == null ? new JsonObject() : payload).encode();
    // Chars are a lower bound of the UTF-8 size; only a frame near the limit is measured exactly.
    if (frame.length() > maxFrameBytes / 3) {
      int bytes = frame.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > maxFrameBytes) {
        throw ApiFailure.badRequest("payload", "the delivered frame would be " + bytes + " bytes, more than the "
            + maxFrameBytes + " a session takes (maxFrameBytes)");
      }
    }
    UserKey target = new UserKey(tenant, to);
    return deliveries.submit(target, () -> courier.deliver(target, kind, frame, r -> true)).compose(d -> switch (d.outcome()) {
      case DELIVERED -> Future.succeededFuture(new JsonObject().put("delivered", d.delivered()));
      case NOT_REACHABLE -> Future.failedFuture(ApiFailure.notReachable(to, d.record().status(), kind));
      // Services pass no visibility gate: a refusal here is a bug, reported as such.
      case FORBIDDEN -> Future.failedFuture(new IllegalStateException("delivery refused by a gate that accepts all"));
    });
  }

  private static DeliveryKind kind(RequestFields f) {
    DeliveryKind kind = DeliveryKind.fromWire(f.requiredString("kind"));
    if (kind == null) {
      throw ApiFailure.badRequest("kind", "must be chat.request, chat.message or notify");
    }
    return kind;
  }

  private static Set<Status> statuses(RequestFields f) {
    JsonArray a = f.optionalArray("status", "must be an array of statuses (online, away)");
    if (a == null) {
      return CONNECTED;
    }
    Set<Status> out = EnumSet.noneOf(Status.class);
    for (int i = 0; i < a.size(); i++) {
      Object v = a.getValue(i);
      Status s = v instanceof String w ? Status.fromWire(w) : null;
      if (s == Status.OFFLINE) {
        throw ApiFailure.badRequest("status[" + i + "]", "offline is not accepted: a roster lists connected users"
            + " only (online, away); ask presence.query about a user to learn it is offline");
      }
      if (s == null) {
        throw ApiFailure.badRequest("status[" + i + "]", "must be online or away");
      }
      out.add(s);
    }
    return out;
  }
}
