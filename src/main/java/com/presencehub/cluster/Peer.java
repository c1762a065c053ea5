package com.presencehub.cluster;

import com.presencehub.presence.Contribution;
import com.presencehub.presence.UserKey;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * What this node holds of another hub node: that node's contributions as last replicated, the
 * order of its deltas ({@link DeltaOrder}), and a running fingerprint to compare with the node's
 * digests. Touched only on the replication verticle's event loop.
 */
final class Peer {

  /** The Vert.x node id: the origin of the deltas and the suffix of the node's addresses. */
  final String id;
  /** The hub's node id and boot epoch (member attributes). */
  final String name;
  final long epoch;

  final Map<UserKey, Contribution> held = new HashMap<>();
  long fingerprint;
  /** Its deltas' sequence: applied, waiting behind a gap (kept up to 10,000; then the full state alone will do). */
  final DeltaOrder<JsonObject> order = new DeltaOrder<>(10_000);

  /** A live member; false once Hazelcast removed it (its users then linger for the grace). */
  boolean alive = true;
  boolean syncing;
  /** Needs a full state at the next chance (gap seen, or a digest that disagrees). */
  boolean stale = true;
  long lastHeard;
  long dropTimer = -1;
  int preferenceMismatches;

  Peer(String id, String name, long epoch, long now) {
    this.id = id;
    this.name = name;
    this.epoch = epoch;
    this.lastHeard = now;
  }

  /** Replaces one contribution; returns whether anything changed. */
  boolean put(Contribution c) {
    Contribution old = c.present() ? held.put(c.user(), c) : held.remove(c.user());
    if (old != null) {
      fingerprint -= old.fingerprint();
    }
    if (c.present()) {
      fingerprint += c.fingerprint();
    }
    return old == null ? c.present() : !old.equals(c);
  }

  @Override
  public String toString() {
    return name + "@" + epoch + " (" + id + ")";
  }
}
