package com.presencehub.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.PresenceTimings;
import com.presencehub.presence.Reason;
import com.presencehub.presence.Role;
import com.presencehub.presence.Status;
import com.presencehub.presence.UserKey;
import com.presencehub.presence.UserPresence;
import com.presencehub.presence.VisibilityPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** PROTOCOL.md §3 one role per user, and §4 sessions per user, on one shard (issue 10 §2). */
@DisplayName("Admission to a shard")
class OneRolePerUserTest {

  private static final long IDLE = 1_000;
  private static final long GRACE = 500;
  private static final long TICK = 50;
  private static final long RETENTION = 2_000;
  private static final long T0 = 1_700_000_000_000L;
  private static final String T = "acme";
  private static final UserKey X = new UserKey(T, "x");

  private ManualClock clock;
  private PresenceShard shard;
  private final List<PresenceRecord> observed = new ArrayList<>();

  @BeforeEach
  void setUp() {
    clock = new ManualClock(T0);
    shard = new PresenceShard(new PresenceTimings(IDLE, GRACE, RETENTION, 4), TICK, clock, (from, to) -> observed.add(to));
  }

  private RecordingSession session(String user, Role role) {
    return new RecordingSession(T, user, role, user + "/" + role.wire() + "#" + System.nanoTime());
  }

  private RecordingSession open(String user, Role role) {
    RecordingSession s = session(user, role);
    Opened o = shard.open(s);
    assertFalse(o.refused(), "refused: " + o.message());
    clock.drain();
    return s;
  }

