package com.presencehub.shard;

import com.presencehub.presence.Contribution;
import com.presencehub.presence.IdleWheel;
import com.presencehub.presence.Preference;
import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.PresenceTimings;
import com.presencehub.presence.RetentionWheel;
import com.presencehub.presence.Role;
import com.presencehub.presence.Status;
import com.presencehub.presence.UserKey;
import com.presencehub.presence.UserPresence;
import com.presencehub.presence.VisibilityPolicy;
import java.util.Collection;
import java.util.List;

/**
 * The owner of a share of the users: their presence, their sessions and timers, and the idle
 * wheel; who hears their changes is {@link Watchers}, what other nodes must learn is {@link
 * ShareOutbox}. Every method runs on one thread (the shard's event loop), so nothing here locks.
 *
 * <p>Changes are not written to watchers one by one: they collect in an outbox that is flushed
 * once the shard's queue of work is drained, so a storm of transitions reaches each watcher as a
 * few batched deliveries. A change is published when {@link UserPresence} says its record changed.
 *
 * <p>Admission (PROTOCOL.md §3, §4): {@link #open} refuses a session whose role differs from the
 * user's open or in-grace sessions anywhere in the merged view, and one beyond
 * {@code maxSessionsPerUser}. Retention (§2): a record that nothing holds any more (offline, no
 * session, no other node's share, no preferred away) is forgotten {@code offlineRetentionMs}
 * after its last change, by a {@link RetentionWheel} advanced with the idle sweep.
 */
public final class PresenceShard {

  private final PresenceTimings timings;
  private final ShardClock clock;
  private final IdleWheel<UserEntry> wheel;
  private final Watchers watchers = new Watchers();
  private final UserTable users;
  private final ShareOutbox shares;
  private final Fanout fanout;

  public PresenceShard(PresenceTimings timings, long sweepTickMs, ShardClock clock, ShardObserver observer) {
    this(timings, sweepTickMs, clock, observer, ReplicationSink.NONE, ChangeFeed.NONE);
  }

  public PresenceShard(PresenceTimings timings, long sweepTickMs, ShardClock clock, ShardObserver observer,
      ReplicationSink sink, ChangeFeed feed) {
    this.timings = timings;
    this.clock = clock;
    this.shares = new ShareOutbox(sink, timings.idleTimeoutMs());
    this.fanout = new Fanout(clock, observer, feed, watchers, shares);
    this.wheel = new IdleWheel<>(sweepTickMs, timings.idleTimeoutMs(), clock.now());
    this.users = new UserTable(timings, sweepTickMs, clock, watchers);
  }

  // ---- sessions -------------------------------------------------------------------------------

  /**
   * A session of a user opened (after auth). Returns the user's record for the welcome, or a
   * refusal when the user holds a session of another role, open or in its grace, here or on
   * another node as replicated so far (§3), or already {@code maxSessionsPerUser} open sessions
   * cluster-wide (§4). A refused session is not registered: its later {@link #close} is a no-op.
   */
  public Opened open(SessionLink session) {
    UserEntry e = users.get(session.user());
    if (e != null) {
      Opened refused = Opened.refusal(e.presence, session.role(), timings.maxSessionsPerUser());
      if (refused != null) {
        return refused;
      }
    } else {
      e = users.getOrCreate(session.user(), session.role());
    }
    cancelGrace(e);
    Status before = e.presence.status();
    Role roleBefore = e.presence.role();
    e.sessions.add(session);
    boolean changed = e.presence.sessionOpened(session.role(), clock.now());
    armIdle(e);
    // Without a conflict the role only changes here for a user that is offline: its watchers
    // already heard the old role's offline.
    fanout.change(e, changed, before, roleBefore, session);
    settled(e, roleBefore);
    return new Opened(e.presence.record(), null, null);
  }

