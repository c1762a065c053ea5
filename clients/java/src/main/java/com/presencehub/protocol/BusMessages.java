package com.presencehub.protocol;

import com.presencehub.presence.DeliveryKind;
import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.Role;
import com.presencehub.presence.Status;
import com.presencehub.presence.UserKey;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The requests and replies of the event-bus API (PROTOCOL.md §5), both ways: the facade encodes a
 * request and decodes the reply, the hub decodes (validates, {@link FieldError} naming the field)
 * the request and encodes the reply. Also the node-to-node delivery request
 * ({@code presence.node.<id>.deliver}).
 */
public final class BusMessages {

  /** Request/reply: current records of some users of a tenant. */
  public static final String QUERY = "presence.query";
  /** Request/reply: whether a user can take a delivery of a kind now, and its record. */
  public static final String REACHABLE = "presence.reachable";
  /** Request/reply: a tenant's users of one role that are connected, filtered by status. */
  public static final String ROSTER = "presence.roster";
  /** Request/reply: a delivery to every session of a user, wherever it is connected. */
  public static final String DELIVER = "presence.deliver";
  /** Published by the hub: one event per transition, cluster-wide ({@link RecordJson#change}). */
  public static final String CHANGES = "presence.changes";

  /** The statuses a roster lists when the request names none. */
  public static final Set<Status> CONNECTED = Set.copyOf(EnumSet.of(Status.ONLINE, Status.AWAY));

  private BusMessages() {
  }

  // ---- presence.query -----------------------------------------------------------------------------

  /** {@code {"tenant","users":[…]}}. */
  public record Query(String tenant, List<String> users) {
  }

  public static JsonObject query(String tenant, Collection<String> users) {
    return new JsonObject().put("tenant", tenant).put("users", new JsonArray(new ArrayList<Object>(users)));
  }

  /** @param maxUsers the most users one request may name */
  public static Query query(Object body, int maxUsers) {
    FieldRules f = FieldRules.request(body);
    String tenant = f.requiredId("tenant");
    return new Query(tenant, f.userList("users", maxUsers));
  }

  /** {@code {"users":{"u1":{record},…}}} in the order of {@code records}. */
  public static JsonObject queryReply(Collection<PresenceRecord> records) {
    JsonObject byUser = new JsonObject();
    for (PresenceRecord r : records) {
      byUser.put(r.user(), RecordJson.record(r));
    }
    return new JsonObject().put("users", byUser);
  }

  public static Map<String, PresenceRecord> queryReply(String tenant, JsonObject reply) {
    JsonObject byUser = reply.getJsonObject("users");
    Map<String, PresenceRecord> out = new LinkedHashMap<>();
    for (String user : byUser.fieldNames()) {
      out.put(user, RecordJson.record(tenant, byUser.getJsonObject(user)));
    }
    return out;
  }

  // ---- presence.reachable -------------------------------------------------------------------------

  /** {@code {"tenant","user","kind"}}. */
  public record Reachable(UserKey user, DeliveryKind kind) {
  }

  /** {@code {"reachable":bool,"presence":{record}}}. */
  public record ReachableReply(boolean reachable, PresenceRecord presence) {
  }

  public static JsonObject reachable(String tenant, String user, DeliveryKind kind) {
    return reachable(tenant, user, kind.wire());
  }

  /** The request with the values as an edge received them (HTTP parameters), for {@link #reachable(Object)} to judge. */
  public static JsonObject reachable(String tenant, String user, String kind) {
    return new JsonObject().put("tenant", tenant).put("user", user).put("kind", kind);
  }

  public static Reachable reachable(Object body) {
    FieldRules f = FieldRules.request(body);
    UserKey key = new UserKey(f.requiredId("tenant"), f.requiredId("user"));
    return new Reachable(key, kind(f));
  }

  public static JsonObject reachableReply(boolean reachable, PresenceRecord presence) {
    return new JsonObject().put("reachable", reachable).put("presence", RecordJson.record(presence));
  }

  public static ReachableReply reachableReply(String tenant, JsonObject reply) {
    return new ReachableReply(reply.getBoolean("reachable"), RecordJson.record(tenant, reply.getJsonObject("presence")));
  }

  // ---- presence.roster ----------------------------------------------------------------------------

  /** {@code {"tenant","role","status":[…]}}; {@code statuses} defaults to {@link #CONNECTED}. */
  public record Roster(String tenant, Role role, Set<Status> statuses) {
  }

  /** @param statuses the statuses wanted, or null for the hub's default (both connected ones) */
  public static JsonObject roster(String tenant, Role role, Collection<Status> statuses) {
    JsonObject req = new JsonObject().put("tenant", tenant).put("role", role.wire());
    if (statuses != null) {
      // Empty is sent as such: the hub refuses it ("status: must not be empty") rather than guess.
      req.put("status", new JsonArray(new ArrayList<Object>(statuses.stream().map(Status::wire).toList())));
    }
    return req;
  }

  /**
   * The request with the values as an edge received them (HTTP parameters), for {@link
   * #roster(Object)} to judge; {@code statuses} null or empty (no parameter given): the default.
   */
  public static JsonObject roster(String tenant, String role, List<String> statuses) {
    JsonObject req = new JsonObject().put("tenant", tenant).put("role", role);
    if (statuses != null && !statuses.isEmpty()) {
      req.put("status", new JsonArray(new ArrayList<Object>(statuses)));
    }
    return req;
  }

