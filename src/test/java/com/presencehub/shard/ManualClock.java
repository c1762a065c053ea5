package com.presencehub.shard;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * A {@link ShardClock} that only moves when the test says so. Timers fire in due order (ties in
 * the order they were set), each followed by whatever it queued with {@link #runSoon}, as on an
 * event loop.
 */
final class ManualClock implements ShardClock {

  private record Timer(long due, long id, Runnable task) { }

  private final PriorityQueue<Timer> timers = new PriorityQueue<>((a, b) ->
      a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.id, b.id));
  private final Set<Long> cancelled = new HashSet<>();
  private final ArrayDeque<Runnable> soon = new ArrayDeque<>();
  private long now;
  private long nextId = 1;
  int runSoonCalls;
  int cancelCalls;

  ManualClock(long now) {
    this.now = now;
  }

  @Override
  public long now() {
    return now;
  }

  @Override
  public long schedule(long delayMs, Runnable task) {
    if (delayMs < 0) {
      throw new IllegalArgumentException("negative delay " + delayMs);
    }
    long id = nextId++;
    timers.add(new Timer(now + delayMs, id, task));
    return id;
  }

  @Override
  public void cancel(long timerId) {
    cancelCalls++;
    cancelled.add(timerId);
  }

  @Override
  public void runSoon(Runnable task) {
    runSoonCalls++;
    soon.add(task);
  }

  /** Runs what is queued to run soon, and what that queues, until nothing is left. */
  void drain() {
    Runnable r;
    while ((r = soon.poll()) != null) {
      r.run();
    }
  }

  /** Moves time to {@code target}, firing every timer due until then at its own due time. */
  void advanceTo(long target) {
    if (target < now) {
      throw new IllegalArgumentException("time only moves forward");
    }
    drain();
    Timer t;
    while ((t = timers.peek()) != null && t.due <= target) {
      timers.poll();
      if (cancelled.remove(t.id)) {
        continue;
      }
      now = t.due;
      t.task.run();
      drain();
    }
    now = target;
  }

  void advanceBy(long ms) {
    advanceTo(now + ms);
  }

  /** Timers set and neither fired nor cancelled. */
  int pendingTimers() {
    int n = 0;
    for (Timer t : timers) {
      if (!cancelled.contains(t.id)) {
        n++;
      }
    }
    return n;
  }

  int pendingSoon() {
    return soon.size();
  }
}
