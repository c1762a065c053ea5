package com.presencehub.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.presence.UserPresence.CloseOutcome;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The §2 presence state machine of one user, driven with explicit times. */
@DisplayName("A user's presence")
class UserPresenceTest {

  private static final long IDLE = 1_000;
  private static final long GRACE = 500;
  private static final PresenceTimings TIMINGS = new PresenceTimings(IDLE, GRACE);
  private static final UserKey KEY = new UserKey("t1", "u1");

  private static UserPresence tech() {
    return new UserPresence(KEY, Role.TECH, TIMINGS);
  }

  private static UserPresence client() {
    return new UserPresence(KEY, Role.CLIENT, TIMINGS);
  }

  private static void assertState(UserPresence p, Status status, Reason reason) {
    assertEquals(status, p.status(), "status");
    assertEquals(reason, p.reason(), "reason");
    assertEquals(status, p.record().status(), "record status");
    assertEquals(reason, p.record().reason(), "record reason");
  }

  @Nested
  @DisplayName("before any session")
  class Fresh {

    @Test
    @DisplayName("is offline/disconnected with no since and no lastActiveAt")
    void freshUserIsOfflineWithNullTimes() {
      UserPresence p = client();
      PresenceRecord r = p.record();
      assertEquals(new PresenceRecord("t1", "u1", Role.CLIENT, Status.OFFLINE, Reason.DISCONNECTED, null, null), r);
      assertEquals(UserPresence.NEVER, p.lastActiveAt());
      assertEquals(UserPresence.NEVER, p.idleDeadline());
      assertEquals(0, p.sessions());
      assertFalse(p.lingering());
    }

    @Test
    @DisplayName("stays offline when recomputed at any time")
    void recomputeWithoutSessionsKeepsOffline() {
      UserPresence p = tech();
      assertFalse(p.recompute(0));
      assertFalse(p.recompute(10 * IDLE));
      assertState(p, Status.OFFLINE, Reason.DISCONNECTED);
    }

    @Test
    @DisplayName("ignores activity for status while it has no session")
    void activityWithoutSessionsStaysOffline() {
      UserPresence p = tech();
      assertFalse(p.activity(100, 100));
      assertState(p, Status.OFFLINE, Reason.DISCONNECTED);
    }

    @Test
    @DisplayName("refuses a session close when no session is open")
    void closeWithoutSessionThrows() {
      UserPresence p = tech();
      assertThrows(IllegalStateException.class, () -> p.sessionClosed(true, 0));
      assertThrows(IllegalStateException.class, () -> p.sessionClosed(false, 0));
    }

    @Test
    @DisplayName("ignores a grace expiry when nothing lingers")
    void graceExpiryWithoutLingerChangesNothing() {
      UserPresence p = tech();
      assertFalse(p.graceExpired(1_000));
      assertState(p, Status.OFFLINE, Reason.DISCONNECTED);
    }
  }

  @Nested
  @DisplayName("opening a session")
  class Open {

    @Test
    @DisplayName("turns the user online/active since the open, and counts as activity")
    void openIsOnlineActive() {
      UserPresence p = client();
      assertTrue(p.sessionOpened(Role.CLIENT, 5_000));
      assertState(p, Status.ONLINE, Reason.ACTIVE);
      assertEquals(new PresenceRecord("t1", "u1", Role.CLIENT, Status.ONLINE, Reason.ACTIVE, 5_000L, 5_000L), p.record());
      assertEquals(5_000 + IDLE, p.idleDeadline());
      assertEquals(1, p.sessions());
    }

    @Test
    @DisplayName("a second session of an online user changes nothing published")
    void secondOpenChangesNothing() {
      UserPresence p = client();
      p.sessionOpened(Role.CLIENT, 0);
      assertFalse(p.sessionOpened(Role.CLIENT, 300));
      assertState(p, Status.ONLINE, Reason.ACTIVE);
      assertEquals(0L, p.record().since());
      assertEquals(300L, p.record().lastActiveAt(), "opening counts as activity");
      assertEquals(2, p.sessions());
    }

