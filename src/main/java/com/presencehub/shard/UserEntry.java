package com.presencehub.shard;

import com.presencehub.presence.Contribution;
import com.presencehub.presence.IdleWheel;
import com.presencehub.presence.RetentionWheel;
import com.presencehub.presence.UserPresence;
import java.util.ArrayList;
import java.util.List;

/** What a shard holds per user: the presence, its sessions here, its timers and bookkeeping. */
final class UserEntry extends RetentionWheel.Member implements IdleWheel.Member {
  final UserPresence presence;
  final List<SessionLink> sessions = new ArrayList<>(2);
  long graceTimer = -1;
  long untilTimer = -1;
  /** This node's share as last replicated; null when none was (or it was gone). */
  Contribution sent;
  /** Waiting in the {@link ShareOutbox} for the next flush. */
  boolean dirty;
  /** Epoch ms of the last change to the entry: the retention counts from it. */
  long changedAt;
  private long idleWheelTick = IdleWheel.UNSCHEDULED;

  UserEntry(UserPresence presence) {
    this.presence = presence;
  }

  @Override
  public long idleWheelTick() {
    return idleWheelTick;
  }

  @Override
  public void idleWheelTick(long tick) {
    idleWheelTick = tick;
  }
}
