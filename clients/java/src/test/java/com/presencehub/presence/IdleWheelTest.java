package com.presencehub.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The hashed timing wheel behind the idle sweep. */
@DisplayName("The idle wheel")
class IdleWheelTest {

  private static final long TICK = 100;
  private static final long HORIZON = 1_000;
  private static final PresenceTimings TIMINGS = new PresenceTimings(HORIZON, 0);

  /** An owner's entry: a user's presence, and the wheel's field for it. */
  private static final class User implements IdleWheel.Member {
    final UserPresence presence;
    long wheelTick = IdleWheel.UNSCHEDULED;

    User(UserPresence presence) {
      this.presence = presence;
    }

    @Override
    public long idleWheelTick() {
      return wheelTick;
    }

    @Override
    public void idleWheelTick(long tick) {
      wheelTick = tick;
    }

    boolean sessionOpened(Role role, long now) {
      return presence.sessionOpened(role, now);
    }

    boolean activity(long at, long now) {
      return presence.activity(at, now);
    }

    boolean recompute(long now) {
      return presence.recompute(now);
    }

    long idleDeadline() {
      return presence.idleDeadline();
    }

    Status status() {
      return presence.status();
    }
  }

  private static User user(int i) {
    return new User(new UserPresence(new UserKey("t", "u" + i), Role.CLIENT, TIMINGS));
  }

  /** Collects what {@link IdleWheel#advance} hands out. */
  private static List<User> advance(IdleWheel<User> wheel, long now) {
    List<User> due = new ArrayList<>();
    wheel.advance(now, due::add);
    return due;
  }