    @Test
    @DisplayName("a new session of an idle user brings it back online since the open")
    void openWhileIdleIsActivity() {
      UserPresence p = client();
      p.sessionOpened(Role.CLIENT, 0);
      p.recompute(IDLE);
      assertState(p, Status.AWAY, Reason.INACTIVE);
      assertTrue(p.sessionOpened(Role.CLIENT, 2_500));
      assertState(p, Status.ONLINE, Reason.ACTIVE);
      assertEquals(2_500L, p.record().since());
      assertEquals(2_500L, p.record().lastActiveAt());
    }

    @Test
    @DisplayName("an open never moves lastActiveAt backwards")
    void openNeverMovesLastActiveBack() {
      UserPresence p = client();
      p.sessionOpened(Role.CLIENT, 1_000);
      p.sessionOpened(Role.CLIENT, 900);
      assertEquals(1_000L, p.record().lastActiveAt());
    }

    @Test
    @DisplayName("takes the role of the session, and keeps the known role when the session has none")
    void roleFollowsSession() {
      UserPresence p = new UserPresence(KEY, null, TIMINGS);
      assertNull(p.record().role());
      p.sessionOpened(null, 0);
      assertNull(p.role());
      p.sessionOpened(Role.TECH, 1);
      assertEquals(Role.TECH, p.role());
      p.sessionOpened(null, 2);
      assertEquals(Role.TECH, p.record().role());
    }
  }

  @Nested
  @DisplayName("activity")
  class Activity {

    @Test
    @DisplayName("keeps an online user online without a published change, and moves the idle deadline")
    void activityKeepsOnlineAndMovesDeadline() {
      UserPresence p = client();
      p.sessionOpened(Role.CLIENT, 0);
      assertFalse(p.activity(600, 600));
      assertState(p, Status.ONLINE, Reason.ACTIVE);
      assertEquals(600 + IDLE, p.idleDeadline());
      assertEquals(600L, p.record().lastActiveAt());
      assertEquals(0L, p.record().since(), "since is when the status began, not the last activity");
      assertFalse(p.recompute(IDLE), "the old deadline no longer applies");
      assertFalse(p.recompute(600 + IDLE - 1));
      assertTrue(p.recompute(600 + IDLE));
      assertState(p, Status.AWAY, Reason.INACTIVE);
    }

    @Test
    @DisplayName("brings an idle user back online since now")
    void activityAfterIdle() {
      UserPresence p = client();
      p.sessionOpened(Role.CLIENT, 0);
      assertTrue(p.recompute(1_700));
      assertTrue(p.activity(2_000, 2_000));
      assertState(p, Status.ONLINE, Reason.ACTIVE);
      assertEquals(2_000L, p.record().since());
      assertEquals(2_000L, p.record().lastActiveAt());
    }

    @Test
    @DisplayName("with idleMs counts at now - idleMs")
    void idleMsCountsInThePast() {
      UserPresence p = client();
      p.sessionOpened(Role.CLIENT, 0);
      long now = 800;
      long idleMs = 100;
      assertFalse(p.activity(now - idleMs, now));
      assertEquals(700L, p.record().lastActiveAt());
      assertEquals(700 + IDLE, p.idleDeadline());
    }

    @Test
    @DisplayName("with idleMs older than the last activity never moves lastActiveAt backwards")
    void idleMsNeverMovesBackwards() {
      UserPresence p = client();
      p.sessionOpened(Role.CLIENT, 500);
      assertFalse(p.activity(200, 900));
      assertEquals(500L, p.record().lastActiveAt());
      assertEquals(500 + IDLE, p.idleDeadline());
    }

    @Test
    @DisplayName("is never counted in the future")
    void activityNeverInTheFuture() {
      UserPresence p = client();
      p.sessionOpened(Role.CLIENT, 0);
      p.activity(5_000, 1_000);
      assertEquals(1_000L, p.record().lastActiveAt());
      assertEquals(1_000 + IDLE, p.idleDeadline());
    }

