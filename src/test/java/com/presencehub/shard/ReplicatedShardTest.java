package com.presencehub.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A shard in a cluster: other nodes' shares merged in, its own shares sent out, the change feed. */
@DisplayName("A replicated shard")
class ReplicatedShardTest {

  private static final long IDLE = 1_000;
  private static final long GRACE = 500;
  private static final long T0 = 1_700_000_000_000L;
  private static final UserKey U = new UserKey("acme", "u1");

  private ManualClock clock;
  private final List<List<Contribution>> sent = new ArrayList<>();
  private final List<List<Preference>> sentPreferences = new ArrayList<>();
  private final List<PresenceRecord> published = new ArrayList<>();
  private boolean leading = true;
  private PresenceShard shard;

  @BeforeEach
  void setUp() {
    clock = new ManualClock(T0);
    ReplicationSink sink = new ReplicationSink() {
      @Override
      public String node() {
        return "me";
      }

      @Override
      public void send(List<Contribution> contributions, List<Preference> preferences) {
        sent.add(contributions);
        sentPreferences.add(preferences);
      }
    };
    ChangeFeed feed = r -> {
      if (leading) {
        published.add(r);
      }
      return leading;
    };
    shard = new PresenceShard(new PresenceTimings(IDLE, GRACE), 50, clock, ShardObserver.NONE, sink, feed);
  }

  private Contribution remote(int sessions, boolean lingering, boolean active, long last) {
    return new Contribution(U, Role.CLIENT, sessions, lingering, active, last);
  }

  @Test
  void aSessionOnAnotherNodeMakesTheUserOnlineHereAndItsEndOffline() {
    shard.applyRemote("n2", List.of(remote(1, false, true, T0)));
    assertEquals(Status.ONLINE, shard.record(U).status());
    assertEquals(T0, shard.record(U).lastActiveAt());
    shard.applyRemote("n2", List.of(Contribution.gone(U, Role.CLIENT)));
    PresenceRecord r = shard.record(U);
    assertEquals(Status.OFFLINE, r.status());
    assertEquals(T0, r.lastActiveAt(), "an offline record keeps the last activity seen anywhere");
    assertEquals(List.of(Status.ONLINE, Status.OFFLINE), published.stream().map(PresenceRecord::status).toList());
  }

  @Test
  void theOwnerDecidesIdlenessNotALateLastActiveAt() {
    // Node n2 says active even though its lastActiveAt is older than the idle timeout here.
    clock.advanceBy(IDLE * 3);
    shard.applyRemote("n2", List.of(remote(1, false, true, T0)));
    assertEquals(Status.ONLINE, shard.record(U).status());
    shard.applyRemote("n2", List.of(remote(1, false, false, T0 + 10)));
    PresenceRecord r = shard.record(U);
    assertEquals(Status.AWAY, r.status());
    assertEquals(Reason.INACTIVE, r.reason());
    assertEquals(T0 + 10 + IDLE, r.since(), "away since the owner's last activity plus the idle timeout");
  }

  @Test
  void aLocalSessionAndARemoteOneAreOneUser() {
    RecordingSession s = new RecordingSession("acme", "u1", Role.CLIENT, "local");
    shard.open(s);
    shard.applyRemote("n2", List.of(remote(1, false, true, T0)));
    shard.close(s, false);
    clock.advanceBy(GRACE * 3);
    clock.drain();
    assertEquals(Status.ONLINE, shard.record(U).status(), "the session on n2 keeps the user");
    assertEquals(1, published.size(), "only the first online was a transition: " + published);
    assertEquals(List.of("n2"), shard.target(U).nodes());
  }

  @Test
  void localSharesAreSentOncePerBurstAndActivityOnlyWhenItMatters() {
    RecordingSession s = new RecordingSession("acme", "u1", Role.CLIENT, "local");
    shard.open(s);
    shard.activity(s, clock.now());
    clock.drain();
    assertEquals(1, sent.size());
    assertEquals(1, sent.get(0).size(), "open and activity in one burst leave as one share");
    assertTrue(sent.get(0).get(0).active());
    // A few ms of activity later: nothing others need.
    clock.advanceBy(5);
    shard.activity(s, clock.now());
    clock.drain();
    assertEquals(1, sent.size());
    // Idle: the share turns inactive and is sent.
    clock.advanceBy(IDLE + 100);
    shard.sweep();
    clock.drain();
    assertEquals(2, sent.size());
    assertFalse(sent.get(1).get(0).active());
    shard.close(s, true);
    clock.drain();
    assertFalse(sent.get(2).get(0).present(), "a bye leaves no share behind");
  }

  @Test
  void preferencesAreLatestWriteWinsAcrossNodes() {
    RecordingSession s = new RecordingSession("acme", "t1", Role.TECH, "tech");
    UserKey tech = s.user();
    shard.open(s);
    shard.preferAway(tech, UserPresence.NEVER);
    clock.drain();
    Preference mine = sentPreferences.get(sentPreferences.size() - 1).get(0);
    assertTrue(mine.away());
    assertEquals("me", mine.node());
    // An older write from elsewhere loses.
    shard.applyPreferences(List.of(new Preference(tech, false, UserPresence.NEVER, mine.stamp() - 1, "zz")));
    assertEquals(Reason.PREFERRED, shard.record(tech).reason());
    // A newer one wins.
    shard.applyPreferences(List.of(new Preference(tech, false, UserPresence.NEVER, mine.stamp() + 1, "aa")));
    assertEquals(Reason.ACTIVE, shard.record(tech).reason());
  }