  private Opened attempt(String user, Role role) {
    Opened o = shard.open(session(user, role));
    clock.drain();
    return o;
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

  private static PresenceRecord last(RecordingSession watcher, String user) {
    PresenceRecord found = null;
    for (PresenceRecord r : watcher.received()) {
      if (r.user().equals(user)) {
        found = r;
      }
    }
    return found;
  }

  private static void assertRecord(PresenceRecord r, Role role, Status status) {
    assertEquals(role, r.role(), "role of " + r);
    assertEquals(status, r.status(), "status of " + r);
  }

  private static void assertRoleConflict(Opened o, Role held, Role wanted) {
    assertTrue(o.refused(), "a second role must be refused");
    assertEquals(Opened.Refusal.ROLE_CONFLICT, o.refusal());
    assertNull(o.record());
    assertTrue(o.message().contains("role conflict") && o.message().contains("as " + held.wire())
        && o.message().contains("as " + wanted.wire()), "the message names the conflict: " + o.message());
  }

  @Test
  @DisplayName("issue 10 §2, roster: a client session of an open tech is refused; after both byes the roster watcher holds offline/tech")
  void rosterWatcherSeesTheTechGo() {
    RecordingSession c = open("c", Role.CLIENT);
    shard.subscribeRoster(c, Role.TECH);
    RecordingSession tech = open("x", Role.TECH);
    assertRecord(last(c, "x"), Role.TECH, Status.ONLINE);

    assertRoleConflict(attempt("x", Role.CLIENT), Role.TECH, Role.CLIENT);
    assertRecord(shard.record(X), Role.TECH, Status.ONLINE);
    assertEquals(1, shard.target(X).sessions().size(), "the refused session is not registered");

    shard.close(tech, true);
    clock.drain();
    assertRecord(last(c, "x"), Role.TECH, Status.OFFLINE);
    assertRecord(shard.record(X), Role.TECH, Status.OFFLINE);
    assertTrue(shard.roster(new Roster(T, Role.TECH)).isEmpty());
  }

  @Test
  @DisplayName("issue 10 §2, users: a client watching X by id and a tech watching X hear online/tech then offline/tech")
  void usersWatcherSeesTheTechGo() {
    RecordingSession c = open("c", Role.CLIENT);
    RecordingSession w = open("w", Role.TECH);
    shard.subscribeUsers(c, List.of("x"));
    shard.subscribeUsers(w, List.of("x"));
    RecordingSession tech = open("x", Role.TECH);
    assertRoleConflict(attempt("x", Role.CLIENT), Role.TECH, Role.CLIENT);
    shard.close(tech, true);
    clock.drain();
    for (RecordingSession watcher : List.of(c, w)) {
      List<PresenceRecord> seen = watcher.received().stream().filter(r -> r.user().equals("x")).toList();
      assertEquals(2, seen.size(), watcher + " heard " + seen);
      assertRecord(seen.get(0), Role.TECH, Status.ONLINE);
      assertRecord(seen.get(1), Role.TECH, Status.OFFLINE);
    }
  }

  @Test
  @DisplayName("issue 10 §2, grace: a tech that drops without bye cannot return as client within the grace; after it, offline/tech first, then the client")
  void inGraceTechRefusesClient() {
    RecordingSession c = open("c", Role.CLIENT);
    shard.subscribeRoster(c, Role.TECH);
    RecordingSession w = open("w", Role.TECH);
    shard.subscribeUsers(w, List.of("x"));
    shard.subscribeRoster(w, Role.CLIENT);
    RecordingSession tech = open("x", Role.TECH);
    shard.close(tech, false);
    clock.drain();
    runFor(GRACE / 2);
    assertRoleConflict(attempt("x", Role.CLIENT), Role.TECH, Role.CLIENT);
    assertRecord(shard.record(X), Role.TECH, Status.ONLINE);

    runFor(GRACE);
    assertRecord(last(c, "x"), Role.TECH, Status.OFFLINE);
    // Now the role may change: the user is offline everywhere.
    RecordingSession client = open("x", Role.CLIENT);
    assertRecord(shard.record(X), Role.CLIENT, Status.ONLINE);
    assertRecord(last(c, "x"), Role.TECH, Status.OFFLINE);
    List<PresenceRecord> seen = w.received().stream().filter(r -> r.user().equals("x")).toList();
    assertEquals(3, seen.size(), "tech watcher heard " + seen);
    assertRecord(seen.get(0), Role.TECH, Status.ONLINE);
    assertRecord(seen.get(1), Role.TECH, Status.OFFLINE);
    assertRecord(seen.get(2), Role.CLIENT, Status.ONLINE);
    assertTrue(shard.roster(new Roster(T, Role.TECH)).stream().noneMatch(r -> r.user().equals("x")));
    assertTrue(shard.roster(new Roster(T, Role.CLIENT)).stream().anyMatch(r -> r.user().equals("x")));
    shard.close(client, true);
  }

  @Test
  @DisplayName("issue 10 §2, both sessions: the tech can still set away, and stays a tech reachable by clients after the refused client session ends")
  void techKeepsItsRole() {
    RecordingSession tech = open("x", Role.TECH);
    RecordingSession refused = session("x", Role.CLIENT);
    assertTrue(shard.open(refused).refused());
    PresenceRecord away = shard.preferAway(X, UserPresence.NEVER);
    assertEquals(Reason.PREFERRED, away.reason());
    shard.close(refused, true);
    clock.drain();
    PresenceRecord r = shard.record(X);
    assertRecord(r, Role.TECH, Status.AWAY);
    assertTrue(VisibilityPolicy.canSee(Role.CLIENT, shard.target(X).record().role()), "clients may push to the tech");
    assertEquals(List.of(tech), shard.target(X).sessions());
  }

  @Test
  @DisplayName("a role changes once the user is offline, both ways, and a tech's preferred away does not follow it into a client")
  void roleChangesOnlyWhenOffline() {
    RecordingSession c = open("c", Role.CLIENT);
    shard.subscribeRoster(c, Role.TECH);
    RecordingSession tech = open("x", Role.TECH);
    shard.preferAway(X, UserPresence.NEVER);
    shard.close(tech, true);
    RecordingSession client = open("x", Role.CLIENT);
    PresenceRecord asClient = shard.record(X);
    assertRecord(asClient, Role.CLIENT, Status.ONLINE);
    assertEquals(Reason.ACTIVE, asClient.reason(), "a client's presence is automatic");
    assertRoleConflict(attempt("x", Role.TECH), Role.CLIENT, Role.TECH);
    shard.close(client, true);
    clock.drain();
    open("x", Role.TECH);
    assertRecord(shard.record(X), Role.TECH, Status.AWAY);
    assertRecord(last(c, "x"), Role.TECH, Status.AWAY);
  }

  @Test
  @DisplayName("the same sub in another tenant is another user: its role is free")
  void otherTenantIsAnotherUser() {
    open("x", Role.TECH);
    RecordingSession other = new RecordingSession("globex", "x", Role.CLIENT, "globex/x");
    assertFalse(shard.open(other).refused());
  }

  @Test
  @DisplayName("sessions per user: one more than maxSessionsPerUser is refused naming the limit; in-grace ones do not count")
  void sessionsPerUser() {
    List<RecordingSession> open = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      open.add(open("x", Role.TECH));
    }
    Opened fifth = attempt("x", Role.TECH);
    assertTrue(fifth.refused());
    assertEquals(Opened.Refusal.TOO_MANY_SESSIONS, fifth.refusal());
    assertTrue(fifth.message().contains("4") && fifth.message().contains("maxSessionsPerUser"), fifth.message());
    assertEquals(4, shard.target(X).sessions().size());
    shard.close(open.remove(0), false);
    assertFalse(attempt("x", Role.TECH).refused(), "a closed session frees its place");
    for (RecordingSession s : open) {
      shard.close(s, false);
    }
    assertFalse(attempt("x", Role.TECH).refused(), "sessions in grace do not count");
  }