    @Test
    @DisplayName("with idleMs beyond the idle timeout on an idle user keeps it away/inactive")
    void idleMsBeyondTimeoutStaysAway() {
      UserPresence p = client();
      p.sessionOpened(Role.CLIENT, 0);
      p.recompute(3_000);
      long since = p.record().since();
      assertFalse(p.activity(3_000 - 1_500, 3_000), "1.5 s of OS idle time is still idle");
      assertState(p, Status.AWAY, Reason.INACTIVE);
      assertEquals(1_500L, p.record().lastActiveAt());
      assertEquals(since, p.record().since(), "still the same away");
    }

    @Test
    @DisplayName("with idleMs on an idle user brings it back online when the input is recent enough")
    void idleMsRecentEnoughBringsOnline() {
      UserPresence p = client();
      p.sessionOpened(Role.CLIENT, 0);
      p.recompute(3_000);
      assertTrue(p.activity(3_000 - 200, 3_000));
      assertState(p, Status.ONLINE, Reason.ACTIVE);
      assertEquals(3_000L, p.record().since());
      assertEquals(2_800L, p.record().lastActiveAt());
    }
  }

  @Nested
  @DisplayName("idle")
  class Idle {

    @Test
    @DisplayName("turns away/inactive exactly at the deadline and never before")
    void idleExactlyAtDeadline() {
      UserPresence p = client();
      p.sessionOpened(Role.CLIENT, 100);
      assertFalse(p.recompute(100 + IDLE - 1));
      assertState(p, Status.ONLINE, Reason.ACTIVE);
      assertTrue(p.recompute(100 + IDLE));
      assertState(p, Status.AWAY, Reason.INACTIVE);
      assertFalse(p.recompute(100 + IDLE + 1), "no second transition");
    }

    @Test
    @DisplayName("dates the away from the deadline, not from when it was noticed")
    void idleSinceIsDeadline() {
      UserPresence p = client();
      p.sessionOpened(Role.CLIENT, 100);
      p.activity(400, 400);
      assertTrue(p.recompute(400 + IDLE + 777));
      assertEquals(new PresenceRecord("t1", "u1", Role.CLIENT, Status.AWAY, Reason.INACTIVE, 400 + IDLE, 400L), p.record());
    }
  }

  @Nested
  @DisplayName("with many sessions")
  class ManySessions {

    @Test
    @DisplayName("aggregates: one abrupt close while others stay open changes nothing")
    void abruptCloseWithOthersOpen() {
      UserPresence p = client();
      p.sessionOpened(Role.CLIENT, 0);
      p.sessionOpened(Role.CLIENT, 10);
      p.sessionOpened(Role.CLIENT, 20);
      PresenceRecord before = p.record();
      assertEquals(CloseOutcome.STILL_CONNECTED, p.sessionClosed(false, 30));
      assertEquals(before, p.record());
      assertFalse(p.lingering());
      assertEquals(CloseOutcome.STILL_CONNECTED, p.sessionClosed(true, 40));
      assertEquals(before, p.record());
      assertEquals(1, p.sessions());
    }

    @Test
    @DisplayName("activity on any one session keeps the user online")
    void anySessionActivityCounts() {
      UserPresence p = client();
      p.sessionOpened(Role.CLIENT, 0);
      p.sessionOpened(Role.CLIENT, 0);
      p.activity(900, 900);
      assertFalse(p.recompute(1_500));
      assertState(p, Status.ONLINE, Reason.ACTIVE);
    }

    @Test
    @DisplayName("an idle user stays idle when one of its sessions closes")
    void idleUserStaysIdleOnPartialClose() {
      UserPresence p = client();
      p.sessionOpened(Role.CLIENT, 0);
      p.sessionOpened(Role.CLIENT, 0);
      p.recompute(IDLE);
      assertEquals(CloseOutcome.STILL_CONNECTED, p.sessionClosed(false, IDLE + 5));
      assertState(p, Status.AWAY, Reason.INACTIVE);
    }
  }

  @Nested
  @DisplayName("when the last session ends")
  class LastSession {

