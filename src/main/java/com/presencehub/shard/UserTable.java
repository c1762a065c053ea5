package com.presencehub.shard;

import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.PresenceTimings;
import com.presencehub.presence.RetentionWheel;
import com.presencehub.presence.Role;
import com.presencehub.presence.UserKey;
import com.presencehub.presence.UserPresence;
import com.presencehub.presence.VisibilityPolicy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A shard's users and what reads them: the entries by key, the retention that forgets the ones
 * nothing holds (PROTOCOL.md §2 Retention), and the read-only answers (records, lookups with
 * visibility, delivery targets). Plain Java on the shard's thread.
 */
final class UserTable {

  private final PresenceTimings timings;
  private final ShardClock clock;
  private final Watchers watchers;
  private final Map<UserKey, UserEntry> users = new HashMap<>();
  private final RetentionWheel<UserEntry> retention;
  private long forgotten;

  UserTable(PresenceTimings timings, long sweepTickMs, ShardClock clock, Watchers watchers) {
    this.timings = timings;
    this.clock = clock;
    this.watchers = watchers;
    // About 1/1024 of the retention per slot (at least a sweep): a record goes at most two slots
    // late, and the ring stays small whatever the retention.
    long retentionTick = Math.max(sweepTickMs, timings.offlineRetentionMs() / 1024);
    this.retention = new RetentionWheel<>(retentionTick, timings.offlineRetentionMs(), clock.now());
  }

  /** The user's entry, or null when the shard holds none. */
  UserEntry get(UserKey key) {
    return users.get(key);
  }

  /** The user's entry, created with {@code role} (may be null) when the shard holds none. */
  UserEntry getOrCreate(UserKey key, Role role) {
    return users.computeIfAbsent(key, k -> new UserEntry(new UserPresence(k, role, timings)));
  }

  // ---- retention ------------------------------------------------------------------------------

  /** Notes a change to the entry; once nothing holds it, its retention starts (again) from now. */
  void touch(UserEntry e) {
    e.changedAt = clock.now();
    if (forgettable(e)) {
      retention.schedule(e, e.changedAt + timings.offlineRetentionMs());
    }
  }

  /** Forgets every record that nothing has held for {@code offlineRetentionMs} by {@code now}. */
  void expire(long now) {
    retention.advance(now, e -> {
      if (users.get(e.presence.key()) != e || !forgettable(e)) {
        // Back in use: it is scheduled again when nothing holds it any more.
        return;
      }
      long deadline = e.changedAt + timings.offlineRetentionMs();
      if (deadline > now) {
        retention.schedule(e, deadline);
      } else {
        forget(e);
      }
    });
  }

  private static boolean forgettable(UserEntry e) {
    return e.sessions.isEmpty() && e.graceTimer == -1 && e.presence.forgettable();
  }

  /** The user answers like one never seen from now on (§2): its record and timers go. */
  private void forget(UserEntry e) {
    UserKey key = e.presence.key();
    users.remove(key);
    if (e.untilTimer != -1) {
      clock.cancel(e.untilTimer);
      e.untilTimer = -1;
    }
    watchers.unlist(key, e.presence.role());
    forgotten++;
  }

  // ---- reads ----------------------------------------------------------------------------------

  PresenceRecord record(UserKey key) {
    UserEntry e = users.get(key);
    return e == null ? PresenceRecord.unknown(key) : e.presence.record();
  }

  /** Records of {@code keys}, all held (the roster index lists held users only). */
  List<PresenceRecord> records(Collection<UserKey> keys) {
    List<PresenceRecord> out = new ArrayList<>(keys.size());
    for (UserKey k : keys) {
      out.add(users.get(k).presence.record());
    }
    return out;
  }

  /**
   * Current records of users of this shard, as {@code viewer} (of role {@code viewerRole}) may see
   * them: anyone may see themselves; otherwise {@link VisibilityPolicy} decides.
   */
  Lookup lookup(UserKey viewer, Role viewerRole, Collection<String> userIds) {
    List<PresenceRecord> records = new ArrayList<>(userIds.size());
    List<String> forbidden = new ArrayList<>(0);
    for (String id : userIds) {
      PresenceRecord r = record(new UserKey(viewer.tenant(), id));
      if (!id.equals(viewer.user()) && !VisibilityPolicy.canSee(viewerRole, r.role())) {
        forbidden.add(id);
      }
      records.add(r);
    }
    return forbidden.isEmpty() ? new Lookup(records, List.of()) : new Lookup(List.of(), forbidden);
  }

  /** The record and the open sessions of a user, for a delivery. */
  Target target(UserKey key) {
    UserEntry e = users.get(key);
    if (e == null) {
      return new Target(PresenceRecord.unknown(key), List.of(), List.of());
    }
    return new Target(e.presence.record(), List.copyOf(e.sessions), e.presence.remoteNodesWithSessions());
  }

  int size() {
    return users.size();
  }

  int retentionSize() {
    return retention.size();
  }

  long forgotten() {
    return forgotten;
  }
}
