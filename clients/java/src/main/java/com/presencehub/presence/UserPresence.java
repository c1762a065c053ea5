package com.presencehub.presence;

import java.util.List;

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

  /** What ending a session did: the outcome, and whether the published record changed. */
  public record Closed(CloseOutcome outcome, boolean changed) { }

  private final UserKey key;
  private final PresenceTimings timings;
  private Role role;
  private int sessions;
  private long lastActiveAt = NEVER;
  private boolean preferredAway;
  private long preferredUntil = NEVER;
  private Preference preference;
  private boolean lingering;
  /** Other nodes' shares of the user. */
  private final RemoteShares remote = new RemoteShares();

  private Status status = Status.OFFLINE;
  private Reason reason = Reason.DISCONNECTED;
  private long since = NEVER;

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
    return closeSession(bye, now).outcome();
  }

  /** A session ended: with {@code bye} on purpose, otherwise abruptly (then the grace applies). */
  public Closed closeSession(boolean bye, long now) {
    if (sessions == 0) {
      throw new IllegalStateException("no session of " + key + " is open");
    }
    sessions--;
    if (sessions > 0) {
      return new Closed(CloseOutcome.STILL_CONNECTED, false);
    }
    lingering = !bye && timings.offlineGraceMs() > 0;
    boolean changed = recompute(now);
    return new Closed(lingering ? CloseOutcome.GRACE_STARTED : CloseOutcome.OFFLINE_NOW, changed);
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
    Preference p = newPreference(away, until, node, now);
    applyPreference(p, now);
    return p;
  }

  /** A write of the preference on {@code node} at {@code now} that wins over every one seen; not applied yet. */
  public Preference newPreference(boolean away, long until, String node, long now) {
    if (away && role != Role.TECH) {
      throw new IllegalStateException("only a tech can prefer away");
    }
    return new Preference(key, away, away ? until : NEVER, nextStamp(now), node);
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
    remote.apply(node, c);
    return recompute(now);
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
    return remote.otherRole(wanted);
  }

  /** Open sessions of the user on this node plus those other nodes replicated (not the in-grace ones). */
  public int sessionsAnywhere() {
    return sessions + remote.sessions();
  }

  /**
   * Whether nothing holds the user any more: offline, no session or grace here, no share of another
   * node. Such a record only answers "last seen" and may be forgotten after the retention (§2).
   */
  public boolean forgettable() {
    // A preferred away that has not lapsed is cluster-wide state that the cluster layer keeps for
    // every node (a node joining later would bring it back): it keeps the record, so that every
    // node answers the same when the tech returns. Such records are bounded by the techs.
    return status == Status.OFFLINE && sessions == 0 && !lingering && !remote.any() && !preferredAway;
  }

  public Contribution remote(String node) {
    return remote.of(node);
  }

  /** Nodes other than this one that hold an open session of the user (delivery targets). */
  public List<String> remoteNodesWithSessions() {
    return remote.nodesWithSessions();
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
    if (sessions == 0 && !lingering && remote.any()) {
      role = remote.role(role);
    }
    if (preferredAway && preferredUntil != NEVER && now >= preferredUntil) {
      preferredAway = false;
      preferredUntil = NEVER;
    }
    Status s;
    Reason r;
    long startedAt = now;
    boolean localPresent = sessions > 0 || lingering;
    if (!localPresent && !remote.any()) {
      s = Status.OFFLINE;
      r = Reason.DISCONNECTED;
    } else if (preferredAway && role == Role.TECH) {
      // A preference is a tech's (§2): a user whose role changed (only ever while offline, §3)
      // does not carry it over as a client.
      s = Status.AWAY;
      r = Reason.PREFERRED;
    } else {
      long last = remote.lastActiveAt(localPresent ? lastActiveAt : NEVER);
      if (localActive(now) || remote.active()) {
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
    long last = remote.lastActiveAtEver(lastActiveAt);
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