    @Test
    @DisplayName("with bye, is offline/disconnected at once, since the bye")
    void byeIsOfflineNow() {
      UserPresence p = client();
      p.sessionOpened(Role.CLIENT, 0);
      assertEquals(CloseOutcome.OFFLINE_NOW, p.sessionClosed(true, 200));
      assertState(p, Status.OFFLINE, Reason.DISCONNECTED);
      assertFalse(p.lingering());
      assertEquals(200L, p.record().since());
      assertEquals(0L, p.record().lastActiveAt(), "lastActiveAt survives going offline");
    }

    @Test
    @DisplayName("abruptly, stays present during the grace and turns offline when it runs out")
    void abruptIsGrace() {
      UserPresence p = client();
      p.sessionOpened(Role.CLIENT, 0);
      assertEquals(CloseOutcome.GRACE_STARTED, p.sessionClosed(false, 100));
      assertTrue(p.lingering());
      assertState(p, Status.ONLINE, Reason.ACTIVE);
      assertEquals(0, p.sessions());
      assertFalse(p.recompute(100 + GRACE - 1));
      assertState(p, Status.ONLINE, Reason.ACTIVE);
      assertTrue(p.graceExpired(100 + GRACE));
      assertState(p, Status.OFFLINE, Reason.DISCONNECTED);
      assertEquals(100 + GRACE, (long) p.record().since());
      assertFalse(p.lingering());
      assertFalse(p.graceExpired(100 + GRACE + 1), "a second expiry changes nothing");
    }

    @Test
    @DisplayName("abruptly, with a new session during the grace, never turns offline")
    void reopenDuringGrace() {
      UserPresence p = client();
      p.sessionOpened(Role.CLIENT, 0);
      p.sessionClosed(false, 100);
      assertFalse(p.sessionOpened(Role.CLIENT, 300), "no flap: nothing to publish");
      assertFalse(p.lingering());
      assertState(p, Status.ONLINE, Reason.ACTIVE);
      assertEquals(0L, p.record().since(), "the online status never ended");
      assertFalse(p.graceExpired(100 + GRACE), "a late grace expiry is ignored");
      assertState(p, Status.ONLINE, Reason.ACTIVE);
    }

    @Test
    @DisplayName("abruptly, with no grace configured, is offline at once")
    void zeroGraceIsOfflineNow() {
      UserPresence p = new UserPresence(KEY, Role.CLIENT, new PresenceTimings(IDLE, 0));
      p.sessionOpened(Role.CLIENT, 0);
      assertEquals(CloseOutcome.OFFLINE_NOW, p.sessionClosed(false, 10));
      assertState(p, Status.OFFLINE, Reason.DISCONNECTED);
      assertFalse(p.lingering());
    }

    @Test
    @DisplayName("abruptly, an idle deadline passing during the grace turns the lingering user away first")
    void idleDuringGrace() {
      UserPresence p = client();
      p.sessionOpened(Role.CLIENT, 0);
      p.sessionClosed(false, IDLE - 100);
      assertTrue(p.recompute(IDLE));
      assertState(p, Status.AWAY, Reason.INACTIVE);
      assertTrue(p.graceExpired(IDLE - 100 + GRACE));
      assertState(p, Status.OFFLINE, Reason.DISCONNECTED);
    }

    @Test
    @DisplayName("a bye after going offline and reopening counts the reopen as fresh activity")
    void reopenAfterOffline() {
      UserPresence p = client();
      p.sessionOpened(Role.CLIENT, 0);
      p.sessionClosed(true, 100);
      assertTrue(p.sessionOpened(Role.CLIENT, 5_000));
      assertEquals(new PresenceRecord("t1", "u1", Role.CLIENT, Status.ONLINE, Reason.ACTIVE, 5_000L, 5_000L), p.record());
    }
  }

  @Nested
  @DisplayName("preferred away")
  class Preferred {

    @Test
    @DisplayName("is refused for a client")
    void clientCannotPreferAway() {
      UserPresence p = client();
      p.sessionOpened(Role.CLIENT, 0);
      assertThrows(IllegalStateException.class, () -> p.preferAway(UserPresence.NEVER, 10));
      assertState(p, Status.ONLINE, Reason.ACTIVE);
      assertFalse(p.preferredAway());
    }

