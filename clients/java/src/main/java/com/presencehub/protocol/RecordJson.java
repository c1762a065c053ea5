package com.presencehub.protocol;

import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.Reason;
import com.presencehub.presence.Role;
import com.presencehub.presence.Status;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The presence record wherever it appears (PROTOCOL.md §2): {@code {"user","role","status",
 * "reason","since","lastActiveAt"}} in frames, replies and the HTTP API; with {@code "tenant"} first
 * as a {@code presence.changes} event (§5), an SSE {@code change} (§8); with an {@code "id"} first
 * as a webhook event (§8). Encoded by the hub and decoded by the facade from this one class, so the
 * two cannot drift apart.
 */
public final class RecordJson {

  private RecordJson() {
  }

  /** A record without its tenant (implied by the session or the request it answers). */
  public static JsonObject record(PresenceRecord r) {
    return new JsonObject()
        .put("user", r.user())
        .put("role", r.role() == null ? null : r.role().wire())
        .put("status", r.status().wire())
        .put("reason", r.reason().wire())
        .put("since", r.since())
        .put("lastActiveAt", r.lastActiveAt());
  }

  /** Records in the order given, as a JSON array. */
  public static JsonArray records(List<PresenceRecord> records) {
    JsonArray a = new JsonArray();
    for (PresenceRecord r : records) {
      a.add(record(r));
    }
    return a;
  }

  /** A {@code presence.changes} event: {@code {"tenant":"t", …record}}. */
  public static JsonObject change(PresenceRecord r) {
    return new JsonObject().put("tenant", r.tenant()).mergeIn(record(r));
  }

  /**
   * Reads a record of {@code tenant}; extra fields are allowed (§2).
   *
   * @throws IllegalArgumentException on a missing or malformed record
   */
  public static PresenceRecord record(String tenant, JsonObject json) {
    if (json == null) {
      throw new IllegalArgumentException("missing presence record");
    }
    String user = json.getString("user");
    if (user == null) {
      throw new IllegalArgumentException("presence record without user: " + json.encode());
    }
    String role = json.getString("role");
    Role r = role == null ? null : Role.fromWire(role);
    Status status = Status.fromWire(json.getString("status"));
    Reason reason = Reason.fromWire(json.getString("reason"));
    if ((role != null && r == null) || status == null || reason == null) {
      throw new IllegalArgumentException("malformed presence record: " + json.encode());
    }
    return new PresenceRecord(tenant, user, r, status, reason, json.getLong("since"), json.getLong("lastActiveAt"));
  }

  /**
   * Reads a {@code presence.changes} event.
   *
   * @throws IllegalArgumentException on an event without tenant or with a malformed record
   */
  public static PresenceRecord change(JsonObject json) {
    String tenant = json == null ? null : json.getString("tenant");
    if (tenant == null) {
      throw new IllegalArgumentException("presence change without tenant: " + json);
    }
    return record(tenant, json);
  }

  /**
   * A transition's id ({@code user@since:status/reason}), the same on every node that publishes
   * it: a webhook receiver drops a batch's duplicate after a publisher fail-over by it (§8).
   */
  public static String eventId(JsonObject change) {
    return change.getString("user") + "@" + change.getValue("since") + ":" + change.getString("status") + "/"
        + change.getString("reason");
  }

  /** A webhook event: {@code {"id", "tenant", …record}} from a {@code presence.changes} event. */
  public static JsonObject webhookEvent(JsonObject change) {
    return new JsonObject().put("id", eventId(change)).mergeIn(change);
  }

  /** A webhook POST body: {@code {"tenant":"t","events":[…]}}. */
  public static JsonObject webhookBatch(String tenant, List<JsonObject> events) {
    JsonArray a = new JsonArray();
    for (JsonObject e : events) {
      a.add(e);
    }
    return new JsonObject().put("tenant", tenant).put("events", a);
  }

  /** The data of an SSE {@code reset} event: {@code {"reason":"gap"}} and the like. */
  public static JsonObject streamReset(String reason) {
    return new JsonObject().put("reason", reason);
  }
}