  /**
   * Random opens with either role, closes (bye or not), activity and time, with watchers of every
   * kind: a watcher's last record of a user is never a non-offline record the truth contradicts,
   * and a watcher entitled to see the truth ends on it.
   */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 42, 777, 2026, 90210})
  @DisplayName("under random roles, no watcher ever ends on a record that the truth contradicts")
  void randomRoles(long seed) {
    Random rnd = new Random(seed);
    RecordingSession techRosters = open("w-tech", Role.TECH);
    shard.subscribeRoster(techRosters, Role.TECH);
    shard.subscribeRoster(techRosters, Role.CLIENT);
    RecordingSession clientRoster = open("w-client", Role.CLIENT);
    shard.subscribeRoster(clientRoster, Role.TECH);
    int users = 6;
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < users; i++) {
      ids.add("u" + i);
    }
    RecordingSession techUsers = open("w-tech-users", Role.TECH);
    shard.subscribeUsers(techUsers, ids);
    RecordingSession clientUsers = open("w-client-users", Role.CLIENT);
    shard.subscribeUsers(clientUsers, ids);
    Map<String, List<RecordingSession>> open = new HashMap<>();
    int refusedRoles = 0;
    for (int step = 0; step < 4_000; step++) {
      String id = ids.get(rnd.nextInt(users));
      List<RecordingSession> mine = open.computeIfAbsent(id, k -> new ArrayList<>());
      switch (rnd.nextInt(6)) {
        case 0, 1 -> {
          RecordingSession s = session(id, rnd.nextBoolean() ? Role.TECH : Role.CLIENT);
          Opened o = shard.open(s);
          if (o.refused()) {
            refusedRoles += o.refusal() == Opened.Refusal.ROLE_CONFLICT ? 1 : 0;
          } else {
            mine.add(s);
          }
        }
        case 2 -> {
          if (!mine.isEmpty()) {
            shard.close(mine.remove(rnd.nextInt(mine.size())), rnd.nextBoolean());
          }
        }
        case 3 -> {
          if (!mine.isEmpty()) {
            shard.activity(mine.get(0), clock.now());
          }
        }
        default -> runFor(rnd.nextInt((int) GRACE));
      }
      // Invariant at every step, not only at the end: sessions of a user share one role.
      List<RecordingSession> held = open.get(id);
      assertTrue(held.stream().map(RecordingSession::role).distinct().count() <= 1, "two roles at once for " + id);
      if (rnd.nextInt(3) == 0) {
        clock.drain();
      }
    }
    runFor(GRACE + 2 * IDLE);
    assertTrue(refusedRoles > 0, "the traffic exercised the rule");
    for (String id : ids) {
      PresenceRecord truth = shard.record(new UserKey(T, id));
      check(techRosters, truth, true, true);
      check(clientRoster, truth, true, false);
      check(techUsers, truth, true, true);
      check(clientUsers, truth, true, false);
    }
  }

  private static void check(RecordingSession watcher, PresenceRecord truth, boolean watchesTech, boolean watchesClient) {
    PresenceRecord seen = last(watcher, truth.user());
    boolean entitled = truth.role() != null && VisibilityPolicy.canSee(watcher.role(), truth.role())
        && (truth.role() == Role.TECH ? watchesTech : watchesClient);
    if (seen != null && seen.status() != Status.OFFLINE) {
      assertEquals(truth.role(), seen.role(), watcher + " holds " + seen + " but the truth is " + truth);
      assertEquals(truth.status(), seen.status(), watcher + " holds " + seen + " but the truth is " + truth);
      assertEquals(truth.reason(), seen.reason(), watcher + " holds " + seen + " but the truth is " + truth);
    }
    if (entitled && truth.status() != Status.OFFLINE) {
      assertEquals(truth.status(), seen == null ? null : seen.status(), watcher + " missed " + truth);
    }
  }
}