  @Test
  @DisplayName("refuses a tick that is not positive")
  void tickMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> new IdleWheel<User>(0, HORIZON, 0));
    assertThrows(IllegalArgumentException.class, () -> new IdleWheel<User>(-5, HORIZON, 0));
  }

  @Test
  @DisplayName("hands a user out no earlier than its deadline")
  void neverBeforeDeadline() {
    IdleWheel<User> wheel = new IdleWheel<>(TICK, HORIZON, 0);
    User u = user(1);
    wheel.schedule(u, 250);
    assertEquals(List.of(), advance(wheel, 200));
    assertEquals(List.of(), advance(wheel, 299));
    assertEquals(List.of(u), advance(wheel, 300));
    assertEquals(List.of(), advance(wheel, 1_000), "only once");
  }

  @Test
  @DisplayName("hands out a deadline that falls on a tick boundary in that tick's sweep")
  void deadlineOnBoundary() {
    IdleWheel<User> wheel = new IdleWheel<>(TICK, HORIZON, 0);
    User u = user(1);
    wheel.schedule(u, 300);
    assertEquals(List.of(), advance(wheel, 299));
    assertEquals(List.of(u), advance(wheel, 300));
  }

  @Test
  @DisplayName("hands a past deadline out at the next sweep")
  void pastDeadlineNextSweep() {
    IdleWheel<User> wheel = new IdleWheel<>(TICK, HORIZON, 1_000);
    User u = user(1);
    wheel.schedule(u, -5_000);
    assertEquals(List.of(u), advance(wheel, 1_000));

    User v = user(2);
    wheel.schedule(v, 10);
    assertEquals(List.of(v), advance(wheel, 1_100));
  }

  @Test
  @DisplayName("brings a deadline beyond the ring back early, and it fires on time once re-armed")
  void beyondTheRing() {
    IdleWheel<User> wheel = new IdleWheel<>(TICK, HORIZON, 0);
    User u = user(1);
    long deadline = 50 * HORIZON + 37;
    wheel.schedule(u, deadline);
    List<Long> early = new ArrayList<>();
    List<Long> fired = new ArrayList<>();
    for (long now = 0; now <= deadline + 3 * TICK; now += TICK) {
      long t = now;
      wheel.advance(now, p -> {
        if (t < deadline) {
          early.add(t);
          wheel.schedule(p, deadline);
        } else {
          fired.add(t);
        }
      });
    }
    assertTrue(early.size() >= 2, "came back early at least twice: " + early);
    assertEquals(1_200L, early.get(0), "parked in the ring's last slot (13 slots of 100 ms), not where its tick hashes");
    assertEquals(1, fired.size(), "fired once: " + fired);
    assertTrue(fired.get(0) >= deadline && fired.get(0) <= deadline + 2 * TICK, "fired at " + fired.get(0));
    assertEquals(0, wheel.size());
  }

  @Test
  @DisplayName("keeps a user in at most one slot: scheduling again is ignored until it is handed out")
  void atMostOneSlot() {
    IdleWheel<User> wheel = new IdleWheel<>(TICK, HORIZON, 0);
    User u = user(1);
    wheel.schedule(u, 200);
    wheel.schedule(u, 700);
    wheel.schedule(u, 150);
    assertEquals(1, wheel.size());
    assertEquals(2, u.wheelTick, "the first deadline's slot");
    assertEquals(List.of(u), advance(wheel, 200));
    assertEquals(IdleWheel.UNSCHEDULED, u.wheelTick);
    assertEquals(0, wheel.size());
    assertEquals(List.of(), advance(wheel, 900), "the ignored deadlines left nothing behind");
  }

  @Test
  @DisplayName("re-arms lazily: after activity the owner re-schedules the user when its old slot comes up")
  void lazyRearm() {
    IdleWheel<User> wheel = new IdleWheel<>(TICK, HORIZON, 0);
    User u = user(1);
    u.sessionOpened(Role.CLIENT, 0);
    wheel.schedule(u, u.idleDeadline());
    u.activity(450, 450);
    wheel.schedule(u, u.idleDeadline()); // no-op: already waiting
    assertEquals(1, wheel.size());

    List<Long> transitions = new ArrayList<>();
    for (long now = 0; now <= 3_000; now += TICK) {
      long t = now;
      wheel.advance(now, p -> {
        if (p.recompute(t)) {
          transitions.add(t);
        }
        if (p.status() == Status.ONLINE) {
          wheel.schedule(p, p.idleDeadline());
        }
      });
    }
    assertEquals(List.of(1_500L), transitions, "away at the moved deadline, not the first one");
    assertEquals(Status.AWAY, u.status());
    assertEquals(0, wheel.size());
  }

  @Test
  @DisplayName("hands out many users that share one tick in one sweep, each once")
  void manyUsersOneTick() {
    IdleWheel<User> wheel = new IdleWheel<>(TICK, HORIZON, 0);
    List<User> users = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      User u = user(i);
      users.add(u);
      wheel.schedule(u, 401 + (i % 99));
    }
    assertEquals(5_000, wheel.size());
    assertEquals(List.of(), advance(wheel, 499));
    List<User> due = advance(wheel, 500);
    assertEquals(users, due, "all of them, in the order they were scheduled");
    assertEquals(0, wheel.size());
  }

  @Test
  @DisplayName("catches up when the sweep lags, handing everyone out in deadline order")
  void cursorLag() {
    IdleWheel<User> wheel = new IdleWheel<>(TICK, HORIZON, 0);
    List<User> users = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      User u = user(i);
      users.add(u);
      wheel.schedule(u, 1_000 - i * 100L);
    }
    List<User> due = advance(wheel, 50_000);
    List<User> expected = new ArrayList<>(users);
    java.util.Collections.reverse(expected);
    assertEquals(expected, due);
    assertEquals(0, wheel.size());
  }

  @Test
  @DisplayName("still hands everyone out exactly once after a lag of many ring turns")
  void lagBeyondRing() {
    IdleWheel<User> wheel = new IdleWheel<>(TICK, HORIZON, 0);
    for (int i = 0; i < 13; i++) {
      wheel.schedule(user(i), i * TICK);
    }
    assertEquals(13, advance(wheel, 100 * HORIZON).size());
    User late = user(99);
    wheel.schedule(late, 0);
    assertEquals(List.of(), advance(wheel, 100 * HORIZON + TICK - 1), "the wheel caught up: a past deadline waits for the next tick");
    assertEquals(List.of(late), advance(wheel, 100 * HORIZON + TICK));
  }

  @Test
  @DisplayName("when the sweep lags, a user scheduled meanwhile is not handed out before its deadline")
  void scheduleWhileLagging() {
    IdleWheel<User> wheel = new IdleWheel<>(TICK, HORIZON, 0);
    User u = user(1);
    // Five seconds without a sweep, then activity with a deadline one horizon ahead.
    long now = 5_000;
    wheel.schedule(u, now + HORIZON);
    List<Long> handed = new ArrayList<>();
    wheel.advance(now, p -> handed.add(now));
    assertTrue(handed.isEmpty() || handed.get(0) < now + HORIZON);
    // Whatever came back early is re-armed by its owner; it must then fire on time.
    if (!handed.isEmpty()) {
      wheel.schedule(u, now + HORIZON);
    }
    List<Long> fired = new ArrayList<>();
    for (long t = now + TICK; t <= now + 2 * HORIZON; t += TICK) {
      long at = t;
      wheel.advance(t, p -> {
        if (at < now + HORIZON) {
          wheel.schedule(p, now + HORIZON);
        } else {
          fired.add(at);
        }
      });
    }
    assertEquals(List.of(now + HORIZON), fired);
  }

  @Test
  @DisplayName("counts its users: scheduling adds, handing out removes, re-arming adds again")
  void sizeBookkeeping() {
    IdleWheel<User> wheel = new IdleWheel<>(TICK, HORIZON, 0);
    User a = user(1);
    User b = user(2);
    User c = user(3);
    assertEquals(0, wheel.size());
    wheel.schedule(a, 100);
    wheel.schedule(b, 200);
    wheel.schedule(c, 300);
    wheel.schedule(c, 400);
    assertEquals(3, wheel.size());
    wheel.advance(100, p -> assertEquals(2, wheel.size(), "removed before it is handed out"));
    assertEquals(2, wheel.size());
    wheel.advance(200, p -> wheel.schedule(p, 600));
    assertEquals(2, wheel.size(), "b re-armed");
    assertEquals(List.of(c), advance(wheel, 300));
    assertEquals(1, wheel.size());
    assertEquals(List.of(b), advance(wheel, 600));
    assertEquals(0, wheel.size());
  }

  @Test
  @DisplayName("re-armed from inside the sweep with a deadline already past, comes back at the next tick, not a ring later")
  void rearmInsideSweepWithPastDeadline() {
    IdleWheel<User> wheel = new IdleWheel<>(TICK, HORIZON, 0);
    User u = user(1);
    wheel.schedule(u, 300);
    List<Long> handed = new ArrayList<>();
    for (long now = 0; now <= 3 * HORIZON; now += TICK) {
      long t = now;
      wheel.advance(now, p -> {
        handed.add(t);
        if (handed.size() == 1) {
          wheel.schedule(p, t - 50);
        }
      });
    }
    assertEquals(List.of(300L, 400L), handed);
    assertEquals(0, wheel.size());
  }

  @Test
  @DisplayName("re-armed from inside the sweep with a deadline beyond the ring, stays out of the slot being drained")
  void rearmInsideSweepBeyondRing() {
    IdleWheel<User> wheel = new IdleWheel<>(TICK, HORIZON, 0);
    User u = user(1);
    wheel.schedule(u, 300);
    List<Long> handed = new ArrayList<>();
    wheel.advance(300, p -> {
      handed.add(300L);
      wheel.schedule(p, 300 + 100 * HORIZON);
    });
    assertEquals(List.of(300L), handed, "not handed out twice in one sweep");
    assertEquals(1, wheel.size());
    assertEquals(List.of(), advance(wheel, 300 + HORIZON), "not before a full ring");
    assertEquals(List.of(u), advance(wheel, 300 + 2 * HORIZON), "back within the ring");
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 42, 1234567})
  @DisplayName("with a sweep every tick, fires no user before its deadline and none more than two ticks after")
  void randomizedBounds(long seed) {
    Random rnd = new Random(seed);
    long tick = 1 + rnd.nextInt(250);
    long idle = tick * (2 + rnd.nextInt(40)) + rnd.nextInt((int) tick);
    long start = rnd.nextInt(1_000_000);
    long phase = rnd.nextInt((int) tick);
    IdleWheel<User> wheel = new IdleWheel<>(tick, idle, start);

    int n = 2_000;
    User[] users = new User[n];
    Map<User, Long> deadline = new IdentityHashMap<>();
    Map<User, Long> firedAt = new IdentityHashMap<>();
    Map<User, Integer> fireCount = new HashMap<>();
    for (int i = 0; i < n; i++) {
      users[i] = user(i);
    }
    long end = start + 20 * idle;
    long sweepAt = start + phase;
    long now = start;
    while (now < end) {
      // Some activity between two sweeps: deadlines only move later, the wheel is told lazily.
      long nextSweep = sweepAt;
      int events = rnd.nextInt(40);
      for (int e = 0; e < events; e++) {
        long at = now + (long) (rnd.nextDouble() * (nextSweep - now));
        User u = users[rnd.nextInt(n)];
        if (firedAt.containsKey(u)) {
          continue; // once away, it stays away in this model
        }
        long d = at + idle;
        deadline.merge(u, d, Math::max);
        wheel.schedule(u, deadline.get(u));
      }
      now = nextSweep;
      long t = now;
      wheel.advance(now, p -> {
        long d = deadline.get(p);
        if (t < d) {
          wheel.schedule(p, d);
        } else {
          firedAt.put(p, t);
          fireCount.merge(p, 1, Integer::sum);
        }
      });
      sweepAt += tick;
    }
    assertTrue(firedAt.size() > 100, "the run exercised enough users: " + firedAt.size());
    for (Map.Entry<User, Long> e : firedAt.entrySet()) {
      long d = deadline.get(e.getKey());
      long at = e.getValue();
      assertTrue(at >= d, "fired at " + at + " before deadline " + d + " (tick " + tick + ")");
      assertTrue(at <= d + 2 * tick, "fired at " + at + ", more than two ticks after " + d + " (tick " + tick + ")");
    }
    for (Map.Entry<User, Long> e : deadline.entrySet()) {
      if (e.getValue() + 2 * tick < end - tick) {
        assertTrue(firedAt.containsKey(e.getKey()), "deadline " + e.getValue() + " never fired");
      }
    }
    fireCount.values().forEach(c -> assertEquals(1, c));
    assertEquals(deadline.size() - firedAt.size(), wheel.size(), "the wheel holds exactly the users not yet fired");
    assertNotEquals(0, deadline.size());
  }
}
