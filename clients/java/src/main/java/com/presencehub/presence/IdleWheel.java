package com.presencehub.presence;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * A hashed timing wheel for idle deadlines: one periodic sweep per event loop instead of a timer
 * per user.
 *
 * <p>Activity never touches the wheel: it only moves the user's deadline later. A user sits in at
 * most one slot; when its slot comes up the owner re-checks the real deadline and, if it moved,
 * {@link #schedule re-arms} it lazily. So an activity frame costs O(1) and no timer is ever
 * cancelled. A slot covers one tick, so a transition lands at most two ticks after its deadline
 * (one for the slot, one for the sweep period), never before it.
 *
 * <p>The wheel's bookkeeping (the tick of the slot a user waits in) lives in the owner's entry, a
 * {@link Member}, not in the domain object: {@link UserPresence} knows nothing of the wheel.
 *
 * @param <T> the owner's per-user entry
 */
public final class IdleWheel<T extends IdleWheel.Member> {

  /** An entry the wheel can hold: it keeps the wheel's one field for it. */
  public interface Member {
    /** The tick of the slot the entry waits in, {@link #UNSCHEDULED} when in none; written by the wheel only. */
    long idleWheelTick();

    void idleWheelTick(long tick);
  }

  /** The tick of a member that waits in no slot (the initial value of {@link Member#idleWheelTick()}). */
  public static final long UNSCHEDULED = Long.MIN_VALUE;
  static final int MAX_SLOTS = 8_192;

  private final long tickMs;
  private final ArrayDeque<T>[] slots;
  private long cursor;
  private int size;

  @SuppressWarnings("unchecked")
  public IdleWheel(long tickMs, long horizonMs, long now) {
    if (tickMs <= 0) {
      throw new IllegalArgumentException("tickMs must be > 0");
    }
    this.tickMs = tickMs;
    // Capped: a deadline beyond the ring comes back early and is re-armed, so a long idle timeout
    // costs a few re-arms per user instead of a huge ring per shard.
    int n = (int) Math.min(MAX_SLOTS, horizonMs / tickMs + 3);
    this.slots = new ArrayDeque[n];
    for (int i = 0; i < n; i++) {
      slots[i] = new ArrayDeque<>();
    }
    this.cursor = now / tickMs;
  }

  /** Puts {@code user} in the slot of {@code deadline}, unless it already waits in one. */
  public void schedule(T user, long deadline) {
    if (user.idleWheelTick() != UNSCHEDULED) {
      return;
    }
    long tick = Math.floorDiv(deadline + tickMs - 1, tickMs);
    // Past deadlines go to the next sweep; deadlines beyond the ring come back early and re-arm.
    tick = Math.max(tick, cursor);
    tick = Math.min(tick, cursor + slots.length - 1);
    user.idleWheelTick(tick);
    slots[(int) Math.floorMod(tick, (long) slots.length)].add(user);
    size++;
  }

  /** Hands every user whose slot has come to {@code due}; {@code due} may schedule it again. */
  public void advance(long now, Consumer<T> due) {
    long last = Math.floorDiv(now, tickMs);
    while (cursor <= last) {
      long tick = cursor;
      ArrayDeque<T> slot = slots[(int) Math.floorMod(tick, (long) slots.length)];
      // Move on first, so that a user re-armed by `due` lands in a later tick, even with a past
      // deadline (else it would sit in this slot for a whole turn of the ring). Only what is in
      // the slot now is handed out: a re-arm a full ring ahead shares this slot.
      cursor++;
      for (int n = slot.size(); n > 0; n--) {
        T user = slot.poll();
        size--;
        user.idleWheelTick(UNSCHEDULED);
        due.accept(user);
      }
    }
  }

  public int size() {
    return size;
  }
}