  public static Roster roster(Object body) {
    FieldRules f = FieldRules.request(body);
    String tenant = f.requiredId("tenant");
    Role role = Role.fromWire(f.requiredString("role"));
    if (role == null) {
      throw new FieldError("role", "must be tech or client");
    }
    return new Roster(tenant, role, statuses(f));
  }

  /** {@code {"users":[{record},…]}} in the order given. */
  public static JsonObject rosterReply(List<PresenceRecord> records) {
    return new JsonObject().put("users", RecordJson.records(records));
  }

  public static List<PresenceRecord> rosterReply(String tenant, JsonObject reply) {
    JsonArray users = reply.getJsonArray("users");
    List<PresenceRecord> out = new ArrayList<>(users.size());
    for (int i = 0; i < users.size(); i++) {
      out.add(RecordJson.record(tenant, users.getJsonObject(i)));
    }
    return out;
  }

  private static Set<Status> statuses(FieldRules f) {
    JsonArray a = f.optionalArray("status", "must be an array of statuses (online, away)");
    if (a == null) {
      return CONNECTED;
    }
    Set<Status> out = EnumSet.noneOf(Status.class);
    for (int i = 0; i < a.size(); i++) {
      Object v = a.getValue(i);
      Status s = v instanceof String w ? Status.fromWire(w) : null;
      if (s == Status.OFFLINE) {
        throw new FieldError("status[" + i + "]", "offline is not accepted: a roster lists connected users"
            + " only (online, away); ask presence.query about a user to learn it is offline");
      }
      if (s == null) {
        throw new FieldError("status[" + i + "]", "must be online or away");
      }
      out.add(s);
    }
    return out;
  }

  // ---- presence.deliver ---------------------------------------------------------------------------

  /**
   * {@code {"tenant","to","kind","from":{"id"[,"role"][,"name"]},"payload":{…}}}; {@code from} as
   * given (extra fields kept), {@code payload} {@code {}} when absent.
   */
  public record Deliver(UserKey to, DeliveryKind kind, JsonObject from, JsonObject payload) {

    /** The frame every session of the target gets ({@link ClientFrames#delivery}). */
    public String frame() {
      return ClientFrames.delivery(kind, from, payload);
    }
  }

  /** @param from {@link ClientFrames#sender} */
  public static JsonObject deliver(String tenant, String to, DeliveryKind kind, JsonObject from, JsonObject payload) {
    return new JsonObject().put("tenant", tenant).put("to", to).put("kind", kind.wire())
        .put("from", from).put("payload", payload == null ? new JsonObject() : payload);
  }

  /** The request from a body without its tenant (HTTP: the tenant is in the path), for {@link #deliver(Object)} to judge. */
  public static JsonObject deliver(String tenant, JsonObject body) {
    return body.copy().put("tenant", tenant);
  }

  public static Deliver deliver(Object body) {
    FieldRules f = FieldRules.request(body);
    String tenant = f.requiredId("tenant");
    String to = f.requiredId("to");
    DeliveryKind kind = kind(f);
    FieldRules from = f.requiredObject("from");
    from.requiredId("id");
    from.optionalString("role");
    from.optionalString("name");
    JsonObject payload = f.optionalObject("payload");
    return new Deliver(new UserKey(tenant, to), kind, from.body(), payload == null ? new JsonObject() : payload);
  }

  /** {@code {"delivered":n}}: the sessions that took the frame. */
  public static JsonObject delivered(int delivered) {
    return new JsonObject().put("delivered", delivered);
  }

  /** @return the {@code delivered} count of a reply, 0 when it has none */
  public static int delivered(JsonObject reply) {
    return reply == null ? 0 : reply.getInteger("delivered", 0);
  }

  private static DeliveryKind kind(FieldRules f) {
    DeliveryKind kind = DeliveryKind.fromWire(f.requiredString("kind"));
    if (kind == null) {
      throw new FieldError("kind", "must be chat.request, chat.message or notify");
    }
    return kind;
  }

  // ---- presence.node.<id>.deliver (between hub nodes) ---------------------------------------------

  /** A frame, already encoded, for a user's sessions on one node. */
  public record NodeDelivery(UserKey user, String frame) {
  }

  /** The node-to-node delivery request: {@code {"tenant","user","frame"}}. */
  public static String nodeAddress(String node) {
    return "presence.node." + node + ".deliver";
  }

  public static JsonObject nodeDelivery(UserKey user, String frame) {
    return new JsonObject().put("tenant", user.tenant()).put("user", user.user()).put("frame", frame);
  }

  /** @throws FieldError {@code tenant, user and frame are required strings} */
  public static NodeDelivery nodeDelivery(Object body) {
    JsonObject b = body instanceof JsonObject o ? o : new JsonObject();
    if (!(b.getValue("tenant") instanceof String tenant && b.getValue("user") instanceof String user
        && b.getValue("frame") instanceof String frame)) {
      throw new FieldError(null, "tenant, user and frame are required strings");
    }
    return new NodeDelivery(new UserKey(tenant, user), frame);
  }
}