    @Test
    @DisplayName("is refused for a user of unknown role")
    void unknownRoleCannotPreferAway() {
      UserPresence p = new UserPresence(KEY, null, TIMINGS);
      assertThrows(IllegalStateException.class, () -> p.preferAway(UserPresence.NEVER, 10));
    }

    @Test
    @DisplayName("turns a tech away/preferred since now")
    void techPrefersAway() {
      UserPresence p = tech();
      p.sessionOpened(Role.TECH, 0);
      assertTrue(p.preferAway(UserPresence.NEVER, 300));
      assertState(p, Status.AWAY, Reason.PREFERRED);
      assertEquals(300L, p.record().since());
      assertTrue(p.preferredAway());
      assertEquals(UserPresence.NEVER, p.preferredUntil());
    }

    @Test
    @DisplayName("is not changed by activity, nor by the idle deadline")
    void activityDoesNotClearPreferred() {
      UserPresence p = tech();
      p.sessionOpened(Role.TECH, 0);
      p.preferAway(UserPresence.NEVER, 100);
      assertFalse(p.activity(500, 500));
      assertState(p, Status.AWAY, Reason.PREFERRED);
      assertEquals(500L, p.record().lastActiveAt(), "activity is still recorded");
      assertFalse(p.recompute(500 + IDLE + 1));
      assertState(p, Status.AWAY, Reason.PREFERRED);
      assertFalse(p.sessionOpened(Role.TECH, 600));
      assertState(p, Status.AWAY, Reason.PREFERRED);
    }

    @Test
    @DisplayName("over an idle user changes the reason but not since")
    void preferWhileIdle() {
      UserPresence p = tech();
      p.sessionOpened(Role.TECH, 0);
      p.recompute(2_000);
      assertTrue(p.preferAway(UserPresence.NEVER, 2_500));
      assertState(p, Status.AWAY, Reason.PREFERRED);
      assertEquals(IDLE, (long) p.record().since(), "the away status began at the idle deadline");
    }

    @Test
    @DisplayName("lapses when its until passes, and presence follows activity again")
    void untilLapses() {
      UserPresence p = tech();
      p.sessionOpened(Role.TECH, 0);
      p.preferAway(800, 100);
      p.activity(700, 700);
      assertFalse(p.recompute(799));
      assertState(p, Status.AWAY, Reason.PREFERRED);
      assertTrue(p.recompute(800));
      assertState(p, Status.ONLINE, Reason.ACTIVE);
      assertEquals(800L, p.record().since());
      assertFalse(p.preferredAway());
      assertEquals(UserPresence.NEVER, p.preferredUntil());
    }

    @Test
    @DisplayName("lapsing on an idle tech leaves it away/inactive")
    void untilLapsesIntoIdle() {
      UserPresence p = tech();
      p.sessionOpened(Role.TECH, 0);
      p.preferAway(3_000, 100);
      assertTrue(p.recompute(3_000));
      assertState(p, Status.AWAY, Reason.INACTIVE);
      assertEquals(100L, p.record().since(), "still the away that began with the preference");
    }

    @Test
    @DisplayName("with an until already past changes nothing")
    void untilInThePast() {
      UserPresence p = tech();
      p.sessionOpened(Role.TECH, 0);
      assertFalse(p.preferAway(50, 100));
      assertState(p, Status.ONLINE, Reason.ACTIVE);
      assertFalse(p.preferredAway());
    }

    @Test
    @DisplayName("survives all sessions closing with bye and comes back on reconnect")
    void survivesReconnectAfterBye() {
      UserPresence p = tech();
      p.sessionOpened(Role.TECH, 0);
      p.preferAway(UserPresence.NEVER, 100);
      assertEquals(CloseOutcome.OFFLINE_NOW, p.sessionClosed(true, 200));
      assertState(p, Status.OFFLINE, Reason.DISCONNECTED);
      assertTrue(p.sessionOpened(Role.TECH, 9_000));
      assertState(p, Status.AWAY, Reason.PREFERRED);
      assertEquals(9_000L, p.record().since());
    }

