package com.presencehub.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.PresenceTimings;
import com.presencehub.presence.Reason;
import com.presencehub.presence.Role;
import com.presencehub.presence.Status;
import com.presencehub.presence.UserKey;
import com.presencehub.presence.UserPresence;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One shard's users, sessions, subscriptions and timers, on a manual clock. */
@DisplayName("A presence shard")
class PresenceShardTest {

  private static final long IDLE = 1_000;
  private static final long GRACE = 500;
  private static final long TICK = 50;
  private static final long T0 = 1_700_000_000_000L;
  private static final String T = "acme";

  private record Transition(Status from, PresenceRecord to) { }

  private ManualClock clock;
  private List<Transition> transitions;
  private PresenceShard shard;

  @BeforeEach
  void setUp() {
    clock = new ManualClock(T0);
    transitions = new ArrayList<>();
    shard = new PresenceShard(new PresenceTimings(IDLE, GRACE), TICK, clock,
        (from, to) -> transitions.add(new Transition(from, to)));
  }

  // ---- helpers --------------------------------------------------------------------------------

  private RecordingSession session(String tenant, String user, Role role) {
    return new RecordingSession(tenant, user, role, tenant + "/" + user + "#" + System.identityHashCode(new Object()));
  }

  private RecordingSession open(String user, Role role) {
    return open(T, user, role);
  }

  private RecordingSession open(String tenant, String user, Role role) {
    RecordingSession s = session(tenant, user, role);
    shard.open(s);
    clock.drain();
    return s;
  }

  /** Lets time pass with the periodic sweep every tick, as the verticle does. */
  private void runFor(long ms) {
    long end = clock.now() + ms;
    long next = (clock.now() / TICK + 1) * TICK;
    while (next <= end) {
      clock.advanceTo(next);
      shard.sweep();
      clock.drain();
      next += TICK;
    }
    clock.advanceTo(end);
    clock.drain();
  }

  private static PresenceRecord only(List<PresenceRecord> records) {
    assertEquals(1, records.size(), "exactly one record: " + records);
    return records.get(0);
  }

  private static void assertStatus(PresenceRecord r, String user, Status status, Reason reason) {
    assertEquals(user, r.user(), "user");
    assertEquals(status, r.status(), "status of " + user);
    assertEquals(reason, r.reason(), "reason of " + user);
  }

  private static Set<String> users(List<PresenceRecord> records) {
    return records.stream().map(PresenceRecord::user).collect(Collectors.toSet());
  }

  /**
   * A watching session of a tech whose own user lives on another shard: it hears only what it
   * subscribes to here.
   */
  private RecordingSession techWatcher() {
    return session(T, "watcher-tech", Role.TECH);
  }

  // ---- sessions -------------------------------------------------------------------------------

  @Nested
  @DisplayName("when a session opens")
  class Opening {

    @Test
    @DisplayName("returns the user's online/active record for the welcome")
    void openReturnsRecord() {
      RecordingSession s = session(T, "u1", Role.CLIENT);
      PresenceRecord r = shard.open(s).record();
      assertEquals(new PresenceRecord(T, "u1", Role.CLIENT, Status.ONLINE, Reason.ACTIVE, T0, T0), r);
      assertEquals(r, shard.record(new UserKey(T, "u1")));
      assertEquals(1, shard.stats().users());
    }

    @Test
    @DisplayName("does not echo the open to the opening session itself")
    void openingSessionHearsNothing() {
      RecordingSession s = open("u1", Role.CLIENT);
      assertEquals(List.of(), s.received());
      assertEquals(1, transitions.size());
      assertEquals(Status.OFFLINE, transitions.get(0).from());
      assertStatus(transitions.get(0).to(), "u1", Status.ONLINE, Reason.ACTIVE);
    }

    @Test
    @DisplayName("of an idle user, tells the user's other sessions it is online again, not the new one")
    void otherSessionsHearTheReopen() {
      RecordingSession first = open("u1", Role.CLIENT);
      runFor(IDLE + 2 * TICK);
      assertStatus(only(first.take()), "u1", Status.AWAY, Reason.INACTIVE);
      RecordingSession second = open("u1", Role.CLIENT);
      assertStatus(only(first.take()), "u1", Status.ONLINE, Reason.ACTIVE);
      assertEquals(List.of(), second.received());
    }

    @Test
    @DisplayName("of an online user publishes nothing")
    void secondSessionPublishesNothing() {
      RecordingSession w = techWatcher();
      shard.subscribeUsers(w, List.of("u1"));
      RecordingSession first = open("u1", Role.CLIENT);
      w.take();
      int before = transitions.size();
      RecordingSession second = open("u1", Role.CLIENT);
      assertEquals(List.of(), w.received());
      assertEquals(List.of(), first.received());
      assertEquals(List.of(), second.received());
      assertEquals(before, transitions.size());
    }
  }

  @Nested
  @DisplayName("a user's own sessions")
  class OwnSessions {

