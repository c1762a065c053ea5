package com.presencehub.gateway;

import com.presencehub.api.client.PresenceJson;
import com.presencehub.presence.PresenceRecord;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Hub → client frames (PROTOCOL.md §4). */
public final class Frames {

  private Frames() {
  }

  /** A presence record as the contract shows it (the tenant is implied by the session). */
  public static JsonObject record(PresenceRecord r) {
    return PresenceJson.record(r);
  }

  public static JsonObject presence(List<PresenceRecord> records, Object id) {
    JsonArray updates = new JsonArray();
    for (PresenceRecord r : records) {
      updates.add(record(r));
    }
    JsonObject f = new JsonObject().put("type", "presence");
    if (id != null) {
      f.put("id", id);
    }
    return f.put("updates", updates);
  }

  public static JsonObject ack(Object id) {
    JsonObject f = new JsonObject().put("type", "ack");
    if (id != null) {
      f.put("id", id);
    }
    return f;
  }

  /** The answer to a client's {@code ping} (PROTOCOL.md §4 Liveness). */
  public static JsonObject pong(Object id) {
    JsonObject f = new JsonObject().put("type", "pong");
    if (id != null) {
      f.put("id", id);
    }
    return f;
  }

  public static JsonObject error(ErrorCode code, String message, Object id) {
    JsonObject f = new JsonObject().put("type", "error").put("code", code.wire()).put("message", message);
    if (id != null) {
      f.put("id", id);
    }
    return f;
  }
}
