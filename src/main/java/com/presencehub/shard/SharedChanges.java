package com.presencehub.shard;

import com.presencehub.presence.PresenceRecord;
import java.util.List;
import java.util.function.Function;

/**
 * The changes one shard flush hands, alike, to several sessions (a roster's watchers, say), with
 * their frame encoded once for all of them ({@link #frame}). Immutable records; the frame is
 * computed by the first loop that asks and kept.
 */
public final class SharedChanges {

  private final List<PresenceRecord> records;
  // Racy single-check: loops asking at once may each encode, all get an equal String, and a String
  // is safely published through its final fields.
  private String frame;

  SharedChanges(List<PresenceRecord> records) {
    this.records = List.copyOf(records);
  }

  /** The records, in the order the shard produced them (read only). */
  public List<PresenceRecord> records() {
    return records;
  }

  /** The records as one frame, {@code encode}d on the first call and kept; any thread. */
  public String frame(Function<List<PresenceRecord>, String> encode) {
    String f = frame;
    if (f == null) {
      f = encode.apply(records);
      frame = f;
    }
    return f;
  }
}