    @Test
    @DisplayName("all hear the user's own changes, without subscribing")
    void ownSessionsHearChanges() {
      RecordingSession a = open("tech1", Role.TECH);
      RecordingSession b = open("tech1", Role.TECH);
      shard.preferAway(new UserKey(T, "tech1"), UserPresence.NEVER);
      clock.drain();
      assertStatus(only(a.take()), "tech1", Status.AWAY, Reason.PREFERRED);
      assertStatus(only(b.take()), "tech1", Status.AWAY, Reason.PREFERRED);
      shard.clearPreferredAway(new UserKey(T, "tech1"));
      clock.drain();
      assertStatus(only(a.take()), "tech1", Status.ONLINE, Reason.ACTIVE);
      assertStatus(only(b.take()), "tech1", Status.ONLINE, Reason.ACTIVE);
    }

    @Test
    @DisplayName("hear their idle transition, and the way back on activity")
    void ownSessionsHearIdleAndBack() {
      RecordingSession a = open("u1", Role.CLIENT);
      runFor(IDLE + 2 * TICK);
      assertStatus(only(a.take()), "u1", Status.AWAY, Reason.INACTIVE);
      shard.activity(a, clock.now());
      clock.drain();
      assertStatus(only(a.take()), "u1", Status.ONLINE, Reason.ACTIVE);
    }

    @Test
    @DisplayName("hear each change once even when also subscribed to themselves and their roster")
    void ownSessionAlsoWatcherHearsOnce() {
      RecordingSession a = open("tech1", Role.TECH);
      shard.subscribeUsers(a, List.of("tech1"));
      shard.subscribeRoster(a, Role.TECH);
      shard.preferAway(new UserKey(T, "tech1"), UserPresence.NEVER);
      clock.drain();
      assertEquals(1, a.batches.size());
      assertStatus(only(a.take()), "tech1", Status.AWAY, Reason.PREFERRED);
    }
  }

  @Nested
  @DisplayName("activity")
  class Activity {

    @Test
    @DisplayName("on an online user publishes nothing and pushes the idle transition later")
    void activityMovesDeadline() {
      RecordingSession w = techWatcher();
      RecordingSession s = open("u1", Role.CLIENT);
      shard.subscribeUsers(w, List.of("u1"));
      runFor(IDLE - 100);
      shard.activity(s, clock.now());
      clock.drain();
      assertEquals(List.of(), w.received());
      long deadline = clock.now() + IDLE;
      runFor(IDLE - 1);
      assertEquals(Status.ONLINE, shard.record(s.user()).status());
      assertEquals(List.of(), w.received());
      runFor(2 * TICK + 1);
      PresenceRecord away = only(w.take());
      assertStatus(away, "u1", Status.AWAY, Reason.INACTIVE);
      assertEquals(deadline, (long) away.since());
    }

    @Test
    @DisplayName("corrected by idleMs counts in the past and moves the deadline accordingly")
    void activityInThePast() {
      RecordingSession s = open("u1", Role.CLIENT);
      runFor(600);
      shard.activity(s, clock.now() - 100);
      assertEquals(T0 + 500, (long) shard.record(s.user()).lastActiveAt());
      runFor(IDLE - 100 - 1);
      assertEquals(Status.ONLINE, shard.record(s.user()).status());
      runFor(2 * TICK + 1);
      PresenceRecord r = shard.record(s.user());
      assertEquals(Status.AWAY, r.status());
      assertEquals(T0 + 500 + IDLE, (long) r.since());
    }

    @Test
    @DisplayName("of a session that is closed, or of a user never seen, is ignored")
    void activityWithoutSessionIgnored() {
      RecordingSession s = open("u1", Role.CLIENT);
      shard.close(s, false);
      runFor(GRACE + 1);
      PresenceRecord offline = shard.record(s.user());
      shard.activity(s, clock.now());
      shard.activity(session(T, "ghost", Role.CLIENT), clock.now());
      clock.drain();
      assertEquals(offline, shard.record(s.user()));
      assertEquals(1, shard.stats().users());
    }
  }

  @Nested
  @DisplayName("idle")
  class Idle {

    @Test
    @DisplayName("turns a user away/inactive no earlier than the deadline and at most two ticks after")
    void idleWithinTwoTicks() {
      RecordingSession w = techWatcher();
      shard.subscribeRoster(w, Role.CLIENT);
      RecordingSession s = open("u1", Role.CLIENT);
      w.take();
      // Start off the tick grid so that the deadline falls between two sweeps.
      runFor(37);
      shard.activity(s, clock.now());
      long deadline = clock.now() + IDLE;
      long seenAt = -1;
      while (clock.now() < deadline + 5 * TICK) {
        runFor(1);
        if (!w.received().isEmpty() && seenAt < 0) {
          seenAt = clock.now();
        }
      }
      assertTrue(seenAt >= deadline, "seen at " + (seenAt - deadline) + " ms from the deadline");
      assertTrue(seenAt <= deadline + 2 * TICK, "seen at " + (seenAt - deadline) + " ms from the deadline");
      PresenceRecord away = only(w.received());
      assertEquals(deadline, (long) away.since(), "since is the deadline, not the sweep");
      assertEquals(deadline - IDLE, (long) away.lastActiveAt());
    }

    @Test
    @DisplayName("leaves the wheel once a user is away, and re-enters it when the user is back")
    void wheelBookkeeping() {
      RecordingSession a = open("u1", Role.CLIENT);
      open("u2", Role.CLIENT);
      assertEquals(2, shard.stats().idleWheel());
      runFor(IDLE + 2 * TICK);
      assertEquals(0, shard.stats().idleWheel());
      shard.activity(a, clock.now());
      assertEquals(1, shard.stats().idleWheel());
      shard.activity(a, clock.now());
      assertEquals(1, shard.stats().idleWheel(), "a user is in the wheel once");
    }

