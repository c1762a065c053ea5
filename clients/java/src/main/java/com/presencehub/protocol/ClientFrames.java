package com.presencehub.protocol;

import com.presencehub.presence.DeliveryKind;
import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.Role;
import com.presencehub.presence.Status;
import com.presencehub.presence.UserKey;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.List;

/**
 * Hub → client frames of the SockJS protocol (PROTOCOL.md §4): {@code welcome}, {@code presence},
 * {@code ack}, {@code error}, {@code pong} and the delivery frame {@code {"type":kind,"from",
 * "payload"}}. A reply carries the request's {@code id} when it had one ({@code null}: none).
 */
public final class ClientFrames {

  private ClientFrames() {
  }

  /**
   * {@code {"type":"welcome","session","user":{"id","tenant","role"[,"name"]},"presence":{record},
   * "idleTimeoutMs","pingIntervalMs"[,"id"]}}: auth accepted.
   *
   * @param name the token's display name, or null
   */
  public static JsonObject welcome(String session, UserKey user, Role role, String name, PresenceRecord presence,
      long idleTimeoutMs, long pingIntervalMs, Object id) {
    JsonObject who = new JsonObject().put("id", user.user()).put("tenant", user.tenant()).put("role", role.wire());
    if (name != null) {
      who.put("name", name);
    }
    JsonObject f = new JsonObject().put("type", "welcome").put("session", session).put("user", who)
        .put("presence", RecordJson.record(presence)).put("idleTimeoutMs", idleTimeoutMs)
        .put("pingIntervalMs", pingIntervalMs);
    return withId(f, id);
  }

  /** {@code {"type":"presence"[,"id"],"updates":[{record},…]}}: snapshots and changes, in the order given. */
  public static JsonObject presence(List<PresenceRecord> records, Object id) {
    return withId(new JsonObject().put("type", "presence"), id).put("updates", RecordJson.records(records));
  }

  /** {@code {"type":"ack"[,"id"]}}: request done. */
  public static JsonObject ack(Object id) {
    return withId(new JsonObject().put("type", "ack"), id);
  }

  /**
   * {@link #ack} as the JSON text it encodes to, built without a {@link JsonObject} for a null or
   * integer id (an acked {@code activity} is a hub's most frequent reply: issue 15, activity path).
   * Any other id goes through {@link #ack}; the text is the same either way.
   */
  public static String ackText(Object id) {
    if (id == null) {
      return "{\"type\":\"ack\"}";
    }
    if (id instanceof Integer || id instanceof Long) {
      return "{\"type\":\"ack\",\"id\":" + id + "}";
    }
    return ack(id).encode();
  }

  /** The ack of a {@code chat.push}: {@code {"type":"ack","id","delivered":n}}. */
  public static JsonObject delivered(Object id, int delivered) {
    return ack(id).put("delivered", delivered);
  }

  /** The ack of a {@code presence.set}: {@code {"type":"ack","id","presence":{record}}}. */
  public static JsonObject presenceSet(Object id, PresenceRecord record) {
    return ack(id).put("presence", RecordJson.record(record));
  }

  /** The ack of a token refresh ({@code auth} on an open session): {@code {"type":"ack","id","expiresAt":ms}}. */
  public static JsonObject refreshed(Object id, long expiresAtMs) {
    return ack(id).put("expiresAt", expiresAtMs);
  }

  /** The answer to a client's {@code ping} (§4 Liveness): {@code {"type":"pong"[,"id"]}}. */
  public static JsonObject pong(Object id) {
    return withId(new JsonObject().put("type", "pong"), id);
  }

  /** {@code {"type":"error","code","message"[,"id"]}}. */
  public static JsonObject error(ErrorCode code, String message, Object id) {
    return withId(new JsonObject().put("type", "error").put("code", code.wire()).put("message", message), id);
  }

  /** A {@code bad_request} error frame for a refused field: the message names it ({@code users[1]: …}). */
  public static JsonObject error(FieldError e, Object id) {
    return error(ErrorCode.BAD_REQUEST, e.getMessage(), id);
  }

  /** A {@code forbidden} error naming the users the caller may not see: {@code …,"users":[…]}. */
  public static JsonObject forbidden(String message, Collection<String> users, Object id) {
    return error(ErrorCode.FORBIDDEN, message, id).put("users", new JsonArray(List.copyOf(users)));
  }

  /**
   * A {@code chat.push} the reachability table refused, with the target's status as data:
   * {@code {"type":"error","code":"not_reachable","message":"c-1 is away: chat.request not
   * delivered","id","status":"away"}}.
   */
  public static JsonObject notReachable(String to, Status status, DeliveryKind kind, Object id) {
    return error(ErrorCode.NOT_REACHABLE, to + " is " + status.wire() + ": " + kind.wire() + " not delivered", id)
        .put("status", status.wire());
  }

  /** Who a delivery is from: {@code {"id"[,"role"][,"name"]}}; role and name may be null. */
  public static JsonObject sender(String id, String role, String name) {
    JsonObject o = new JsonObject().put("id", id);
    if (role != null) {
      o.put("role", role);
    }
    if (name != null) {
      o.put("name", name);
    }
    return o;
  }

  /**
   * The delivery frame, encoded once for every session it goes to: {@code {"type":kind,
   * "from":{…},"payload":{…}}} (an absent payload is {@code {}}).
   */
  public static String delivery(DeliveryKind kind, JsonObject from, JsonObject payload) {
    return new JsonObject().put("type", kind.wire()).put("from", from)
        .put("payload", payload == null ? new JsonObject() : payload).encode();
  }

  private static JsonObject withId(JsonObject frame, Object id) {
    if (id != null) {
      frame.put("id", id);
    }
    return frame;
  }
}
