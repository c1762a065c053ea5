package com.presencehub.presence;

import java.util.function.Consumer;

/**
 * A hashed timing wheel for the forgetting of offline users (PROTOCOL.md §2 Retention): one pass
 * per sweep instead of a timer per user, as {@link IdleWheel} does for idle deadlines.
 *
 * <p>The slots are intrusive lists (each {@link Member} carries its own link), so the wheel holds
 * no array that grows with the number of users ever seen and keeps nothing once a user is gone.
 * A member sits in at most one slot; when its slot comes up the owner re-checks the real deadline
 * and {@link #schedule re-arms} it if the deadline moved (the user changed since), so nothing is
 * ever cancelled and each schedule and hand-out is O(1). A transition lands at most two ticks
 * after its deadline, never before it; a deadline beyond the ring comes back early and re-arms.
 *
 * @param <T> the owner's per-user entry
 */
public final class RetentionWheel<T extends RetentionWheel.Member> {

  static final long UNSCHEDULED = Long.MIN_VALUE;
  static final int MAX_SLOTS = 4_096;

  /** The wheel's bookkeeping inside the owner's entry: its tick and the next member of its slot. */
  public abstract static class Member {
    long retentionTick = UNSCHEDULED;
    Member retentionNext;

    /** Whether the member waits in a slot now. */
    public final boolean inRetentionWheel() {
      return retentionTick != UNSCHEDULED;
    }
  }

  private final long tickMs;
  private final Member[] slots;
  private long cursor;
  private int size;

  /**
   * @param tickMs    width of a slot, ms (&gt; 0)
   * @param horizonMs the usual distance to a deadline (the retention), ms: sizes the ring
   * @param now       epoch ms
   */
  public RetentionWheel(long tickMs, long horizonMs, long now) {
    if (tickMs <= 0) {
      throw new IllegalArgumentException("tickMs must be > 0");
    }
    this.tickMs = tickMs;
    this.slots = new Member[(int) Math.min(MAX_SLOTS, horizonMs / tickMs + 3)];
    this.cursor = now / tickMs;
  }

  /** Puts {@code m} in the slot of {@code deadline} (epoch ms), unless it already waits in one. */
  public void schedule(T m, long deadline) {
    if (m.retentionTick != UNSCHEDULED) {
      return;
    }
    long tick = Math.floorDiv(deadline + tickMs - 1, tickMs);
    tick = Math.max(tick, cursor);
    tick = Math.min(tick, cursor + slots.length - 1);
    int slot = (int) Math.floorMod(tick, (long) slots.length);
    m.retentionTick = tick;
    m.retentionNext = slots[slot];
    slots[slot] = m;
    size++;
  }

  /** Hands every member whose slot has come by {@code now}; {@code due} may schedule it again. */
  @SuppressWarnings("unchecked")
  public void advance(long now, Consumer<T> due) {
    long last = Math.floorDiv(now, tickMs);
    while (cursor <= last) {
      int slot = (int) Math.floorMod(cursor, (long) slots.length);
      // Detach the whole slot and move on first: a member re-armed by `due` lands in a later tick.
      Member m = slots[slot];
      slots[slot] = null;
      cursor++;
      while (m != null) {
        Member next = m.retentionNext;
        m.retentionNext = null;
        m.retentionTick = UNSCHEDULED;
        size--;
        due.accept((T) m);
        m = next;
      }
    }
  }

  /** Members waiting in the wheel. */
  public int size() {
    return size;
  }

  /** Slots in the ring (fixed at construction). */
  public int slotCount() {
    return slots.length;
  }
}