    @Test
    @DisplayName("does not touch a preferred-away tech")
    void idleDoesNotTouchPreferred() {
      RecordingSession a = open("tech1", Role.TECH);
      shard.preferAway(a.user(), UserPresence.NEVER);
      clock.drain();
      a.take();
      runFor(3 * IDLE);
      assertEquals(List.of(), a.received());
      assertStatus(shard.record(a.user()), "tech1", Status.AWAY, Reason.PREFERRED);
      assertEquals(0, shard.stats().idleWheel());
    }
  }

  // ---- closing --------------------------------------------------------------------------------

  @Nested
  @DisplayName("when a session closes")
  class Closing {

    @Test
    @DisplayName("with bye and no other session, publishes offline at once")
    void byeIsOfflineNow() {
      RecordingSession w = techWatcher();
      RecordingSession s = open("u1", Role.CLIENT);
      shard.subscribeUsers(w, List.of("u1"));
      runFor(120);
      shard.close(s, true);
      clock.drain();
      PresenceRecord r = only(w.take());
      assertStatus(r, "u1", Status.OFFLINE, Reason.DISCONNECTED);
      assertEquals(clock.now(), (long) r.since());
      assertEquals(T0, (long) r.lastActiveAt());
      assertEquals(0, clock.pendingTimers(), "no grace timer for a bye");
      assertEquals(List.of(), s.received(), "the closed session hears nothing");
    }

    @Test
    @DisplayName("abruptly, keeps the user present during the grace and publishes offline after it")
    void abruptIsOfflineAfterGrace() {
      RecordingSession w = techWatcher();
      RecordingSession s = open("u1", Role.CLIENT);
      shard.subscribeUsers(w, List.of("u1"));
      int before = transitions.size();
      shard.close(s, false);
      clock.drain();
      assertEquals(1, clock.pendingTimers());
      clock.advanceBy(GRACE - 1);
      assertEquals(List.of(), w.received());
      assertEquals(before, transitions.size());
      assertEquals(Status.ONLINE, shard.record(s.user()).status());
      assertEquals(1, shard.roster(new Roster(T, Role.CLIENT)).size(), "still listed");
      clock.advanceBy(1);
      PresenceRecord r = only(w.take());
      assertStatus(r, "u1", Status.OFFLINE, Reason.DISCONNECTED);
      assertEquals(T0 + GRACE, (long) r.since());
      assertEquals(Status.ONLINE, transitions.get(transitions.size() - 1).from());
      assertEquals(0, shard.roster(new Roster(T, Role.CLIENT)).size());
    }

    @Test
    @DisplayName("abruptly, with a new session during the grace, never publishes offline and cancels the grace timer")
    void reopenDuringGraceCancelsTimer() {
      RecordingSession w = techWatcher();
      RecordingSession s = open("u1", Role.CLIENT);
      shard.subscribeUsers(w, List.of("u1"));
      int before = transitions.size();
      shard.close(s, false);
      clock.advanceBy(GRACE / 2);
      RecordingSession again = open("u1", Role.CLIENT);
      assertEquals(0, clock.pendingTimers(), "grace timer cancelled");
      assertEquals(1, clock.cancelCalls);
      clock.advanceBy(10 * GRACE);
      assertEquals(List.of(), w.received());
      assertEquals(List.of(), again.received());
      assertEquals(before, transitions.size());
      assertStatus(shard.record(s.user()), "u1", Status.ONLINE, Reason.ACTIVE);
      assertEquals(T0, (long) shard.record(s.user()).since(), "no flap: the online never ended");
    }

    @Test
    @DisplayName("with other sessions open, changes nothing, bye or not")
    void closeWithOthersOpen() {
      RecordingSession w = techWatcher();
      RecordingSession a = open("u1", Role.CLIENT);
      RecordingSession b = open("u1", Role.CLIENT);
      RecordingSession c = open("u1", Role.CLIENT);
      shard.subscribeUsers(w, List.of("u1"));
      shard.close(a, false);
      shard.close(b, true);
      clock.advanceBy(10 * GRACE);
      assertEquals(List.of(), w.received());
      assertEquals(0, clock.pendingTimers());
      assertEquals(List.of(c), shard.target(c.user()).sessions());
      assertEquals(Status.ONLINE, shard.record(c.user()).status());
    }

    @Test
    @DisplayName("twice, or for a session never opened, is ignored")
    void closeTwiceIgnored() {
      RecordingSession a = open("u1", Role.CLIENT);
      RecordingSession b = open("u1", Role.CLIENT);
      shard.close(a, true);
      shard.close(a, true);
      shard.close(session(T, "ghost", Role.CLIENT), true);
      shard.close(session(T, "u1", Role.CLIENT), false);
      clock.drain();
      assertEquals(1, shard.target(a.user()).sessions().size());
      assertEquals(Status.ONLINE, shard.record(a.user()).status());
      assertEquals(List.of(), b.received());
    }

