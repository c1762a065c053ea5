package com.presencehub.shard;

import com.presencehub.presence.PresenceRecord;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The changes a shard flush owes each session, grouped for delivery: sessions that are owed the very
 * same sequence of records on the same {@link SessionLoop} form one {@link ChangeBatch} (so its frame
 * is encoded once), and each loop gets all its batches at once. Sessions without a loop get their
 * own list. Plain Java, one per shard, used on the shard's thread.
 *
 * <p>Each session's records form a path in a trie of records (by identity), so sessions that heard
 * the same changes in the same order end on the same node: adding a record is one map operation per
 * session, and grouping needs no comparison of lists.
 */
final class DeliveryPlan {

  private Trail root = new Trail(null, null);
  private final Map<SessionLink, Trail> owed = new LinkedHashMap<>();

  /** {@code to} is owed {@code record}, after what it is owed already. */
  void add(SessionLink to, PresenceRecord record) {
    Trail at = owed.get(to);
    owed.put(to, (at == null ? root : at).then(record));
  }

  boolean isEmpty() {
    return owed.isEmpty();
  }

  /** Sessions owed something. */
  int sessions() {
    return owed.size();
  }

  /**
   * Hands everything owed out and starts afresh: {@code single} for each session without a loop
   * (its records, in order), then {@code loop} once per loop with its batches (sessions in the order
   * they were first owed something).
   */
  void drain(BiConsumer<SessionLoop, List<ChangeBatch>> loop, BiConsumer<SessionLink, List<PresenceRecord>> single) {
    Map<SessionLoop, Map<Trail, List<SessionLink>>> byLoop = new LinkedHashMap<>();
    List<Map.Entry<SessionLink, Trail>> entries = new ArrayList<>(owed.entrySet());
    owed.clear();
    root = new Trail(null, null);
    for (Map.Entry<SessionLink, Trail> e : entries) {
      SessionLoop l = e.getKey().loop();
      if (l == null) {
        single.accept(e.getKey(), e.getValue().shared().records());
      } else {
        byLoop.computeIfAbsent(l, k -> new LinkedHashMap<>())
            .computeIfAbsent(e.getValue(), k -> new ArrayList<>()).add(e.getKey());
      }
    }
    for (Map.Entry<SessionLoop, Map<Trail, List<SessionLink>>> l : byLoop.entrySet()) {
      List<ChangeBatch> batches = new ArrayList<>(l.getValue().size());
      for (Map.Entry<Trail, List<SessionLink>> t : l.getValue().entrySet()) {
        batches.add(new ChangeBatch(t.getKey().shared(), t.getValue()));
      }
      loop.accept(l.getKey(), batches);
    }
  }

  /** A sequence of records: its last one and the sequence before it. Identity equality. */
  private static final class Trail {
    private final Trail before;
    private final PresenceRecord last;
    // Most trails have one continuation (every session heard the same change next): no map for it.
    private PresenceRecord firstKey;
    private Trail first;
    private Map<PresenceRecord, Trail> more;
    private SharedChanges shared;

    Trail(Trail before, PresenceRecord last) {
      this.before = before;
      this.last = last;
    }

    Trail then(PresenceRecord r) {
      if (first == null) {
        firstKey = r;
        first = new Trail(this, r);
        return first;
      }
      if (firstKey == r) {
        return first;
      }
      if (more == null) {
        more = new IdentityHashMap<>();
      }
      return more.computeIfAbsent(r, k -> new Trail(this, k));
    }

    SharedChanges shared() {
      if (shared == null) {
        List<PresenceRecord> records = new ArrayList<>();
        for (Trail t = this; t.last != null; t = t.before) {
          records.add(t.last);
        }
        Collections.reverse(records);
        shared = new SharedChanges(records);
      }
      return shared;
    }
  }
}
