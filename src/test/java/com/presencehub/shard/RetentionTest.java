package com.presencehub.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.presence.Contribution;
import com.presencehub.presence.Preference;
import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.PresenceTimings;
import com.presencehub.presence.Reason;
import com.presencehub.presence.Role;
import com.presencehub.presence.Status;
import com.presencehub.presence.UserKey;
import com.presencehub.presence.UserPresence;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** PROTOCOL.md §2 Retention (issue 10 §4): offline records are forgotten, on a manual clock. */
@DisplayName("Retention of offline users")
class RetentionTest {

  private static final long IDLE = 1_000;
  private static final long GRACE = 500;
  private static final long TICK = 50;
  private static final long RETENTION = 10_000;
  /** The sweep runs every tick; a record goes at most two slots after its deadline. */
  private static final long LATEST = RETENTION + 3 * TICK;
  private static final long T0 = 1_700_000_000_000L;
  private static final String T = "acme";
  private static final UserKey X = new UserKey(T, "x");

  private ManualClock clock;
  private PresenceShard shard;

  @BeforeEach
  void setUp() {
    clock = new ManualClock(T0);
    shard = new PresenceShard(new PresenceTimings(IDLE, GRACE, RETENTION, 32), TICK, clock, ShardObserver.NONE);
  }

  private RecordingSession open(String user, Role role) {
    RecordingSession s = new RecordingSession(T, user, role, user);
    assertFalse(shard.open(s).refused());
    clock.drain();
    return s;
  }

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

  private void assertForgotten(UserKey key) {
    assertEquals(PresenceRecord.unknown(key), shard.record(key), "answers like an unknown user");
  }

  private void assertEmpty() {
    assertEquals(0, shard.stats().users(), "records");
    assertEquals(0, shard.stats().retentionWheel(), "retention wheel");
    assertEquals(0, shard.stats().present(), "roster index");
  }

  @Test
  @DisplayName("after a bye, the record answers last seen for offlineRetentionMs, then like an unknown user")
  void forgottenAfterBye() {
    RecordingSession s = open("x", Role.CLIENT);
    runFor(300);
    shard.activity(s, clock.now());
    long lastActive = clock.now();
    shard.close(s, true);
    long offlineAt = clock.now();
    runFor(RETENTION - TICK);
    PresenceRecord seen = shard.record(X);
    assertEquals(Status.OFFLINE, seen.status());
    assertEquals(lastActive, seen.lastActiveAt(), "last seen");
    assertEquals(offlineAt, seen.since());
    runFor(LATEST - (RETENTION - TICK));
    assertForgotten(X);
    assertEquals(1, shard.stats().forgotten());
    assertEmpty();
  }

  @Test
  @DisplayName("after an abrupt end it counts from the offline at the end of the grace")
  void countsFromTheEndOfTheGrace() {
    RecordingSession s = open("x", Role.TECH);
    shard.close(s, false);
    runFor(GRACE + RETENTION - TICK);
    assertEquals(Role.TECH, shard.record(X).role(), "still remembered");
    runFor(4 * TICK);
    assertForgotten(X);
    assertEmpty();
  }

  @Test
  @DisplayName("a user back before the retention runs out is kept, and counted again from its next offline")
  void backInTime() {
    RecordingSession s = open("x", Role.CLIENT);
    shard.close(s, true);
    runFor(RETENTION / 2);
    s = open("x", Role.CLIENT);
    runFor(RETENTION * 2);
    assertNotNull(shard.record(X).role(), "online users are never forgotten");
    shard.close(s, true);
    runFor(RETENTION - TICK);
    assertEquals(Status.OFFLINE, shard.record(X).status());
    assertNotNull(shard.record(X).lastActiveAt());
    runFor(4 * TICK);
    assertForgotten(X);
    assertEmpty();
  }

  @Test
  @DisplayName("a forgotten user's watchers keep their subscription and hear the user come back; nothing is left once they unsubscribe")
  void watchersDoNotLeakAndStillHear() {
    RecordingSession w = open("w", Role.TECH);
    shard.subscribeUsers(w, List.of("x"));
    shard.subscribeRoster(w, Role.CLIENT);
    RecordingSession s = open("x", Role.CLIENT);
    shard.close(s, true);
    clock.drain();
    runFor(LATEST);
    assertForgotten(X);
    w.take();
    open("x", Role.CLIENT);
    List<PresenceRecord> heard = w.take();
    assertEquals(Status.ONLINE, heard.get(heard.size() - 1).status());
    assertEquals(1, shard.stats().watchedUsers());
    shard.unsubscribeUsers(w, List.of("x"));
    assertEquals(0, shard.stats().watchedUsers());
  }

  @Test
  @DisplayName("replicated records: kept while another node holds a session, forgotten once its share is gone")
  void replicatedRecords() {
    shard.applyRemote("n2", List.of(new Contribution(X, Role.CLIENT, 1, false, true, T0)));
    runFor(RETENTION * 2);
    assertEquals(Status.ONLINE, shard.record(X).status());
    shard.applyRemote("n2", List.of(new Contribution(X, Role.CLIENT, 0, true, true, T0)));
    runFor(RETENTION * 2);
    assertEquals(Status.ONLINE, shard.record(X).status(), "a share in its grace holds the user");
    shard.applyRemote("n2", List.of(Contribution.gone(X, Role.CLIENT)));
    runFor(RETENTION - TICK);
    assertEquals(T0, shard.record(X).lastActiveAt(), "last seen on n2");
    runFor(4 * TICK);
    assertForgotten(X);
    assertEmpty();
  }

  @Test
  @DisplayName("records made only by a cleared preference are forgotten too")
  void recordsFromPreferences() {
    UserKey b = new UserKey(T, "b");
    shard.applyPreferences(List.of(new Preference(b, false, UserPresence.NEVER, T0, "n2")));
    assertEquals(1, shard.stats().users());
    runFor(LATEST);
    assertForgotten(b);
    assertEmpty();
  }

  @Test
  @DisplayName("a tech's preferred away holds its record (the cluster keeps it); once it lapses the record goes")
  void preferredAwayHoldsTheRecord() {
    RecordingSession t = open("x", Role.TECH);
    shard.preferAway(X, clock.now() + 3 * RETENTION);
    shard.close(t, true);
    runFor(2 * RETENTION);
    assertEquals(Status.OFFLINE, shard.record(X).status());
    assertEquals(1, shard.stats().users());
    runFor(RETENTION + LATEST);
    assertForgotten(X);
    assertEmpty();
  }

  @Test
  @DisplayName("50,000 users passing through leave nothing behind: records, wheels, roster index")
  void manyUsersPassThrough() {
    RecordingSession w = open("w", Role.TECH);
    shard.subscribeRoster(w, Role.CLIENT);
    for (int i = 0; i < 50_000; i++) {
      RecordingSession s = new RecordingSession(T, "u" + i, Role.CLIENT, "u" + i);
      shard.open(s);
      shard.activity(s, clock.now());
      shard.close(s, i % 2 == 0);
      if (i % 1_000 == 0) {
        runFor(TICK);
      }
    }
    runFor(GRACE + IDLE + LATEST);
    assertEquals(50_000, shard.stats().forgotten());
    assertEquals(1, shard.stats().users(), "only the watcher, who is online");
    assertEquals(0, shard.stats().retentionWheel());
    assertEquals(0, shard.stats().idleWheel());
    assertEquals(1, shard.stats().present(), "the watcher is listed, nobody else");
    assertTrue(shard.roster(new Roster(T, Role.CLIENT)).isEmpty());
  }
}
