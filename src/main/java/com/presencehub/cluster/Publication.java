package com.presencehub.cluster;

import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.PublishMark;
import java.util.List;

/**
 * What the {@link ChangeStream} decided for one input: the events to put on {@code
 * presence.changes}, in order, and the publish marks to replicate in the same turn (the events
 * first: a crash between the two costs a duplicate at worst, never an event the ledger claims but no
 * listener received).
 */
public record Publication(List<PresenceRecord> publish, List<PublishMark> marks) {

  static final Publication NONE = new Publication(List.of(), List.of());

  /** True when there is nothing to publish. */
  public boolean isEmpty() {
    return publish.isEmpty();
  }
}