    @Test
    @DisplayName("abruptly just after the idle deadline, still publishes the away before the offline")
    void idleDeadlinePassedAtAbruptClose() {
      RecordingSession w = techWatcher();
      RecordingSession s = open("u1", Role.CLIENT);
      shard.subscribeUsers(w, List.of("u1"));
      // The deadline has passed but no sweep has run yet when the connection drops.
      clock.advanceTo(T0 + IDLE);
      shard.close(s, false);
      clock.drain();
      runFor(GRACE + 2 * TICK);
      List<PresenceRecord> seen = w.take();
      assertEquals(List.of(Status.AWAY, Status.OFFLINE), seen.stream().map(PresenceRecord::status).toList(),
          "watchers follow every status: " + seen);
      assertChained(transitions);
    }
  }

  // ---- preferred away -------------------------------------------------------------------------

  @Nested
  @DisplayName("preferred away")
  class Preferred {

    @Test
    @DisplayName("is published to watchers and lapses at its until, by timer")
    void untilLapsesByTimer() {
      RecordingSession w = techWatcher();
      RecordingSession t = open("tech1", Role.TECH);
      shard.subscribeUsers(w, List.of("tech1"));
      PresenceRecord r = shard.preferAway(t.user(), T0 + 300);
      clock.drain();
      assertStatus(r, "tech1", Status.AWAY, Reason.PREFERRED);
      assertStatus(only(w.take()), "tech1", Status.AWAY, Reason.PREFERRED);
      assertEquals(1, clock.pendingTimers());
      shard.activity(t, clock.now());
      clock.advanceTo(T0 + 299);
      assertEquals(List.of(), w.received());
      clock.advanceTo(T0 + 300);
      PresenceRecord back = only(w.take());
      assertStatus(back, "tech1", Status.ONLINE, Reason.ACTIVE);
      assertEquals(T0 + 300, (long) back.since());
      // Presence follows activity again: the idle deadline applies.
      runFor(IDLE + 2 * TICK);
      assertStatus(only(w.take()), "tech1", Status.AWAY, Reason.INACTIVE);
    }

    @Test
    @DisplayName("lapsing on an idle tech leaves it away/inactive")
    void untilLapsesIntoIdle() {
      RecordingSession w = techWatcher();
      RecordingSession t = open("tech1", Role.TECH);
      shard.subscribeUsers(w, List.of("tech1"));
      shard.preferAway(t.user(), T0 + 2 * IDLE);
      runFor(3 * IDLE);
      List<PresenceRecord> seen = w.take();
      assertEquals(2, seen.size(), seen.toString());
      assertStatus(seen.get(0), "tech1", Status.AWAY, Reason.PREFERRED);
      assertStatus(seen.get(1), "tech1", Status.AWAY, Reason.INACTIVE);
      assertEquals(T0, (long) seen.get(1).since(), "still the away that began with the preference");
    }

    @Test
    @DisplayName("set again replaces the earlier until timer")
    void preferAgainCancelsTimer() {
      RecordingSession t = open("tech1", Role.TECH);
      shard.preferAway(t.user(), T0 + 300);
      shard.preferAway(t.user(), UserPresence.NEVER);
      assertEquals(0, clock.pendingTimers());
      clock.advanceBy(10_000);
      assertStatus(shard.record(t.user()), "tech1", Status.AWAY, Reason.PREFERRED);
    }

    @Test
    @DisplayName("cleared, cancels its until timer and follows activity again")
    void clearCancelsTimer() {
      RecordingSession w = techWatcher();
      RecordingSession t = open("tech1", Role.TECH);
      shard.subscribeUsers(w, List.of("tech1"));
      shard.preferAway(t.user(), T0 + 5 * IDLE);
      clock.advanceBy(100);
      PresenceRecord r = shard.clearPreferredAway(t.user());
      clock.drain();
      assertEquals(0, clock.pendingTimers());
      assertStatus(r, "tech1", Status.ONLINE, Reason.ACTIVE);
      List<PresenceRecord> seen = w.take();
      assertEquals(2, seen.size());
      assertStatus(seen.get(1), "tech1", Status.ONLINE, Reason.ACTIVE);
      runFor(IDLE + 2 * TICK);
      assertStatus(only(w.take()), "tech1", Status.AWAY, Reason.INACTIVE);
      assertEquals(T0 + IDLE, (long) shard.record(t.user()).since());
    }

    @Test
    @DisplayName("cleared on an idle tech turns it away/inactive")
    void clearWhenIdle() {
      RecordingSession t = open("tech1", Role.TECH);
      shard.preferAway(t.user(), UserPresence.NEVER);
      runFor(2 * IDLE);
      PresenceRecord r = shard.clearPreferredAway(t.user());
      assertStatus(r, "tech1", Status.AWAY, Reason.INACTIVE);
    }

    @Test
    @DisplayName("survives the tech's reconnect after a bye")
    void survivesReconnect() {
      RecordingSession w = techWatcher();
      RecordingSession t = open("tech1", Role.TECH);
      shard.subscribeUsers(w, List.of("tech1"));
      shard.preferAway(t.user(), UserPresence.NEVER);
      shard.close(t, true);
      clock.advanceBy(1_000);
      RecordingSession again = session(T, "tech1", Role.TECH);
      PresenceRecord welcome = shard.open(again).record();
      clock.drain();
      assertStatus(welcome, "tech1", Status.AWAY, Reason.PREFERRED);
      List<Status> seen = w.take().stream().map(PresenceRecord::status).toList();
      assertEquals(List.of(Status.AWAY, Status.OFFLINE, Status.AWAY), seen);
    }

