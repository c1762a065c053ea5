package com.presencehub.cluster;

import com.presencehub.presence.PublishMark;
import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.Reason;
import com.presencehub.presence.Status;
import com.presencehub.presence.UserKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * What {@link ChangeStream} compares, plain Java: this node's view (the latest record of every user
 * its shards reported) and the ledger (the cluster's published state, merged by latest stamp), with
 * the retention of PROTOCOL.md §2 applied to both. {@link ChangeStream} decides <em>whether</em>
 * this node speaks; this class knows <em>what</em> differs and stamps what is published.
 *
 * <p>Not thread-safe: owned by one {@link ChangeStream}.
 */
final class PublishLedger {

  private final String self;
  private final long retentionMs;

  /** This node's view: the latest record of every user its shards reported. */
  private final Map<UserKey, PresenceRecord> view = new HashMap<>();
  /** The cluster's published state. Absent means offline/disconnected, never published. */
  private final Map<UserKey, PublishMark> ledger = new HashMap<>();
  /**
   * Offline entries in the order they became offline, with what they were then: the retention of
   * PROTOCOL.md §2 applies to the view and the ledger as to the shards, so memory does not grow with
   * the number of users ever seen. One FIFO suffices because the retention is the same for all.
   */
  private final ArrayDeque<Offline> offline = new ArrayDeque<>();
  private long lastStamp;

  /** An entry that went offline at {@code at}: forgotten then if neither map changed since. */
  private record Offline(UserKey user, PresenceRecord view, PublishMark mark, long at) { }

  PublishLedger(String self, long retentionMs) {
    this.self = self;
    this.retentionMs = retentionMs;
  }

  /** A transition of this node's view. */
  void see(PresenceRecord r, long now) {
    view.put(r.key(), r);
    if (r.status() == Status.OFFLINE) {
      offline.add(new Offline(r.key(), r, null, now));
    }
  }

  /**
   * Merges marks by latest stamp; returns the users whose published (status, reason) changed, to be
   * compared with the view.
   */
  List<UserKey> merge(Collection<PublishMark> marks, long now) {
    List<UserKey> changed = new ArrayList<>();
    for (PublishMark m : marks) {
      lastStamp = Math.max(lastStamp, m.stamp());
      PublishMark old = ledger.get(m.user());
      if (old == null || m.newerThan(old)) {
        ledger.put(m.user(), m);
        if (m.status() == Status.OFFLINE) {
          offline.add(new Offline(m.user(), null, m, now));
        }
        if (old == null || old.status() != m.status() || old.reason() != m.reason()) {
          changed.add(m.user());
        }
      }
    }
    return changed;
  }

  /** Every user held, the view's first. */
  List<UserKey> users() {
    List<UserKey> users = new ArrayList<>(view.keySet());
    users.addAll(ledger.keySet());
    return users;
  }

  /** Users held (view or ledger): what retention bounds. */
  int size() {
    HashSet<UserKey> all = new HashSet<>(view.keySet());
    all.addAll(ledger.keySet());
    return all.size();
  }

  Collection<PublishMark> marks() {
    return ledger.values();
  }

  PublishMark published(UserKey user) {
    return ledger.get(user);
  }

  /** Stamps and returns, once, every one of {@code users} whose view differs from the ledger. */
  Publication publishIfDiffers(Collection<UserKey> users, long now) {
    List<PresenceRecord> out = new ArrayList<>();
    List<PublishMark> marks = new ArrayList<>();
    for (UserKey u : new LinkedHashSet<>(users)) {
      PresenceRecord r = view.get(u);
      PublishMark old = ledger.get(u);
      if (r == null) {
        // Never in this view: offline here (PROTOCOL.md §5, unknown users are offline).
        if (old == null) {
          continue;
        }
        r = new PresenceRecord(u.tenant(), u.user(), old.role(), Status.OFFLINE, Reason.DISCONNECTED, null, null);
      }
      boolean differs = old == null ? r.status() != Status.OFFLINE || r.reason() != Reason.DISCONNECTED : !old.shows(r);
      if (!differs) {
        continue;
      }
      lastStamp = Math.max(now, lastStamp + 1);
      PublishMark m = new PublishMark(u, r.role(), r.status(), r.reason(), lastStamp, self);
      ledger.put(u, m);
      marks.add(m);
      out.add(r);
    }
    return out.isEmpty() ? Publication.NONE : new Publication(out, marks);
  }

  /**
   * Forgets users that have been offline in both the view and the ledger for {@code retentionMs}
   * (PROTOCOL.md §2 Retention). Forgetting changes nothing published: an absent entry means
   * offline/disconnected in both maps. A mark for the user that a peer still holds merges back in
   * as offline, which differs from nothing, so no event follows.
   */
  void forgetOffline(long now) {
    while (!offline.isEmpty() && offline.peekFirst().at() + retentionMs <= now) {
      Offline o = offline.pollFirst();
      PresenceRecord r = view.get(o.user());
      PublishMark m = ledger.get(o.user());
      // Only the entry this queue item was made for, still unchanged: a later change re-queues it.
      boolean stillThis = o.view() != null ? r == o.view() : m == o.mark();
      boolean viewOffline = r == null || r.status() == Status.OFFLINE;
      boolean ledgerOffline = m == null || m.status() == Status.OFFLINE;
      if (stillThis && viewOffline && ledgerOffline) {
        view.remove(o.user());
        ledger.remove(o.user());
      }
    }
  }
}