  // ---- one role per user and sessions per user across nodes (PROTOCOL.md §3, §4) ---------------

  private static Contribution share(Role role, int sessions, boolean lingering) {
    return new Contribution(U, role, sessions, lingering, true, T0);
  }

  private static String roles(List<PresenceRecord> records) {
    StringBuilder b = new StringBuilder();
    for (PresenceRecord r : records) {
      if (r.user().equals(U.user())) {
        b.append(r.status().wire()).append('/').append(r.role().wire()).append(' ');
      }
    }
    return b.toString().trim();
  }

  @Test
  @DisplayName("a session with another role than the user's session on another node is refused, also while that one is in its grace")
  void roleConflictWithAnotherNode() {
    shard.applyRemote("n2", List.of(share(Role.TECH, 1, false)));
    Opened o = shard.open(new RecordingSession("acme", "u1", Role.CLIENT, "client"));
    assertTrue(o.refused());
    assertEquals(Opened.Refusal.ROLE_CONFLICT, o.refusal());
    shard.applyRemote("n2", List.of(share(Role.TECH, 0, true)));
    assertTrue(shard.open(new RecordingSession("acme", "u1", Role.CLIENT, "client")).refused(), "in grace on n2");
    assertFalse(shard.open(new RecordingSession("acme", "u1", Role.TECH, "tech")).refused(), "same role is welcome");
  }

  @Test
  @DisplayName("the role is free again once the other node's share is gone")
  void roleFreeAfterRemoteGone() {
    shard.applyRemote("n2", List.of(share(Role.TECH, 1, false)));
    shard.applyRemote("n2", List.of(Contribution.gone(U, Role.TECH)));
    Opened o = shard.open(new RecordingSession("acme", "u1", Role.CLIENT, "client"));
    assertFalse(o.refused());
    assertEquals(Role.CLIENT, o.record().role());
  }

  @Test
  @DisplayName("sessions per user are counted over the merged view: other nodes' sessions count, their grace does not")
  void sessionsCountedClusterWide() {
    shard.applyRemote("n2", List.of(share(Role.CLIENT, 20, false)));
    shard.applyRemote("n3", List.of(share(Role.CLIENT, 12, false)));
    Opened o = shard.open(new RecordingSession("acme", "u1", Role.CLIENT, "client"));
    assertEquals(Opened.Refusal.TOO_MANY_SESSIONS, o.refusal());
    assertTrue(o.message().contains("32"), o.message());
    shard.applyRemote("n3", List.of(share(Role.CLIENT, 0, true)));
    assertFalse(shard.open(new RecordingSession("acme", "u1", Role.CLIENT, "client")).refused());
  }

  @Test
  @DisplayName("race: two other nodes admitted both roles; the merged view shows one, and moving to the other is an offline first")
  void raceBetweenTwoOtherNodes() {
    RecordingSession techRoster = new RecordingSession("acme", "w1", Role.TECH, "tech roster");
    shard.subscribeRoster(techRoster, Role.TECH);
    RecordingSession clientRoster = new RecordingSession("acme", "w2", Role.TECH, "client roster");
    shard.subscribeRoster(clientRoster, Role.CLIENT);
    shard.applyRemote("n2", List.of(share(Role.TECH, 1, false)));
    // n3 let a client session in within the propagation delay (or its delta overtook n2's end).
    shard.applyRemote("n3", List.of(share(Role.CLIENT, 1, false)));
    assertEquals(Role.TECH, shard.record(U).role(), "the smallest node id decides while both hold sessions");
    assertTrue(shard.open(new RecordingSession("acme", "u1", Role.TECH, "t")).refused(), "no new session while roles conflict");
    shard.applyRemote("n2", List.of(Contribution.gone(U, Role.TECH)));
    clock.drain();
    assertEquals(Role.CLIENT, shard.record(U).role());
    assertEquals("online/tech offline/tech", roles(techRoster.received()));
    assertEquals("online/client", roles(clientRoster.received()));
    assertEquals("online/tech offline/tech online/client", roles(published), "the change feed too");
    assertEquals(List.of(), shard.roster(new Roster("acme", Role.TECH)));
    assertEquals(1, shard.roster(new Roster("acme", Role.CLIENT)).size());
  }

  @Test
  @DisplayName("race: this node's tech session and another node's client share; the local role holds here until its session ends")
  void raceWithALocalSession() {
    RecordingSession techRoster = new RecordingSession("acme", "w1", Role.TECH, "tech roster");
    shard.subscribeRoster(techRoster, Role.TECH);
    RecordingSession tech = new RecordingSession("acme", "u1", Role.TECH, "tech");
    assertFalse(shard.open(tech).refused());
    shard.applyRemote("n2", List.of(share(Role.CLIENT, 1, false)));
    assertEquals(Role.TECH, shard.record(U).role());
    shard.close(tech, true);
    clock.drain();
    assertEquals(Role.CLIENT, shard.record(U).role());
    assertEquals(Status.ONLINE, shard.record(U).status());
    assertEquals("online/tech offline/tech", roles(techRoster.received()));
    assertEquals("online/tech offline/tech online/client", roles(published));
  }
}