    @Test
    @DisplayName("is refused for a client and for a user the shard does not know")
    void refused() {
      RecordingSession c = open("c1", Role.CLIENT);
      assertThrows(IllegalStateException.class, () -> shard.preferAway(c.user(), UserPresence.NEVER));
      assertThrows(IllegalStateException.class, () -> shard.preferAway(new UserKey(T, "ghost"), UserPresence.NEVER));
      assertThrows(IllegalStateException.class, () -> shard.clearPreferredAway(new UserKey(T, "ghost")));
      assertEquals(0, clock.pendingTimers());
      assertStatus(shard.record(c.user()), "c1", Status.ONLINE, Reason.ACTIVE);
    }
  }

  // ---- subscriptions --------------------------------------------------------------------------

  @Nested
  @DisplayName("subscriptions")
  class Subscriptions {

    @Test
    @DisplayName("to users return their current records, unknown users as offline")
    void subscribeUsersSnapshot() {
      RecordingSession w = techWatcher();
      open("u1", Role.CLIENT);
      Lookup l = shard.subscribeUsers(w, List.of("u1", "ghost"));
      assertTrue(l.allowed());
      assertEquals(2, l.records().size());
      assertStatus(l.records().get(0), "u1", Status.ONLINE, Reason.ACTIVE);
      assertEquals(PresenceRecord.unknown(new UserKey(T, "ghost")), l.records().get(1));
    }

    @Test
    @DisplayName("to users deliver every change, in order")
    void userWatcherHearsChanges() {
      RecordingSession w = techWatcher();
      shard.subscribeUsers(w, List.of("u1"));
      RecordingSession s = open("u1", Role.CLIENT);
      runFor(IDLE + 2 * TICK);
      shard.activity(s, clock.now());
      clock.drain();
      shard.close(s, true);
      clock.drain();
      List<PresenceRecord> seen = w.received();
      assertEquals(List.of(Status.ONLINE, Status.AWAY, Status.ONLINE, Status.OFFLINE),
          seen.stream().map(PresenceRecord::status).toList());
      assertEquals(4, w.batches.size(), "each change was its own burst of work");
    }

    @Test
    @DisplayName("to a roster deliver changes of that role only")
    void rosterWatcherHearsItsRole() {
      RecordingSession w = techWatcher();
      shard.subscribeRoster(w, Role.CLIENT);
      open("tech2", Role.TECH);
      assertEquals(List.of(), w.received());
      open("c1", Role.CLIENT);
      assertStatus(only(w.take()), "c1", Status.ONLINE, Reason.ACTIVE);
    }

    @Test
    @DisplayName("to a roster return only the users that are not offline")
    void rosterSnapshotOnlyPresent() {
      open("online", Role.CLIENT);
      RecordingSession idle = open("idle", Role.CLIENT);
      RecordingSession lingering = open("lingering", Role.CLIENT);
      RecordingSession bye = open("bye", Role.CLIENT);
      RecordingSession lost = open("lost", Role.CLIENT);
      open("tech", Role.TECH);
      shard.close(lost, false);
      runFor(IDLE + 2 * TICK);
      shard.activity(shard.target(new UserKey(T, "online")).sessions().get(0), clock.now());
      shard.close(bye, true);
      shard.close(lingering, false);
      clock.drain();

      RecordingSession w = techWatcher();
      List<PresenceRecord> snapshot = shard.subscribeRoster(w, Role.CLIENT);
      assertEquals(Set.of("online", "idle", "lingering"), users(snapshot));
      Map<String, PresenceRecord> byUser = snapshot.stream().collect(Collectors.toMap(PresenceRecord::user, r -> r));
      assertStatus(byUser.get("online"), "online", Status.ONLINE, Reason.ACTIVE);
      assertStatus(byUser.get("idle"), "idle", Status.AWAY, Reason.INACTIVE);
      assertStatus(byUser.get("lingering"), "lingering", Status.AWAY, Reason.INACTIVE);
      assertEquals(idle.user(), byUser.get("idle").key());
      assertEquals(Set.of("tech"), users(shard.roster(new Roster(T, Role.TECH))));
    }

    @Test
    @DisplayName("through two subscriptions deliver each change once")
    void twoSubscriptionsOnce() {
      RecordingSession w = techWatcher();
      shard.subscribeUsers(w, List.of("c1"));
      shard.subscribeRoster(w, Role.CLIENT);
      shard.subscribeUsers(w, List.of("c1"));
      RecordingSession c = open("c1", Role.CLIENT);
      assertStatus(only(w.take()), "c1", Status.ONLINE, Reason.ACTIVE);
      shard.close(c, true);
      clock.drain();
      assertStatus(only(w.take()), "c1", Status.OFFLINE, Reason.DISCONNECTED);
    }

    @Test
    @DisplayName("of a client never deliver a client's record, even for a user unknown when subscribing")
    void clientNeverSeesClients() {
      RecordingSession c = open("c1", Role.CLIENT);
      Lookup l = shard.subscribeUsers(c, List.of("later-client", "later-tech"));
      assertTrue(l.allowed(), "unknown users may be watched");
      shard.subscribeRoster(c, Role.TECH);
      c.take();
      RecordingSession other = open("later-client", Role.CLIENT);
      runFor(IDLE + 2 * TICK);
      shard.close(other, true);
      open("later-tech", Role.TECH);
      clock.drain();
      List<PresenceRecord> seen = c.received();
      assertTrue(seen.stream().noneMatch(r -> r.role() == Role.CLIENT && !r.user().equals("c1")), seen.toString());
      assertTrue(seen.stream().anyMatch(r -> r.user().equals("later-tech") && r.status() == Status.ONLINE), seen.toString());
    }

