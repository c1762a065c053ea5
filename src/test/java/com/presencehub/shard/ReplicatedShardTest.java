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
}