  /** Activity on a session at {@code at} (already corrected for {@code idleMs}). O(1). */
  public void activity(SessionLink session, long at) {
    UserEntry e = users.get(session.user());
    if (e == null || e.presence.sessions() == 0) {
      return;
    }
    Status before = e.presence.status();
    if (e.presence.activity(at, clock.now())) {
      fanout.publish(e, before, null);
    }
    armIdle(e);
    fanout.noteLocal(e);
  }

  /** A session ended: with {@code bye} on purpose, otherwise abruptly (grace applies). */
  public void close(SessionLink session, boolean bye) {
    UserEntry e = users.get(session.user());
    if (e == null || !e.sessions.remove(session)) {
      return;
    }
    Status before = e.presence.status();
    Role roleBefore = e.presence.role();
    UserPresence.Closed closed = e.presence.closeSession(bye, clock.now());
    if (closed.outcome() == UserPresence.CloseOutcome.GRACE_STARTED) {
      UserKey key = e.presence.key();
      e.graceTimer = clock.schedule(timings.offlineGraceMs(), () -> graceExpired(key));
      // Closing re-derives the status: an idle deadline (or an until) that passed before the sweep
      // (or timer) saw it shows now, and watchers must hear it before the offline.
      if (fanout.change(e, closed.changed(), before, roleBefore, null)) {
        armIdle(e);
      }
    } else {
      fanout.change(e, closed.changed(), before, roleBefore, null);
    }
    settled(e, roleBefore);
  }

  private void graceExpired(UserKey key) {
    UserEntry e = users.get(key);
    if (e == null) {
      return;
    }
    e.graceTimer = -1;
    Status before = e.presence.status();
    Role roleBefore = e.presence.role();
    boolean changed = e.presence.graceExpired(clock.now());
    fanout.change(e, changed, before, roleBefore, null);
    settled(e, roleBefore);
  }

  private void cancelGrace(UserEntry e) {
    if (e.graceTimer != -1) {
      clock.cancel(e.graceTimer);
      e.graceTimer = -1;
    }
  }

  /** After a change of sessions: the roster index, replication and retention follow it. */
  private void settled(UserEntry e, Role roleBefore) {
    reindex(e, roleBefore);
    fanout.noteLocal(e);
    users.touch(e);
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
    UserEntry e = users.get(key);
    if (e == null) {
      throw new IllegalStateException("unknown user " + key);
    }
    long now = clock.now();
    Status before = e.presence.status();
    Preference p = e.presence.newPreference(away, until, shares.node(), now);
    afterPreference(e, e.presence.applyPreference(p, now), before);
    shares.preference(p);
    fanout.scheduleFlush();
    users.touch(e);
    return e.presence.record();
  }

  /** Preferences written on other nodes (latest write wins). */
  public void applyPreferences(List<Preference> preferences) {
    long now = clock.now();
    for (Preference p : preferences) {
      UserEntry e = users.getOrCreate(p.user(), null);
      Status before = e.presence.status();
      Role roleBefore = e.presence.role();
      boolean changed = e.presence.applyPreference(p, now);
      if (changed || e.presence.preference() == p) {
        afterPreference(e, changed, before);
        reindex(e, roleBefore);
      }
      users.touch(e);
    }
  }

  private void afterPreference(UserEntry e, boolean changed, Status before) {
    if (e.untilTimer != -1) {
      clock.cancel(e.untilTimer);
      e.untilTimer = -1;
    }
    Preference p = e.presence.preference();
    if (p.away() && p.until() != UserPresence.NEVER) {
      UserKey key = e.presence.key();
      e.untilTimer = clock.schedule(Math.max(0, p.until() - clock.now()), () -> preferredLapsed(key));
    }
    if (changed) {
      fanout.publish(e, before, null);
    }
    armIdle(e);
  }

  private void preferredLapsed(UserKey key) {
    UserEntry e = users.get(key);
    if (e == null) {
      return;
    }
    e.untilTimer = -1;
    Status before = e.presence.status();
    if (e.presence.recompute(clock.now())) {
      fanout.publish(e, before, null);
    }
    armIdle(e);
    users.touch(e);
  }