    @Test
    @DisplayName("of a client to another client are forbidden and register nothing")
    void forbiddenRegistersNothing() {
      open("c2", Role.CLIENT);
      open("tech1", Role.TECH);
      RecordingSession c = open("c1", Role.CLIENT);
      Lookup l = shard.subscribeUsers(c, List.of("tech1", "c2"));
      assertFalse(l.allowed());
      assertEquals(List.of("c2"), l.forbidden());
      assertEquals(List.of(), l.records(), "no record leaks in a refusal");
      shard.preferAway(new UserKey(T, "tech1"), UserPresence.NEVER);
      runFor(3 * IDLE);
      assertEquals(List.of(), c.received().stream().filter(r -> !r.user().equals("c1")).toList(),
          "not even the allowed user of the refused request is watched");
    }

    @Test
    @DisplayName("stop delivering once unsubscribed")
    void unsubscribeStops() {
      RecordingSession w = techWatcher();
      shard.subscribeUsers(w, List.of("u1", "u2"));
      shard.subscribeRoster(w, Role.TECH);
      RecordingSession u1 = open("u1", Role.CLIENT);
      RecordingSession u2 = open("u2", Role.CLIENT);
      open("tech2", Role.TECH);
      assertEquals(Set.of("u1", "u2", "tech2"), users(w.take()));
      shard.unsubscribeUsers(w, List.of("u1", "never-watched"));
      shard.unsubscribeRoster(w, Role.TECH);
      shard.unsubscribeRoster(w, Role.CLIENT);
      runFor(IDLE + 2 * TICK);
      assertEquals(Set.of("u2"), users(w.take()));
      shard.unsubscribeUsers(w, List.of("u2"));
      shard.close(u1, true);
      shard.close(u2, true);
      clock.drain();
      assertEquals(List.of(), w.received());
    }

    @Test
    @DisplayName("of other sessions stay when one watcher unsubscribes")
    void unsubscribeIsPerWatcher() {
      RecordingSession w1 = techWatcher();
      RecordingSession w2 = session(T, "watcher-2", Role.TECH);
      shard.subscribeUsers(w1, List.of("u1"));
      shard.subscribeUsers(w2, List.of("u1"));
      shard.subscribeRoster(w1, Role.CLIENT);
      shard.subscribeRoster(w2, Role.CLIENT);
      shard.unsubscribeUsers(w1, List.of("u1"));
      shard.unsubscribeRoster(w1, Role.CLIENT);
      open("u1", Role.CLIENT);
      assertEquals(List.of(), w1.received());
      assertStatus(only(w2.take()), "u1", Status.ONLINE, Reason.ACTIVE);
    }
  }

  // ---- lookups and targets --------------------------------------------------------------------

  @Nested
  @DisplayName("lookups")
  class Lookups {

    @Test
    @DisplayName("answer a client about techs and unknown users, and refuse clients")
    void clientLookup() {
      open("tech1", Role.TECH);
      open("c2", Role.CLIENT);
      Lookup ok = shard.lookup(new UserKey(T, "c9"), Role.CLIENT, List.of("tech1", "ghost"));
      assertTrue(ok.allowed());
      assertEquals(List.of("tech1", "ghost"), ok.records().stream().map(PresenceRecord::user).toList());
      Lookup no = shard.lookup(new UserKey(T, "c9"), Role.CLIENT, List.of("c2", "tech1", "c2"));
      assertFalse(no.allowed());
      assertEquals(List.of("c2", "c2"), no.forbidden());
      assertEquals(List.of(), no.records());
      Lookup tech = shard.lookup(new UserKey(T, "tech1"), Role.TECH, List.of("c2", "tech1"));
      assertTrue(tech.allowed());
      assertEquals(2, tech.records().size());
    }

    @Test
    @DisplayName("let a client see itself, but no other client")
    void clientSeesItself() {
      open("c2", Role.CLIENT);
      open("c3", Role.CLIENT);
      Lookup self = shard.lookup(new UserKey(T, "c2"), Role.CLIENT, List.of("c2"));
      assertTrue(self.allowed());
      assertEquals(Status.ONLINE, self.records().get(0).status());
      Lookup other = shard.lookup(new UserKey(T, "c2"), Role.CLIENT, List.of("c2", "c3"));
      assertEquals(List.of("c3"), other.forbidden());
    }

    @Test
    @DisplayName("describe a never-seen user as offline with no role")
    void unknownRecord() {
      assertEquals(PresenceRecord.unknown(new UserKey(T, "ghost")), shard.record(new UserKey(T, "ghost")));
      assertEquals(0, shard.stats().users(), "a lookup does not create users");
    }

