package com.presencehub.presence;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One user's presence state machine (PROTOCOL.md §2), aggregated over all of the user's sessions:
 * the ones on this node (counted here) and the ones on other nodes (their {@link Contribution}s).
 * The preferred away is a {@link Preference}: cluster-wide, latest write wins.
 *
 * <p>Plain Java, no clock of its own: every method takes {@code now} so that the owner (one event
 * loop) decides the time and tests can run the rules exhaustively. Each mutator returns whether the
 * published record (status or reason) changed; activity that keeps a user online changes nothing
 * that is published.
 */
public final class UserPresence {

  /** "No time": no activity seen yet, or no lapse time for a preferred away. */
  public static final long NEVER = Long.MIN_VALUE;

  /** What ending a session did to the user. */
  public enum CloseOutcome {
    /** Other sessions remain: nothing changes. */
    STILL_CONNECTED,
    /** The last session ended abruptly: offline only after the grace, unless a session opens. */
    GRACE_STARTED,
    /** The last session ended with {@code bye}: offline now. */
    OFFLINE_NOW
  }

  private final UserKey key;
  private final PresenceTimings timings;
  private Role role;
  private int sessions;
  private long lastActiveAt = NEVER;
  private boolean preferredAway;
  private long preferredUntil = NEVER;
  private Preference preference;
  private boolean lingering;
  /** Other nodes' shares, by node; null while there are none (the common case). */
  private Map<String, Contribution> remote;
  /** The latest activity seen through shares that are gone: offline records still show it. */
  private long remoteLastActiveAt = NEVER;

  private Status status = Status.OFFLINE;
  private Reason reason = Reason.DISCONNECTED;
  private long since = NEVER;

  /** Slot bookkeeping for {@link IdleWheel}; {@code IdleWheel.UNSCHEDULED} when not in the wheel. */
  long wheelTick = IdleWheel.UNSCHEDULED;

  public UserPresence(UserKey key, Role role, PresenceTimings timings) {
    this.key = key;
    this.role = role;
    this.timings = timings;
    this.preference = Preference.none(key);
  }

  public boolean sessionOpened(Role sessionRole, long now) {
    if (sessionRole != null) {
      role = sessionRole;
    }
    sessions++;
    lingering = false;
    // Opening a session counts as activity (§2).
    lastActiveAt = Math.max(lastActiveAt, now);
    return recompute(now);
  }

  /**
   * Activity seen at {@code at} (which is {@code now - idleMs} for desktop clients reporting OS
   * idle time). Activity never moves backwards and never lies in the future.
   */
  public boolean activity(long at, long now) {
    long seen = Math.min(at, now);
    if (seen > lastActiveAt) {
      lastActiveAt = seen;
    }
    return recompute(now);
  }

  public CloseOutcome sessionClosed(boolean bye, long now) {
    if (sessions == 0) {
      throw new IllegalStateException("no session of " + key + " is open");
    }
    sessions--;
    if (sessions > 0) {
      return CloseOutcome.STILL_CONNECTED;
    }
    lingering = !bye && timings.offlineGraceMs() > 0;
    recompute(now);
    return lingering ? CloseOutcome.GRACE_STARTED : CloseOutcome.OFFLINE_NOW;
  }

  /** The grace after an abrupt close ran out without a new session: offline now. */
  public boolean graceExpired(long now) {
    if (!lingering) {
      return false;
    }
    lingering = false;
    return recompute(now);
  }

  /** A tech chose Away; {@code until} is {@link #NEVER} for "until I say otherwise". */
  public boolean preferAway(long until, long now) {
    if (role != Role.TECH) {
      throw new IllegalStateException("only a tech can prefer away");
    }
    return applyPreference(new Preference(key, true, until, nextStamp(now), preference.node()), now);
  }

  /** A tech set {@code online} again: presence follows activity. */
  public boolean clearPreferredAway(long now) {
    return applyPreference(new Preference(key, false, NEVER, nextStamp(now), preference.node()), now);
  }

  /** A stamp later than every write seen so far, so a local write always wins over the past. */
  private long nextStamp(long now) {
    return preference.stamp() == Long.MIN_VALUE ? now : Math.max(now, preference.stamp() + 1);
  }

  /**
   * Sets the preference as written on node {@code node} at {@code now}; returns the write, to be
   * replicated. Stamps increase strictly, so this write wins over every one seen before.
   */
  public Preference writePreference(boolean away, long until, String node, long now) {
    if (away && role != Role.TECH) {
      throw new IllegalStateException("only a tech can prefer away");
    }
    Preference p = new Preference(key, away, away ? until : NEVER, nextStamp(now), node);
    applyPreference(p, now);
    return p;
  }

  /** A preference written anywhere in the cluster; applied only if newer than the one held. */
  public boolean applyPreference(Preference p, long now) {
    if (!p.newerThan(preference)) {
      return false;
    }
    preference = p;
    preferredAway = p.away();
    preferredUntil = p.away() ? p.until() : NEVER;
    return recompute(now);
  }

  public Preference preference() {
    return preference;
  }

  // ---- other nodes' shares ----------------------------------------------------------------------

  /** Another node's share changed; a share that is not {@link Contribution#present()} is forgotten. */
  public boolean applyRemote(String node, Contribution c, long now) {
    if (c.present()) {
      if (remote == null) {
        remote = new HashMap<>(4);
      }
      remote.put(node, c);
    } else if (remote != null) {
      Contribution old = remote.remove(node);
      if (old != null) {
        remoteLastActiveAt = Math.max(remoteLastActiveAt, old.lastActiveAt());
      }
      if (remote.isEmpty()) {
        remote = null;
      }
    }
    return recompute(now);
  }

