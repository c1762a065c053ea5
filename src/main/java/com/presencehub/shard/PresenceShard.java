package com.presencehub.shard;

import com.presencehub.presence.Contribution;
import com.presencehub.presence.IdleWheel;
import com.presencehub.presence.Preference;
import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.PresenceTimings;
import com.presencehub.presence.Reason;
import com.presencehub.presence.Role;
import com.presencehub.presence.Status;
import com.presencehub.presence.UserKey;
import com.presencehub.presence.UserPresence;
import com.presencehub.presence.VisibilityPolicy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The owner of a share of the users: their presence, their sessions, who watches them, and the
 * idle wheel. Every method runs on one thread (the shard's event loop), so nothing here locks.
 *
 * <p>Changes are not written to watchers one by one: they collect in an outbox that is flushed
 * once the shard's queue of work is drained, so a storm of transitions reaches each watcher as a
 * few batched deliveries.
 */
public final class PresenceShard {

  /** A tenant's users of one role: the unit of roster subscriptions. */
  public record Roster(String tenant, Role role) { }

  /** Records for the users asked about, or the ones the asker may not see (then nothing else). */
  public record Lookup(List<PresenceRecord> records, List<String> forbidden) {
    public boolean allowed() {
      return forbidden.isEmpty();
    }
  }

  /**
   * A delivery target: its record, its sessions on this node and the other nodes that hold
   * sessions of it (copies, safe to hand to other threads).
   */
  public record Target(PresenceRecord record, List<SessionLink> sessions, List<String> nodes) { }

  private static final class Entry {
    final UserPresence presence;
    final List<SessionLink> sessions = new ArrayList<>(2);
    long graceTimer = -1;
    long untilTimer = -1;
    /** This node's share as last replicated; null when none was (or it was gone). */
    Contribution sent;
    boolean dirty;

    Entry(UserPresence presence) {
      this.presence = presence;
    }
  }

  private final PresenceTimings timings;
  private final ShardClock clock;
  private final ShardObserver observer;
  private final IdleWheel wheel;
  private final Map<UserKey, Entry> users = new HashMap<>();
  private final Map<UserKey, Set<SessionLink>> userWatchers = new HashMap<>();
  private final Map<Roster, Set<SessionLink>> rosterWatchers = new HashMap<>();
  /** Users who are not offline, per roster: what a roster snapshot lists. */
  private final Map<Roster, Set<UserKey>> present = new HashMap<>();
  private final Map<SessionLink, List<PresenceRecord>> outbox = new LinkedHashMap<>();
  private boolean flushScheduled;
  private final ReplicationSink sink;
  private final ChangeFeed feed;
  /** A later lastActiveAt alone is replicated only once it moved this much (it only feeds display). */
  private final long activityResolutionMs;
  private final List<Entry> dirty = new ArrayList<>();
  private final List<Preference> dirtyPreferences = new ArrayList<>();

  public PresenceShard(PresenceTimings timings, long sweepTickMs, ShardClock clock, ShardObserver observer) {
    this(timings, sweepTickMs, clock, observer, ReplicationSink.NONE, ChangeFeed.NONE);
  }

  public PresenceShard(PresenceTimings timings, long sweepTickMs, ShardClock clock, ShardObserver observer,
      ReplicationSink sink, ChangeFeed feed) {
    this.timings = timings;
    this.clock = clock;
    this.observer = observer;
    this.sink = sink;
    this.feed = feed;
    this.activityResolutionMs = Math.max(1, timings.idleTimeoutMs() / 20);
    this.wheel = new IdleWheel(sweepTickMs, timings.idleTimeoutMs(), clock.now());
  }

  // ---- sessions -------------------------------------------------------------------------------

  /** A session of a user opened (after auth); returns the user's record for the welcome. */
  public PresenceRecord open(SessionLink session) {
    long now = clock.now();
    Entry e = users.computeIfAbsent(session.user(), k -> new Entry(new UserPresence(k, session.role(), timings)));
    cancelGrace(e);
    Status before = e.presence.status();
    Role roleBefore = e.presence.role();
    e.sessions.add(session);
    boolean changed = e.presence.sessionOpened(session.role(), now);
    if (roleBefore != null && roleBefore != e.presence.role()) {
      unlistPresent(e.presence.key(), roleBefore);
    }
    armIdle(e);
    if (changed) {
      publish(e, before, session);
    }
    listPresent(e);
    noteLocal(e);
    return e.presence.record();
  }

  /** Activity on a session at {@code at} (already corrected for {@code idleMs}). O(1). */
  public void activity(SessionLink session, long at) {
    Entry e = users.get(session.user());
    if (e == null || e.presence.sessions() == 0) {
      return;
    }
    Status before = e.presence.status();
    if (e.presence.activity(at, clock.now())) {
      publish(e, before, null);
    }
    armIdle(e);
    noteLocal(e);
  }

  /** A session ended: with {@code bye} on purpose, otherwise abruptly (grace applies). */
  public void close(SessionLink session, boolean bye) {
    Entry e = users.get(session.user());
    if (e == null || !e.sessions.remove(session)) {
      return;
    }
    Status before = e.presence.status();
    Reason reasonBefore = e.presence.reason();
    UserPresence.CloseOutcome outcome = e.presence.sessionClosed(bye, clock.now());
    if (outcome == UserPresence.CloseOutcome.GRACE_STARTED) {
      UserKey key = e.presence.key();
      e.graceTimer = clock.schedule(timings.offlineGraceMs(), () -> graceExpired(key));
      // Closing re-derives the status: an idle deadline (or an until) that passed before the sweep
      // (or timer) saw it shows now, and watchers must hear it before the offline.
      if (e.presence.status() != before || e.presence.reason() != reasonBefore) {
        publish(e, before, null);
        armIdle(e);
      }
    } else if (outcome == UserPresence.CloseOutcome.OFFLINE_NOW) {
      if (e.presence.status() != before || e.presence.reason() != reasonBefore) {
        publish(e, before, null);
      }
      if (e.presence.status() == Status.OFFLINE) {
        unlistPresent(e.presence.key(), e.presence.role());
      }
    }
    noteLocal(e);
  }

  private void graceExpired(UserKey key) {
    Entry e = users.get(key);
    if (e == null) {
      return;
    }
    e.graceTimer = -1;
    Status before = e.presence.status();
    if (e.presence.graceExpired(clock.now())) {
      publish(e, before, null);
      if (e.presence.status() == Status.OFFLINE) {
        unlistPresent(key, e.presence.role());
      }
    }
    noteLocal(e);
  }

  private void cancelGrace(Entry e) {
    if (e.graceTimer != -1) {
      clock.cancel(e.graceTimer);
      e.graceTimer = -1;
    }
  }

  // ---- preferred away (techs) -----------------------------------------------------------------

  /** A tech chose Away, until {@code until} (epoch ms) or {@link UserPresence#NEVER}. */
  public PresenceRecord preferAway(UserKey key, long until) {
    return writePreference(key, true, until);
  }

  /** A tech set {@code online}: presence follows activity again. */
  public PresenceRecord clearPreferredAway(UserKey key) {
    return writePreference(key, false, UserPresence.NEVER);
  }

  private PresenceRecord writePreference(UserKey key, boolean away, long until) {
    Entry e = users.get(key);
    if (e == null) {
      throw new IllegalStateException("unknown user " + key);
    }
    Status before = e.presence.status();
    Reason reasonBefore = e.presence.reason();
    Preference p = e.presence.writePreference(away, until, sink.node(), clock.now());
    afterPreference(e, before, reasonBefore);
    dirtyPreferences.add(p);
    scheduleFlush();
    return e.presence.record();
  }

  /** Preferences written on other nodes (latest write wins). */
  public void applyPreferences(List<Preference> preferences) {
    long now = clock.now();
    for (Preference p : preferences) {
      Entry e = users.computeIfAbsent(p.user(), k -> new Entry(new UserPresence(k, null, timings)));
      Status before = e.presence.status();
      Reason reasonBefore = e.presence.reason();
      Role roleBefore = e.presence.role();
      if (e.presence.applyPreference(p, now) || e.presence.preference() == p) {
        afterPreference(e, before, reasonBefore);
        reindex(e, roleBefore);
      }
    }
  }

  private void afterPreference(Entry e, Status before, Reason reasonBefore) {
    if (e.untilTimer != -1) {
      clock.cancel(e.untilTimer);
      e.untilTimer = -1;
    }
    Preference p = e.presence.preference();
    if (p.away() && p.until() != UserPresence.NEVER) {
      UserKey key = e.presence.key();
      e.untilTimer = clock.schedule(Math.max(0, p.until() - clock.now()), () -> preferredLapsed(key));
    }
    if (e.presence.status() != before || e.presence.reason() != reasonBefore) {
      publish(e, before, null);
    }
    armIdle(e);
  }

  private void preferredLapsed(UserKey key) {
    Entry e = users.get(key);
    if (e == null) {
      return;
    }
    e.untilTimer = -1;
    Status before = e.presence.status();
    if (e.presence.recompute(clock.now())) {
      publish(e, before, null);
    }
    armIdle(e);
  }

  public Preference preference(UserKey key) {
    Entry e = users.get(key);
    return e == null ? Preference.none(key) : e.presence.preference();
  }

  // ---- other nodes' shares --------------------------------------------------------------------

  /** Another node's shares of some of this shard's users changed (a share not present is gone). */
  public void applyRemote(String node, List<Contribution> contributions) {
    long now = clock.now();
    for (Contribution c : contributions) {
      Entry e = c.present()
          ? users.computeIfAbsent(c.user(), k -> new Entry(new UserPresence(k, c.role(), timings)))
          : users.get(c.user());
      if (e == null) {
        continue;
      }
      Status before = e.presence.status();
      Reason reasonBefore = e.presence.reason();
      Role roleBefore = e.presence.role();
      e.presence.applyRemote(node, c, now);
      if (e.presence.status() != before || e.presence.reason() != reasonBefore) {
        publish(e, before, null);
      }
      reindex(e, roleBefore);
    }
  }

  // ---- idle -----------------------------------------------------------------------------------

  /** The periodic sweep: every user whose idle deadline passed turns away. */
  public void sweep() {
    long now = clock.now();
    wheel.advance(now, presence -> {
      Entry e = users.get(presence.key());
      if (e == null || e.presence != presence) {
        return;
      }
      Status before = presence.status();
      if (presence.recompute(now)) {
        publish(e, before, null);
      }
      armIdle(e);
      noteLocal(e);
    });
  }

  /**
   * Keeps the user in the wheel while this node's own sessions keep it active: the local share's
   * {@code active} must turn false on time even while the user shows away (preferred) or online
   * through another node.
   */
  private void armIdle(Entry e) {
    if (e.presence.localActive(clock.now())) {
      wheel.schedule(e.presence, e.presence.idleDeadline());
    }
  }

  // ---- subscriptions and queries --------------------------------------------------------------

  /**
   * Watches {@code users} (all owned by this shard) for {@code watcher}; returns their current
   * records. When any of them is not visible to the watcher, nothing is registered.
   */
  public Lookup subscribeUsers(SessionLink watcher, Collection<String> userIds) {
    Lookup lookup = lookup(watcher.user(), watcher.role(), userIds);
    if (lookup.allowed()) {
      for (String id : userIds) {
        userWatchers.computeIfAbsent(new UserKey(watcher.user().tenant(), id), k -> new LinkedHashSet<>()).add(watcher);
      }
    }
    return lookup;
  }

  public void unsubscribeUsers(SessionLink watcher, Collection<String> userIds) {
    for (String id : userIds) {
      UserKey key = new UserKey(watcher.user().tenant(), id);
      Set<SessionLink> set = userWatchers.get(key);
      if (set != null && set.remove(watcher) && set.isEmpty()) {
        userWatchers.remove(key);
      }
    }
  }

  /** Watches this shard's part of a roster; returns its users that are not offline. */
  public List<PresenceRecord> subscribeRoster(SessionLink watcher, Role role) {
    Roster roster = new Roster(watcher.user().tenant(), role);
    rosterWatchers.computeIfAbsent(roster, k -> new LinkedHashSet<>()).add(watcher);
    return roster(roster);
  }

  public void unsubscribeRoster(SessionLink watcher, Role role) {
    Roster roster = new Roster(watcher.user().tenant(), role);
    Set<SessionLink> set = rosterWatchers.get(roster);
    if (set != null && set.remove(watcher) && set.isEmpty()) {
      rosterWatchers.remove(roster);
    }
  }

  /** The users of a roster in this shard that are not offline. */
  public List<PresenceRecord> roster(Roster roster) {
    Set<UserKey> keys = present.getOrDefault(roster, Set.of());
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
  public Lookup lookup(UserKey viewer, Role viewerRole, Collection<String> userIds) {
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


  public PresenceRecord record(UserKey key) {
    Entry e = users.get(key);
    return e == null ? PresenceRecord.unknown(key) : e.presence.record();
  }

  /** The record and the open sessions of a user, for a delivery. */
  public Target target(UserKey key) {
    Entry e = users.get(key);
    if (e == null) {
      return new Target(PresenceRecord.unknown(key), List.of(), List.of());
    }
    return new Target(e.presence.record(), List.copyOf(e.sessions), e.presence.remoteNodesWithSessions());
  }

  public int userCount() {
    return users.size();
  }

  public int idleWheelSize() {
    return wheel.size();
  }

  // ---- publishing -----------------------------------------------------------------------------

  private void publish(Entry e, Status before, SessionLink skip) {
    PresenceRecord record = e.presence.record();
    observer.transition(before, record);
    feed.publish(record);
    // The user's own sessions always hear their own changes (PROTOCOL.md §4).
    for (SessionLink s : e.sessions) {
      if (s != skip) {
        enqueue(s, record);
      }
    }
    Set<SessionLink> watchers = userWatchers.get(e.presence.key());
    if (watchers != null) {
      for (SessionLink w : watchers) {
        if (VisibilityPolicy.canSee(w.role(), record.role())) {
          enqueue(w, record);
        }
      }
    }
    if (record.role() != null) {
      Set<SessionLink> rosterSet = rosterWatchers.get(new Roster(record.tenant(), record.role()));
      if (rosterSet != null) {
        for (SessionLink w : rosterSet) {
          enqueue(w, record);
        }
      }
    }
  }

  private void enqueue(SessionLink to, PresenceRecord record) {
    List<PresenceRecord> pending = outbox.computeIfAbsent(to, k -> new ArrayList<>(4));
    // A watcher reached through several subscriptions hears each change once.
    if (!pending.isEmpty() && pending.get(pending.size() - 1) == record) {
      return;
    }
    pending.add(record);
    scheduleFlush();
  }

  private void scheduleFlush() {
    if (!flushScheduled) {
      flushScheduled = true;
      clock.runSoon(this::flush);
    }
  }

  /** Marks the user's local share for replication when it changed in a way other nodes need. */
  private void noteLocal(Entry e) {
    if (e.dirty || sink == ReplicationSink.NONE) {
      return;
    }
    Contribution now = e.presence.localContribution(clock.now());
    Contribution was = e.sent;
    boolean changed;
    if (was == null) {
      changed = now.present();
    } else {
      changed = was.sessions() != now.sessions() || was.lingering() != now.lingering() || was.active() != now.active()
          || was.role() != now.role() || now.lastActiveAt() - was.lastActiveAt() >= activityResolutionMs;
    }
    if (changed) {
      e.dirty = true;
      dirty.add(e);
      scheduleFlush();
    }
  }

  private void flushReplication() {
    if (dirty.isEmpty() && dirtyPreferences.isEmpty()) {
      return;
    }
    long now = clock.now();
    List<Contribution> out = new ArrayList<>(dirty.size());
    for (Entry e : dirty) {
      e.dirty = false;
      Contribution c = e.presence.localContribution(now);
      out.add(c);
      e.sent = c.present() ? c : null;
    }
    dirty.clear();
    List<Preference> prefs = dirtyPreferences.isEmpty() ? List.of() : List.copyOf(dirtyPreferences);
    dirtyPreferences.clear();
    sink.send(out, prefs);
  }

  /** Hands every pending batch to its session; runs once the current burst of work is done. */
  public void flush() {
    flushScheduled = false;
    flushReplication();
    if (outbox.isEmpty()) {
      return;
    }
    List<Map.Entry<SessionLink, List<PresenceRecord>>> batches = new ArrayList<>(outbox.entrySet());
    outbox.clear();
    for (Map.Entry<SessionLink, List<PresenceRecord>> b : batches) {
      b.getKey().deliver(b.getValue());
    }
  }

  /** Keeps the roster index right after a change that may have moved the role or the status. */
  private void reindex(Entry e, Role roleBefore) {
    if (roleBefore != null && roleBefore != e.presence.role()) {
      unlistPresent(e.presence.key(), roleBefore);
    }
    if (e.presence.status() == Status.OFFLINE) {
      unlistPresent(e.presence.key(), e.presence.role());
    } else {
      listPresent(e);
    }
  }

  private void listPresent(Entry e) {
    if (e.presence.role() != null && e.presence.status() != Status.OFFLINE) {
      present.computeIfAbsent(new Roster(e.presence.key().tenant(), e.presence.role()), k -> new LinkedHashSet<>())
          .add(e.presence.key());
    }
  }

  private void unlistPresent(UserKey key, Role role) {
    if (role == null) {
      return;
    }
    Roster roster = new Roster(key.tenant(), role);
    Set<UserKey> set = present.get(roster);
    if (set != null && set.remove(key) && set.isEmpty()) {
      present.remove(roster);
    }
  }
}