    @Test
    @DisplayName("target returns the record and a copy of the user's sessions")
    void targetReturnsSessions() {
      RecordingSession a = open("u1", Role.CLIENT);
      RecordingSession b = open("u1", Role.CLIENT);
      Target t = shard.target(a.user());
      assertEquals(List.of(a, b), t.sessions());
      assertSame(a, t.sessions().get(0));
      assertStatus(t.record(), "u1", Status.ONLINE, Reason.ACTIVE);
      assertThrows(UnsupportedOperationException.class, () -> t.sessions().add(a), "a copy, safe for other threads");
      shard.close(a, true);
      assertEquals(2, t.sessions().size(), "not a live view");
      assertEquals(List.of(b), shard.target(a.user()).sessions());
      assertNotSame(t.sessions(), shard.target(a.user()).sessions());

      Target ghost = shard.target(new UserKey(T, "ghost"));
      assertEquals(PresenceRecord.unknown(new UserKey(T, "ghost")), ghost.record());
      assertEquals(List.of(), ghost.sessions());
    }

    @Test
    @DisplayName("target of a lingering user has its status but no session")
    void targetDuringGrace() {
      RecordingSession a = open("u1", Role.CLIENT);
      shard.close(a, false);
      Target t = shard.target(a.user());
      assertEquals(Status.ONLINE, t.record().status());
      assertEquals(List.of(), t.sessions());
    }
  }

  // ---- tenants --------------------------------------------------------------------------------

  @Test
  @DisplayName("keeps tenants apart: same user id, separate presence, rosters and watchers")
  void tenantIsolation() {
    RecordingSession wa = open("a", "watcher", Role.TECH);
    RecordingSession wb = open("b", "watcher", Role.TECH);
    shard.subscribeRoster(wa, Role.CLIENT);
    shard.subscribeRoster(wb, Role.CLIENT);
    shard.subscribeUsers(wa, List.of("u1"));
    shard.subscribeUsers(wb, List.of("u1"));
    RecordingSession ua = open("a", "u1", Role.CLIENT);
    assertEquals(Set.of("u1"), users(wa.take()));
    assertEquals(List.of(), wb.received());
    assertStatus(shard.record(new UserKey("b", "u1")), "u1", Status.OFFLINE, Reason.DISCONNECTED);
    assertEquals(List.of(), shard.roster(new Roster("b", Role.CLIENT)));
    assertEquals(1, shard.roster(new Roster("a", Role.CLIENT)).size());
    assertEquals("a", shard.roster(new Roster("a", Role.CLIENT)).get(0).tenant());
    assertEquals(List.of(), shard.target(new UserKey("b", "u1")).sessions());
    Lookup lb = shard.lookup(new UserKey("b", "t9"), Role.TECH, List.of("u1"));
    assertEquals(Status.OFFLINE, lb.records().get(0).status());
    shard.close(ua, true);
    clock.drain();
    assertEquals(List.of(), wb.received());
    assertEquals(1, wa.received().size());
  }

  // ---- batching -------------------------------------------------------------------------------

  @Nested
  @DisplayName("batching")
  class Batching {

    @Test
    @DisplayName("hands many transitions of one sweep to each watcher in one delivery")
    void oneDeliveryPerWatcherPerSweep() {
      RecordingSession roster = techWatcher();
      RecordingSession some = session(T, "watcher-some", Role.TECH);
      shard.subscribeRoster(roster, Role.CLIENT);
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        ids.add("c" + i);
        open("c" + i, Role.CLIENT);
      }
      shard.subscribeUsers(some, ids.subList(0, 10));
      roster.take();
      some.take();
      clock.advanceTo(T0 + IDLE);
      int soonBefore = clock.runSoonCalls;
      shard.sweep();
      assertEquals(0, roster.batches.size(), "nothing is written before the flush");
      assertEquals(1, clock.runSoonCalls - soonBefore, "one flush scheduled for the whole sweep");
      clock.drain();
      assertEquals(1, roster.batches.size());
      assertEquals(50, roster.batches.get(0).size());
      assertEquals(Set.copyOf(ids), users(roster.batches.get(0)));
      assertEquals(1, some.batches.size());
      assertEquals(Set.copyOf(ids.subList(0, 10)), users(some.batches.get(0)));
      assertTrue(roster.batches.get(0).stream().allMatch(r -> r.status() == Status.AWAY));
    }

    @Test
    @DisplayName("keeps a user's successive changes in order within one batch")
    void orderWithinBatch() {
      RecordingSession w = techWatcher();
      RecordingSession t = open("tech1", Role.TECH);
      shard.subscribeUsers(w, List.of("tech1"));
      shard.preferAway(t.user(), UserPresence.NEVER);
      shard.clearPreferredAway(t.user());
      shard.close(t, true);
      assertEquals(0, w.batches.size());
      clock.drain();
      assertEquals(1, w.batches.size());
      assertEquals(List.of(Status.AWAY, Status.ONLINE, Status.OFFLINE),
          w.batches.get(0).stream().map(PresenceRecord::status).toList());
    }

    @Test
    @DisplayName("an explicit flush with nothing pending delivers nothing")
    void emptyFlush() {
      RecordingSession w = techWatcher();
      shard.flush();
      assertEquals(List.of(), w.received());
    }