    @Test
    @DisplayName("survives an abrupt loss of the last session (grace, then offline, then reconnect)")
    void survivesAbruptLoss() {
      UserPresence p = tech();
      p.sessionOpened(Role.TECH, 0);
      p.preferAway(UserPresence.NEVER, 100);
      assertEquals(CloseOutcome.GRACE_STARTED, p.sessionClosed(false, 200));
      assertState(p, Status.AWAY, Reason.PREFERRED);
      assertFalse(p.sessionOpened(Role.TECH, 300), "reconnect in the grace: no change");
      assertState(p, Status.AWAY, Reason.PREFERRED);
      p.sessionClosed(false, 400);
      assertTrue(p.graceExpired(400 + GRACE));
      assertTrue(p.sessionOpened(Role.TECH, 5_000));
      assertState(p, Status.AWAY, Reason.PREFERRED);
    }

    @Test
    @DisplayName("whose until passes while offline does not come back on reconnect")
    void untilLapsesWhileOffline() {
      UserPresence p = tech();
      p.sessionOpened(Role.TECH, 0);
      p.preferAway(1_000, 100);
      p.sessionClosed(true, 200);
      assertTrue(p.sessionOpened(Role.TECH, 2_000));
      assertState(p, Status.ONLINE, Reason.ACTIVE);
    }

    @Test
    @DisplayName("cleared, follows activity: online when active")
    void clearWhenActive() {
      UserPresence p = tech();
      p.sessionOpened(Role.TECH, 0);
      p.preferAway(UserPresence.NEVER, 100);
      p.activity(400, 400);
      assertTrue(p.clearPreferredAway(500));
      assertState(p, Status.ONLINE, Reason.ACTIVE);
      assertEquals(500L, p.record().since());
      assertFalse(p.preferredAway());
    }

    @Test
    @DisplayName("cleared, follows activity: away/inactive when idle, dated from the preference")
    void clearWhenIdle() {
      UserPresence p = tech();
      p.sessionOpened(Role.TECH, 0);
      p.preferAway(UserPresence.NEVER, 100);
      assertTrue(p.clearPreferredAway(5_000));
      assertState(p, Status.AWAY, Reason.INACTIVE);
      assertEquals(100L, p.record().since(), "the status stayed away");
    }

    @Test
    @DisplayName("cleared when none is set changes nothing")
    void clearWithoutPreference() {
      UserPresence p = tech();
      p.sessionOpened(Role.TECH, 0);
      assertFalse(p.clearPreferredAway(10));
      assertState(p, Status.ONLINE, Reason.ACTIVE);
    }

    @Test
    @DisplayName("set again replaces the previous until")
    void preferAgainReplacesUntil() {
      UserPresence p = tech();
      p.sessionOpened(Role.TECH, 0);
      p.preferAway(500, 100);
      assertFalse(p.preferAway(UserPresence.NEVER, 200));
      assertFalse(p.recompute(600));
      assertState(p, Status.AWAY, Reason.PREFERRED);
    }

    @Test
    @DisplayName("set while offline takes effect on the next session")
    void preferWhileOffline() {
      UserPresence p = tech();
      p.sessionOpened(Role.TECH, 0);
      p.sessionClosed(true, 10);
      assertFalse(p.preferAway(UserPresence.NEVER, 20));
      assertState(p, Status.OFFLINE, Reason.DISCONNECTED);
      assertTrue(p.sessionOpened(Role.TECH, 30));
      assertState(p, Status.AWAY, Reason.PREFERRED);
    }
  }

  @Test
  @DisplayName("returns the same record for the same state")
  void recordIsAValue() {
    UserPresence p = client();
    p.sessionOpened(Role.CLIENT, 42);
    assertEquals(p.record(), p.record());
    assertEquals(KEY, p.record().key());
    assertEquals(KEY, p.key());
  }
}
