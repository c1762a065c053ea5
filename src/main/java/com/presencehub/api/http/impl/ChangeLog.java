package com.presencehub.api.http.impl;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The last {@code capacity} transitions a node saw, for the change stream's {@code Last-Event-ID}
 * replay (docs/http-api.md "Change stream"). Plain Java, used on one event loop. Event ids are
 * {@code <epoch>-<seq>}: {@code epoch} is this log's (so the node boot's) id, {@code seq} counts
 * from 1. An id of another epoch (another node, or this node before a restart), or one older than
 * what the log still holds, cannot be replayed: the caller gets a reset.
 */
public final class ChangeLog {

  /** One held transition. */
  public record Entry(long seq, String tenant, JsonObject change) {
  }

  /** What a reconnecting client gets: the entries after its id, or why it must re-read the roster. */
  public record Resume(List<Entry> replay, String resetReason) {
    public boolean reset() {
      return resetReason != null;
    }
  }

  private final String epoch;
  private final Entry[] ring;
  private long next = 1;
  /** Ids up to this seq cannot be resumed: this node missed transitions after them (a pause). */
  private long gapAfter;

  public ChangeLog(String epoch, int capacity) {
    this.epoch = epoch;
    this.ring = new Entry[Math.max(capacity, 0)];
  }

  public String epoch() {
    return epoch;
  }

  /** Records a transition; @return its entry (whose id is {@link #id}). */
  public Entry append(String tenant, JsonObject change) {
    Entry e = new Entry(next++, tenant, change);
    if (ring.length > 0) {
      ring[(int) (e.seq % ring.length)] = e;
    }
    return e;
  }

  public String id(Entry e) {
    return epoch + "-" + e.seq;
  }

  /**
   * This node may have missed transitions since its newest entry (it was paused, and the cluster's
   * publisher could not write to it meanwhile): no id held so far can be resumed exactly.
   */
  public void markGap() {
    gapAfter = next - 1;
  }

  /** The seq of the newest transition, 0 before the first. */
  public long latestSeq() {
    return next - 1;
  }

  /** The oldest seq still held; {@code next} when empty. */
  private long oldest() {
    return Math.max(1, next - ring.length);
  }

  /**
   * What a client that last saw {@code lastEventId} missed of {@code tenant}: null or blank →
   * nothing to replay (a fresh stream).
   */
  public Resume resume(String tenant, String lastEventId) {
    if (lastEventId == null || lastEventId.isBlank()) {
      return new Resume(List.of(), null);
    }
    int dash = lastEventId.lastIndexOf('-');
    long seq;
    try {
      seq = dash < 0 ? -1 : Long.parseLong(lastEventId.substring(dash + 1));
    } catch (NumberFormatException e) {
      seq = -1;
    }
    if (seq < 0 || !lastEventId.substring(0, dash).equals(epoch)) {
      return new Resume(List.of(), "unknown_id");
    }
    if (seq >= next) {
      return new Resume(List.of(), "unknown_id");
    }
    if (seq + 1 < oldest()) {
      return new Resume(List.of(), "buffer_overrun");
    }
    if (seq <= gapAfter) {
      return new Resume(List.of(), "gap");
    }
    List<Entry> out = new ArrayList<>();
    for (long s = seq + 1; s < next; s++) {
      Entry e = ring[(int) (s % ring.length)];
      if (e.tenant.equals(tenant)) {
        out.add(e);
      }
    }
    return new Resume(out, null);
  }
}