    @Test
    @DisplayName("turns 20,000 users away in one sweep and tells a roster watcher about every one")
    void twentyThousandUsers() {
      RecordingSession roster = techWatcher();
      int n = 20_000;
      for (int i = 0; i < n; i++) {
        shard.open(session(T, "c" + i, Role.CLIENT));
      }
      clock.drain();
      shard.subscribeRoster(roster, Role.CLIENT);
      int before = transitions.size();
      assertEquals(n, shard.stats().idleWheel());
      clock.advanceTo(T0 + IDLE);
      shard.sweep();
      clock.drain();
      assertEquals(1, roster.batches.size());
      List<PresenceRecord> got = roster.batches.get(0);
      assertEquals(n, got.size());
      assertEquals(n, users(got).size(), "each user once");
      assertTrue(got.stream().allMatch(r -> r.status() == Status.AWAY && r.since() == T0 + IDLE));
      assertEquals(n, transitions.size() - before);
      assertEquals(0, shard.stats().idleWheel());
    }
  }

  // ---- consistency ----------------------------------------------------------------------------

  /** Per user, each transition starts from the status the previous one ended in. */
  private static void assertChained(List<Transition> ts) {
    Map<String, Status> last = new HashMap<>();
    for (Transition t : ts) {
      String who = t.to().tenant() + "/" + t.to().user();
      Status expectedFrom = last.getOrDefault(who, Status.OFFLINE);
      assertEquals(expectedFrom, t.from(), "transition of " + who + " to " + t.to());
      last.put(who, t.to().status());
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {7, 11, 2024, 99991, 31337})
  @DisplayName("under random traffic, watchers and observers always end on the true record of every user")
  void randomizedConsistency(long seed) {
    java.util.Random rnd = new java.util.Random(seed);
    RecordingSession roster = open("watcher", Role.TECH);
    shard.subscribeRoster(roster, Role.CLIENT);
    shard.subscribeRoster(roster, Role.TECH);
    int userCount = 12;
    Map<String, List<RecordingSession>> open = new HashMap<>();
    for (int step = 0; step < 3_000; step++) {
      String id = "u" + rnd.nextInt(userCount);
      Role role = id.hashCode() % 2 == 0 ? Role.TECH : Role.CLIENT;
      List<RecordingSession> mine = open.computeIfAbsent(id, k -> new ArrayList<>());
      switch (rnd.nextInt(7)) {
        case 0 -> {
          RecordingSession s = session(T, id, role);
          shard.open(s);
          mine.add(s);
        }
        case 1 -> {
          if (!mine.isEmpty()) {
            shard.activity(mine.get(rnd.nextInt(mine.size())), clock.now() - rnd.nextInt((int) (2 * IDLE)));
          }
        }
        case 2 -> {
          if (!mine.isEmpty()) {
            shard.close(mine.remove(rnd.nextInt(mine.size())), rnd.nextBoolean());
          }
        }
        case 3 -> {
          if (role == Role.TECH && shard.stats().users() > 0 && shard.record(new UserKey(T, id)).role() != null) {
            if (rnd.nextBoolean()) {
              long until = rnd.nextBoolean() ? UserPresence.NEVER : clock.now() + rnd.nextInt((int) (3 * IDLE));
              shard.preferAway(new UserKey(T, id), until);
            } else {
              shard.clearPreferredAway(new UserKey(T, id));
            }
          }
        }
        default -> {
          // Time passes: sometimes within a tick, sometimes several ticks.
          long ms = rnd.nextInt(3) == 0 ? rnd.nextInt((int) TICK) : rnd.nextInt((int) (IDLE / 2));
          if (rnd.nextBoolean()) {
            runFor(ms);
          } else {
            clock.advanceBy(ms); // no sweep: the sweep is late
          }
        }
      }
      if (rnd.nextInt(4) == 0) {
        clock.drain();
      }
    }
    runFor(GRACE + 3 * IDLE);
    clock.drain();

    assertChained(transitions);
    Map<String, PresenceRecord> lastSeen = new HashMap<>();
    for (PresenceRecord r : roster.received()) {
      lastSeen.put(r.user(), r);
    }
    Map<String, PresenceRecord> lastObserved = new HashMap<>();
    for (Transition t : transitions) {
      lastObserved.put(t.to().user(), t.to());
    }
    for (int i = 0; i < userCount; i++) {
      UserKey key = new UserKey(T, "u" + i);
      PresenceRecord truth = shard.record(key);
      if (truth.role() == null) {
        continue;
      }
      assertEquals(truth.status(), lastObserved.get(key.user()).status(), "observer view of " + key);
      assertEquals(truth.reason(), lastObserved.get(key.user()).reason(), "observer view of " + key);
      assertEquals(truth.status(), lastSeen.get(key.user()).status(), "watcher view of " + key);
      assertEquals(truth.reason(), lastSeen.get(key.user()).reason(), "watcher view of " + key);
      assertEquals(truth.since(), lastSeen.get(key.user()).since(), "watcher view of " + key);
    }
    // The roster snapshot agrees with the statuses.
    List<PresenceRecord> present = new ArrayList<>(shard.roster(new Roster(T, Role.CLIENT)));
    present.addAll(shard.roster(new Roster(T, Role.TECH)));
    present.sort(Comparator.comparing(PresenceRecord::user));
    for (PresenceRecord r : present) {
      assertFalse(r.status() == Status.OFFLINE, "listed but offline: " + r);
    }
    for (int i = 0; i < userCount; i++) {
      PresenceRecord truth = shard.record(new UserKey(T, "u" + i));
      boolean listed = present.stream().anyMatch(r -> r.user().equals(truth.user()));
      assertEquals(truth.status() != Status.OFFLINE, listed, "roster listing of " + truth);
    }
    assertNull(shard.record(new UserKey(T, "never")).role());
  }
}
