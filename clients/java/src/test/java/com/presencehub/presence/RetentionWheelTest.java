package com.presencehub.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The retention wheel")
class RetentionWheelTest {

  private static final long TICK = 100;

  private static final class Item extends RetentionWheel.Member {
    final long deadline;
    long dueAt = -1;

    Item(long deadline) {
      this.deadline = deadline;
    }
  }

  @Test
  @DisplayName("hands each member out no earlier than its deadline and at most two ticks after it")
  void neverEarlyAtMostTwoTicksLate() {
    Random rnd = new Random(5);
    long now = 1_000_000;
    RetentionWheel<Item> wheel = new RetentionWheel<>(TICK, 10_000, now);
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      Item it = new Item(now + rnd.nextInt(40_000)); // many beyond the ring: they come back and re-arm
      items.add(it);
      wheel.schedule(it, it.deadline);
    }
    assertEquals(5_000, wheel.size());
    long end = now + 41_000;
    for (long t = now; t <= end; t += TICK) {
      long at = t;
      wheel.advance(at, it -> {
        if (it.deadline > at) {
          wheel.schedule(it, it.deadline);
        } else {
          it.dueAt = at;
        }
      });
    }
    for (Item it : items) {
      assertTrue(it.dueAt >= it.deadline, "early: " + it.deadline + " at " + it.dueAt);
      assertTrue(it.dueAt - it.deadline <= 2 * TICK, "late by " + (it.dueAt - it.deadline));
      assertFalse(it.inRetentionWheel());
    }
    assertEquals(0, wheel.size());
  }

  @Test
  @DisplayName("holds a member once however often it is scheduled, and keeps no slot for it afterwards")
  void oncePerMember() {
    RetentionWheel<Item> wheel = new RetentionWheel<>(TICK, 1_000, 0);
    Item it = new Item(500);
    wheel.schedule(it, 500);
    wheel.schedule(it, 900);
    assertEquals(1, wheel.size());
    List<Item> due = new ArrayList<>();
    wheel.advance(2_000, due::add);
    assertEquals(List.of(it), due);
    assertEquals(0, wheel.size());
  }

  @Test
  @DisplayName("is a ring of fixed size, whatever the horizon")
  void ringIsBounded() {
    assertEquals(RetentionWheel.MAX_SLOTS, new RetentionWheel<Item>(1, 86_400_000L, 0).slotCount());
    assertEquals(13, new RetentionWheel<Item>(100, 1_000, 0).slotCount());
  }
}
