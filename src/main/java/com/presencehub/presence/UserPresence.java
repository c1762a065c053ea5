package com.presencehub.presence;

/**
 * One user's presence state machine (PROTOCOL.md §2), aggregated over all of the user's sessions.
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
  private boolean lingering;

  private Status status = Status.OFFLINE;
  private Reason reason = Reason.DISCONNECTED;
  private long since = NEVER;

  /** Slot bookkeeping for {@link IdleWheel}; {@code IdleWheel.UNSCHEDULED} when not in the wheel. */
  long wheelTick = IdleWheel.UNSCHEDULED;

  public UserPresence(UserKey key, Role role, PresenceTimings timings) {
    this.key = key;
    this.role = role;
    this.timings = timings;
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
    preferredAway = true;
    preferredUntil = until;
    return recompute(now);
  }

  /** A tech set {@code online} again: presence follows activity. */
  public boolean clearPreferredAway(long now) {
    preferredAway = false;
    preferredUntil = NEVER;
    return recompute(now);
  }

  /**
   * Derives status and reason from the state at {@code now} (§2 table). Also called when a
   * deadline (idle, preferred-away lapse) may have passed.
   */
  public boolean recompute(long now) {
    if (preferredAway && preferredUntil != NEVER && now >= preferredUntil) {
      preferredAway = false;
      preferredUntil = NEVER;
    }
    Status s;
    Reason r;
    long startedAt = now;
    if (sessions == 0 && !lingering) {
      s = Status.OFFLINE;
      r = Reason.DISCONNECTED;
    } else if (preferredAway) {
      s = Status.AWAY;
      r = Reason.PREFERRED;
    } else if (lastActiveAt == NEVER || now - lastActiveAt >= timings.idleTimeoutMs()) {
      s = Status.AWAY;
      r = Reason.INACTIVE;
      if (lastActiveAt != NEVER) {
        // The user went away when the idle time ran out, not when we noticed.
        startedAt = lastActiveAt + timings.idleTimeoutMs();
      }
    } else {
      s = Status.ONLINE;
      r = Reason.ACTIVE;
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
    return new PresenceRecord(
        key.tenant(),
        key.user(),
        role,
        status,
        reason,
        since == NEVER ? null : since,
        lastActiveAt == NEVER ? null : lastActiveAt);
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