  public Preference preference(UserKey key) {
    UserEntry e = users.get(key);
    return e == null ? Preference.none(key) : e.presence.preference();
  }

  // ---- other nodes' shares --------------------------------------------------------------------

  /** Another node's shares of some of this shard's users changed (a share not present is gone). */
  public void applyRemote(String node, List<Contribution> contributions) {
    long now = clock.now();
    for (Contribution c : contributions) {
      UserEntry e = c.present() ? users.getOrCreate(c.user(), c.role()) : users.get(c.user());
      if (e == null) {
        continue;
      }
      Status before = e.presence.status();
      Role roleBefore = e.presence.role();
      boolean changed = e.presence.applyRemote(node, c, now);
      fanout.change(e, changed, before, roleBefore, null);
      reindex(e, roleBefore);
      users.touch(e);
    }
  }

  // ---- idle and retention -----------------------------------------------------------------------

  /**
   * The periodic sweep: every user whose idle deadline passed turns away, and every record that
   * nothing has held for {@code offlineRetentionMs} is forgotten (§2 Retention).
   */
  public void sweep() {
    long now = clock.now();
    users.expire(now);
    wheel.advance(now, e -> {
      if (users.get(e.presence.key()) != e) {
        return;
      }
      Status before = e.presence.status();
      if (e.presence.recompute(now)) {
        fanout.publish(e, before, null);
      }
      armIdle(e);
      fanout.noteLocal(e);
    });
  }

  /**
   * Keeps the user in the wheel while this node's own sessions keep it active: the local share's
   * {@code active} must turn false on time even while the user shows away (preferred) or online
   * through another node.
   */
  private void armIdle(UserEntry e) {
    if (e.presence.localActive(clock.now())) {
      wheel.schedule(e, e.presence.idleDeadline());
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
      watchers.watchUsers(watcher, userIds);
    }
    return lookup;
  }

  public void unsubscribeUsers(SessionLink watcher, Collection<String> userIds) {
    watchers.unwatchUsers(watcher, userIds);
  }

  /** Watches this shard's part of a roster; returns its users that are not offline. */
  public List<PresenceRecord> subscribeRoster(SessionLink watcher, Role role) {
    return roster(watchers.watchRoster(watcher, role));
  }

  public void unsubscribeRoster(SessionLink watcher, Role role) {
    watchers.unwatchRoster(watcher, role);
  }

  /** The users of a roster in this shard that are not offline. */
  public List<PresenceRecord> roster(Roster roster) {
    return users.records(watchers.present(roster));
  }

  /**
   * Current records of users of this shard, as {@code viewer} (of role {@code viewerRole}) may see
   * them: anyone may see themselves; otherwise {@link VisibilityPolicy} decides.
   */
  public Lookup lookup(UserKey viewer, Role viewerRole, Collection<String> userIds) {
    return users.lookup(viewer, viewerRole, userIds);
  }

  public PresenceRecord record(UserKey key) {
    return users.record(key);
  }

  /** The record and the open sessions of a user, for a delivery. */
  public Target target(UserKey key) {
    return users.target(key);
  }

  /** What this shard holds now (see {@link ShardStats}). */
  public ShardStats stats() {
    return new ShardStats(users.size(), wheel.size(), users.retentionSize(), users.forgotten(), watchers.presentCount(),
        watchers.watchedUserCount());
  }

  // ---- publishing -----------------------------------------------------------------------------

  /** Hands every pending batch to its session; runs once the current burst of work is done. */
  public void flush() {
    fanout.flush();
  }

  /** Keeps the roster index right after a change that may have moved the role or the status. */
  private void reindex(UserEntry e, Role roleBefore) {
    watchers.reindex(e.presence.key(), roleBefore, e.presence.role(), e.presence.status());
  }
}
