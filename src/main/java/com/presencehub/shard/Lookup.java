package com.presencehub.shard;

import com.presencehub.presence.PresenceRecord;
import java.util.List;

/** Records for the users asked about, or the ones the asker may not see (then nothing else). */
public record Lookup(List<PresenceRecord> records, List<String> forbidden) {
  public boolean allowed() {
    return forbidden.isEmpty();
  }
}
