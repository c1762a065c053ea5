package com.presencehub.api.client;

import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.Reason;
import com.presencehub.presence.Role;
import com.presencehub.presence.Status;
import io.vertx.core.json.JsonObject;

/**
 * Presence records as the event-bus API carries them (PROTOCOL.md §2): {@code user, role, status,
 * reason, since, lastActiveAt}, plus {@code tenant} on {@code presence.changes}. Shared by the hub,
 * which encodes, and the facade, which decodes, so the two cannot drift apart.
 */
public final class PresenceJson {

  private PresenceJson() {
  }

  /** A record without its tenant (implied by the request it answers). */
  public static JsonObject record(PresenceRecord r) {
    return new JsonObject()
        .put("user", r.user())
        .put("role", r.role() == null ? null : r.role().wire())
        .put("status", r.status().wire())
        .put("reason", r.reason().wire())
        .put("since", r.since())
        .put("lastActiveAt", r.lastActiveAt());
  }

  /** A {@code presence.changes} event: {@code {"tenant":"t", …record}}. */
  public static JsonObject change(PresenceRecord r) {
    return new JsonObject().put("tenant", r.tenant()).mergeIn(record(r));
  }

  /** Reads a record of {@code tenant}; fails with {@link IllegalArgumentException} on a malformed one. */
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
    Reason reason = reason(json.getString("reason"));
    if ((role != null && r == null) || status == null || reason == null) {
      throw new IllegalArgumentException("malformed presence record: " + json.encode());
    }
    return new PresenceRecord(tenant, user, r, status, reason, json.getLong("since"), json.getLong("lastActiveAt"));
  }

  /** Reads a {@code presence.changes} event. */
  public static PresenceRecord change(JsonObject json) {
    String tenant = json == null ? null : json.getString("tenant");
    if (tenant == null) {
      throw new IllegalArgumentException("presence change without tenant: " + json);
    }
    return record(tenant, json);
  }

  private static Reason reason(String wire) {
    for (Reason r : Reason.values()) {
      if (r.wire().equals(wire)) {
        return r;
      }
    }
    return null;
  }
}
