package com.presencehub.shard;

import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.Reason;
import com.presencehub.presence.Role;
import com.presencehub.presence.Status;

/**
 * How a shard's changes leave it: each published record goes to the {@link ShardObserver}, the
 * {@link ChangeFeed} and, batched per session, to the audience {@link Watchers} computes; the
 * batches (and the {@link ShareOutbox}) are flushed once the shard's queue of work is drained, so
 * a storm of transitions reaches each watcher as a few batched deliveries, handed to each session
 * loop as one task ({@link DeliveryPlan}). Shard thread only.
 */
final class Fanout {

  private final ShardClock clock;
  private final ShardObserver observer;
  private final ChangeFeed feed;
  private final Watchers watchers;
  private final ShareOutbox shares;
  private final DeliveryPlan outbox = new DeliveryPlan();
  private boolean flushScheduled;

  Fanout(ShardClock clock, ShardObserver observer, ChangeFeed feed, Watchers watchers, ShareOutbox shares) {
    this.clock = clock;
    this.observer = observer;
    this.feed = feed;
    this.watchers = watchers;
    this.shares = shares;
  }

  /**
   * Publishes a change that {@link com.presencehub.presence.UserPresence} reported ({@code
   * changed}, status before {@code before}); returns whether anything was published. When the role
   * changed while the user was not offline (only the race of §3: two nodes admitted sessions of
   * different roles within the propagation delay, and the merged view now shows the other one),
   * everyone who could see the old record first hears it go offline, so no watcher keeps a record
   * of a role the user no longer has.
   */
  boolean change(UserEntry e, boolean changed, Status before, Role roleBefore, SessionLink skip) {
    if (roleBefore != null && e.presence.role() != roleBefore && before != Status.OFFLINE) {
      PresenceRecord current = e.presence.record();
      PresenceRecord gone = new PresenceRecord(current.tenant(), current.user(), roleBefore, Status.OFFLINE,
          Reason.DISCONNECTED, clock.now(), current.lastActiveAt());
      emit(e, before, gone, skip);
      if (current.status() != Status.OFFLINE) {
        emit(e, Status.OFFLINE, current, skip);
      }
      return true;
    }
    if (changed) {
      publish(e, before, skip);
    }
    return changed;
  }

  /** Publishes the user's current record (its status was {@code before}); {@code skip} does not hear it. */
  void publish(UserEntry e, Status before, SessionLink skip) {
    emit(e, before, e.presence.record(), skip);
  }

  private void emit(UserEntry e, Status before, PresenceRecord record, SessionLink skip) {
    observer.transition(before, record);
    feed.publish(record);
    for (SessionLink to : watchers.audience(e.presence.key(), record, e.sessions, skip)) {
      outbox.add(to, record);
      scheduleFlush();
    }
  }

  /** Marks the user's local share for replication when it changed in a way other nodes need. */
  void noteLocal(UserEntry e) {
    if (shares.note(e, clock.now())) {
      scheduleFlush();
    }
  }

  /** Schedules the flush that sends what is pending (a preference written here, say). */
  void scheduleFlush() {
    if (!flushScheduled) {
      flushScheduled = true;
      clock.runSoon(this::flush);
    }
  }

  /**
   * Hands the shares to replication and every pending batch over: one task per session loop, each
   * distinct sequence of changes encoded once ({@link DeliveryPlan}); sessions without a loop one by one.
   */
  void flush() {
    flushScheduled = false;
    shares.flush(clock.now());
    if (!outbox.isEmpty()) {
      outbox.drain(SessionLoop::deliver, SessionLink::deliver);
    }
  }
}
