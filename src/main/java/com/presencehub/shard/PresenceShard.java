package com.presencehub.shard;

import com.presencehub.presence.Contribution;
import com.presencehub.presence.IdleWheel;
import com.presencehub.presence.Preference;
import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.PresenceTimings;
import com.presencehub.presence.Reason;
import com.presencehub.presence.RetentionWheel;
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
 *
 * <p>Admission (PROTOCOL.md §3, §4): {@link #open} refuses a session whose role differs from the
 * user's open or in-grace sessions anywhere in the merged view, and one beyond
 * {@code maxSessionsPerUser}. Retention (§2): a record that nothing holds any more (offline, no
 * session, no other node's share, no preferred away) is forgotten {@code offlineRetentionMs}
 * after its last change, by a {@link RetentionWheel} advanced with the idle sweep.
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

  /** Why {@link #open} refused a session. */
  public enum Refusal {
    /** PROTOCOL.md §3: the user holds a session (open or in grace) with another role. */
    ROLE_CONFLICT,
    /** PROTOCOL.md §4: the user already holds {@code maxSessionsPerUser} sessions. */
    TOO_MANY_SESSIONS
  }

  /**
   * What {@link #open} did: the user's record for the welcome, or a refusal with a message for the
   * client (then nothing changed: the session is not registered and the shard holds nothing new).
   */
  public record Opened(PresenceRecord record, Refusal refusal, String message) {
    static Opened refused(Refusal refusal, String message) {
      return new Opened(null, refusal, message);
    }

    public boolean refused() {
      return refusal != null;
    }
  }

  private static final class Entry extends RetentionWheel.Member {
    final UserPresence presence;
    final List<SessionLink> sessions = new ArrayList<>(2);
    long graceTimer = -1;
    long untilTimer = -1;
    /** This node's share as last replicated; null when none was (or it was gone). */
    Contribution sent;
    boolean dirty;
    /** Epoch ms of the last change to the entry: the retention counts from it. */
    long changedAt;

    Entry(UserPresence presence) {
      this.presence = presence;
    }
  }

  private final PresenceTimings timings;
  private final ShardClock clock;
  private final ShardObserver observer;
  private final IdleWheel wheel;
  private final RetentionWheel<Entry> retention;
  private long forgotten;
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
    // About 1/1024 of the retention per slot (at least a sweep): a record goes at most two slots
    // late, and the ring stays small whatever the retention.
    long retentionTick = Math.max(sweepTickMs, timings.offlineRetentionMs() / 1024);
    this.retention = new RetentionWheel<>(retentionTick, timings.offlineRetentionMs(), clock.now());
  }

  // ---- sessions -------------------------------------------------------------------------------

  /**
   * A session of a user opened (after auth). Returns the user's record for the welcome, or a
   * refusal when the user holds a session of another role, open or in its grace, here or on
   * another node as replicated so far (§3), or already {@code maxSessionsPerUser} open sessions
   * cluster-wide (§4). A refused session is not registered: its later {@link #close} is a no-op.
   */
  public Opened open(SessionLink session) {
    long now = clock.now();
    Entry e = users.get(session.user());
    if (e != null) {
      Role held = e.presence.conflictingRole(session.role());
      if (held != null) {
        return Opened.refused(Refusal.ROLE_CONFLICT, "role conflict: user " + session.user().user() + " has a session as "
            + held.wire() + "; a session as " + wire(session.role()) + " is refused until the user is offline (one role per user)");
      }
      int open = e.presence.sessionsAnywhere();
      if (open >= timings.maxSessionsPerUser()) {
        return Opened.refused(Refusal.TOO_MANY_SESSIONS, "user " + session.user().user() + " already has " + open
            + " open sessions: the limit is " + timings.maxSessionsPerUser() + " (maxSessionsPerUser)");
      }
    } else {
      e = new Entry(new UserPresence(session.user(), session.role(), timings));
      users.put(session.user(), e);
    }
    cancelGrace(e);
    Status before = e.presence.status();
    Reason reasonBefore = e.presence.reason();
    Role roleBefore = e.presence.role();
    e.sessions.add(session);
    e.presence.sessionOpened(session.role(), now);
    armIdle(e);
    // Without a conflict the role only changes here for a user that is offline: its watchers
    // already heard the old role's offline.
    publishChange(e, before, reasonBefore, roleBefore, session);
    reindex(e, roleBefore);
    noteLocal(e);
    touch(e);
    return new Opened(e.presence.record(), null, null);
  }

  private static String wire(Role role) {
    return role == null ? "none" : role.wire();
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
    Role roleBefore = e.presence.role();
    UserPresence.CloseOutcome outcome = e.presence.sessionClosed(bye, clock.now());
    if (outcome == UserPresence.CloseOutcome.GRACE_STARTED) {
      UserKey key = e.presence.key();
      e.graceTimer = clock.schedule(timings.offlineGraceMs(), () -> graceExpired(key));
      // Closing re-derives the status: an idle deadline (or an until) that passed before the sweep
      // (or timer) saw it shows now, and watchers must hear it before the offline.
      if (publishChange(e, before, reasonBefore, roleBefore, null)) {
        armIdle(e);
      }
    } else {
      publishChange(e, before, reasonBefore, roleBefore, null);
    }
    reindex(e, roleBefore);
    noteLocal(e);
    touch(e);
  }

  private void graceExpired(UserKey key) {
    Entry e = users.get(key);
    if (e == null) {
      return;
    }
    e.graceTimer = -1;
    Status before = e.presence.status();
    Reason reasonBefore = e.presence.reason();
    Role roleBefore = e.presence.role();
    e.presence.graceExpired(clock.now());
    publishChange(e, before, reasonBefore, roleBefore, null);
    reindex(e, roleBefore);
    noteLocal(e);
    touch(e);
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
    touch(e);
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
      touch(e);
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
    touch(e);
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
      publishChange(e, before, reasonBefore, roleBefore, null);
      reindex(e, roleBefore);
      touch(e);
    }
  }

  // ---- idle -----------------------------------------------------------------------------------

  /**
   * The periodic sweep: every user whose idle deadline passed turns away, and every record that
   * nothing has held for {@code offlineRetentionMs} is forgotten (§2 Retention).
   */
  public void sweep() {
    long now = clock.now();
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

  /** Records waiting for their retention to run out (or to be found in use again). */
  public int retentionWheelSize() {
    return retention.size();
  }

  /** Records forgotten by retention since the shard started. */
  public long forgottenCount() {
    return forgotten;
  }

  /** Users listed in this shard's roster index (those that are not offline), all rosters. */
  public int presentCount() {
    int n = 0;
    for (Set<UserKey> set : present.values()) {
      n += set.size();
    }
    return n;
  }

  /** Users that sessions of this shard watch by id (subscriptions, not records). */
  public int watchedUserCount() {
    return userWatchers.size();
  }

  // ---- retention ------------------------------------------------------------------------------

  /** Notes a change to the entry; once nothing holds it, its retention starts (again) from now. */
  private void touch(Entry e) {
    e.changedAt = clock.now();
    if (forgettable(e)) {
      retention.schedule(e, e.changedAt + timings.offlineRetentionMs());
    }
  }

  private static boolean forgettable(Entry e) {
    return e.sessions.isEmpty() && e.graceTimer == -1 && e.presence.forgettable();
  }

  /** The user answers like one never seen from now on (§2): its record and timers go. */
  private void forget(Entry e) {
    UserKey key = e.presence.key();
    users.remove(key);
    if (e.untilTimer != -1) {
      clock.cancel(e.untilTimer);
      e.untilTimer = -1;
    }
    unlistPresent(key, e.presence.role());
    forgotten++;
  }

  // ---- publishing -----------------------------------------------------------------------------

  /**
   * Publishes what a change did to the user's record; returns whether anything was published.
   * When the role changed while the user was not offline (only the race of §3: two nodes admitted
   * sessions of different roles within the propagation delay, and the merged view now shows the
   * other one), everyone who could see the old record first hears it go offline, so no watcher
   * keeps a record of a role the user no longer has.
   */
  private boolean publishChange(Entry e, Status before, Reason reasonBefore, Role roleBefore, SessionLink skip) {
    Role role = e.presence.role();
    if (roleBefore != null && role != roleBefore && before != Status.OFFLINE) {
      PresenceRecord current = e.presence.record();
      PresenceRecord gone = new PresenceRecord(current.tenant(), current.user(), roleBefore, Status.OFFLINE,
          Reason.DISCONNECTED, clock.now(), current.lastActiveAt());
      emit(e, before, gone, skip);
      if (current.status() != Status.OFFLINE) {
        emit(e, Status.OFFLINE, current, skip);
      }
      return true;
    }
    if (e.presence.status() != before || e.presence.reason() != reasonBefore) {
      publish(e, before, skip);
      return true;
    }
    return false;
  }

  private void publish(Entry e, Status before, SessionLink skip) {
    emit(e, before, e.presence.record(), skip);
  }

  private void emit(Entry e, Status before, PresenceRecord record, SessionLink skip) {
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