  /**
   * The role of the shares on other nodes: they agree, except in the race of §3 (two sessions
   * with different roles opened on two nodes within the propagation delay); then the share of the
   * smallest node id decides, so that every node that sees only remote shares shows the same role.
   */
  private Role remoteRole() {
    String first = null;
    Role r = role;
    for (Map.Entry<String, Contribution> e : remote.entrySet()) {
      if (e.getValue().role() != null && (first == null || e.getKey().compareTo(first) < 0)) {
        first = e.getKey();
        r = e.getValue().role();
      }
    }
    return r;
  }

  // ---- admission (PROTOCOL.md §3 one role per user, §4 sessions per user) ------------------------

  /**
   * The role that a new session with {@code wanted} would conflict with: the role of a session of
   * the user that is open or in its grace, here or on another node (as replicated), when it is not
   * {@code wanted}; {@code null} when there is no conflict (no such session, or the same role).
   */
  public Role conflictingRole(Role wanted) {
    if ((sessions > 0 || lingering) && role != null && role != wanted) {
      return role;
    }
    if (remote != null) {
      for (Contribution c : remote.values()) {
        if (c.role() != null && c.role() != wanted) {
          return c.role();
        }
      }
    }
    return null;
  }

  /** Open sessions of the user on this node plus those other nodes replicated (not the in-grace ones). */
  public int sessionsAnywhere() {
    int n = sessions;
    if (remote != null) {
      for (Contribution c : remote.values()) {
        n += c.sessions();
      }
    }
    return n;
  }

  /**
   * Whether nothing holds the user any more: offline, no session or grace here, no share of another
   * node. Such a record only answers "last seen" and may be forgotten after the retention (§2).
   */
  public boolean forgettable() {
    // A preferred away that has not lapsed is cluster-wide state that the cluster layer keeps for
    // every node (a node joining later would bring it back): it keeps the record, so that every
    // node answers the same when the tech returns. Such records are bounded by the techs.
    return status == Status.OFFLINE && sessions == 0 && !lingering && remote == null && !preferredAway;
  }

  public Contribution remote(String node) {
    return remote == null ? null : remote.get(node);
  }

  /** Nodes other than this one that hold an open session of the user (delivery targets). */
  public List<String> remoteNodesWithSessions() {
    if (remote == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>(remote.size());
    for (Map.Entry<String, Contribution> e : remote.entrySet()) {
      if (e.getValue().sessions() > 0) {
        out.add(e.getKey());
      }
    }
    return out;
  }

  /** This node's own share, as other nodes should see it at {@code now}. */
  public Contribution localContribution(long now) {
    return new Contribution(key, role, sessions, lingering, localActive(now), lastActiveAt);
  }

  /** Whether this node's own sessions (or their grace) keep the user active at {@code now}. */
  public boolean localActive(long now) {
    return (sessions > 0 || lingering) && lastActiveAt != NEVER && now - lastActiveAt < timings.idleTimeoutMs();
  }

  /**
   * Derives status and reason from the state at {@code now} (§2 table). Also called when a
   * deadline (idle, preferred-away lapse) may have passed.
   */
  public boolean recompute(long now) {
    if (sessions == 0 && !lingering && remote != null) {
      role = remoteRole();
    }
    if (preferredAway && preferredUntil != NEVER && now >= preferredUntil) {
      preferredAway = false;
      preferredUntil = NEVER;
    }
    Status s;
    Reason r;
    long startedAt = now;
    boolean localPresent = sessions > 0 || lingering;
    if (!localPresent && remote == null) {
      s = Status.OFFLINE;
      r = Reason.DISCONNECTED;
    } else if (preferredAway && role == Role.TECH) {
      // A preference is a tech's (§2): a user whose role changed (only ever while offline, §3)
      // does not carry it over as a client.
      s = Status.AWAY;
      r = Reason.PREFERRED;
    } else {
      boolean active = localActive(now);
      long last = localPresent ? lastActiveAt : NEVER;
      if (remote != null) {
        for (Contribution c : remote.values()) {
          active |= c.active();
          last = Math.max(last, c.lastActiveAt());
        }
      }
      if (active) {
        s = Status.ONLINE;
        r = Reason.ACTIVE;
      } else {
        s = Status.AWAY;
        r = Reason.INACTIVE;
        if (last != NEVER) {
          // The user went away when the idle time ran out, not when we noticed.
          startedAt = Math.min(now, last + timings.idleTimeoutMs());
        }
      }
    }
    if (s == status && r == reason) {
      return false;
    }
    if (s != status || since == NEVER) {
      since = startedAt;
    }
    status = s;
    reason = r;
    return true;
  }

  /** When an online user turns away if nothing else happens. */
  public long idleDeadline() {
    return lastActiveAt == NEVER ? NEVER : lastActiveAt + timings.idleTimeoutMs();
  }

  public PresenceRecord record() {
    long last = Math.max(lastActiveAt, remoteLastActiveAt);
    if (remote != null) {
      for (Contribution c : remote.values()) {
        last = Math.max(last, c.lastActiveAt());
      }
    }
    return new PresenceRecord(
        key.tenant(),
        key.user(),
        role,
        status,
        reason,
        since == NEVER ? null : since,
        last == NEVER ? null : last);
  }

  public UserKey key() {
    return key;
  }

  public Role role() {
    return role;
  }

  public Status status() {
    return status;
  }

  public Reason reason() {
    return reason;
  }

  public int sessions() {
    return sessions;
  }

  public boolean lingering() {
    return lingering;
  }

  public boolean preferredAway() {
    return preferredAway;
  }

  public long preferredUntil() {
    return preferredUntil;
  }

  public long lastActiveAt() {
    return lastActiveAt;
  }
}
