package com.presencehub.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.presence.PublishMark;
import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.Reason;
import com.presencehub.presence.Role;
import com.presencehub.presence.Status;
import com.presencehub.presence.UserKey;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The rules of presence.changes (publish once, take-over, majority, pause), driven with explicit times. */
@DisplayName("The change stream")
class ChangeStreamTest {

  private static final long PAUSE = 1_500;
  private static final long SETTLE = 5_000;
  private static final long RETENTION = 60_000;
  private static final UserKey U = new UserKey("t1", "u1");
  private static final UserKey V = new UserKey("t1", "u2");

  private static PresenceRecord online(UserKey k) {
    return new PresenceRecord(k.tenant(), k.user(), Role.CLIENT, Status.ONLINE, Reason.ACTIVE, 1L, 1L);
  }

  private static PresenceRecord offline(UserKey k) {
    return new PresenceRecord(k.tenant(), k.user(), Role.CLIENT, Status.OFFLINE, Reason.DISCONNECTED, 2L, 1L);
  }

  private static List<String> users(Publication o) {
    return o.publish().stream().map(r -> r.user() + ":" + r.status().wire()).toList();
  }

  /** A node named {@code name}, ready, in a settled view {@code members} at time {@code t}. */
  private static ChangeStream settled(String name, List<String> members, long t) {
    return settled(name, members, t, PauseWitness.EVERY_GAP);
  }

  /** The same, with {@code pauses} telling which gaps between inputs were pauses of the process. */
  private static ChangeStream settled(String name, List<String> members, long t, PauseWitness pauses) {
    ChangeStream s = new ChangeStream(name, PAUSE, SETTLE, RETENTION, pauses);
    s.tick(t);
    s.membership(members, t);
    for (String m : members) {
      if (!m.equals(name)) {
        s.synced(m, t);
      }
    }
    s.ready(t);
    for (long now = t; now <= t + SETTLE; now += 200) {
      s.tick(now);
    }
    return s;
  }

  /** Ticks every 200 ms from {@code from} to {@code to}, as the verticle's timer does (no pause). */
  private static void advance(ChangeStream s, long from, long to) {
    for (long t = from; t <= to; t += 200) {
      s.tick(t);
    }
  }

  /** Drains the catch-up a node owes when it starts to speak (the verticle does it after a shard round trip). */
  private static Publication recheck(ChangeStream s, long now) {
    assertTrue(s.needsRecheck(), "a recheck is due");
    return s.recheck(now);
  }

  @Nested
  @DisplayName("on the oldest member of a healthy cluster")
  class Publisher {

    @Test
    @DisplayName("publishes each transition once, and never the same status twice")
    void publishesTransitionsOnce() {
      ChangeStream s = settled("a", List.of("a", "b", "c"), 0);
      advance(s, 5_000, 6_000);
      assertTrue(s.speaking());
      assertEquals(Set.of("a", "b", "c"), s.stableMembership());
      Publication o = s.transition(online(U), 6_000);
      assertEquals(List.of("u1:online"), users(o));
      assertEquals(1, o.marks().size());
      assertEquals(Status.ONLINE, s.published(U).status());
      assertTrue(s.transition(online(U), 6_100).isEmpty(), "already published");
      assertEquals(List.of("u1:offline"), users(s.transition(offline(U), 6_200)));
    }

    @Test
    @DisplayName("a younger member only records the view and the marks")
    void youngerMemberIsSilent() {
      ChangeStream b = settled("b", List.of("a", "b", "c"), 0);
      advance(b, 5_000, 6_000);
      assertFalse(b.speaking());
      assertTrue(b.transition(online(U), 6_000).isEmpty());
      assertFalse(b.needsRecheck());
    }
  }

  @Nested
  @DisplayName("taking over")
  class TakeOver {

    @Test
    @DisplayName("publishes only the users whose view differs from the replicated ledger")
    void takeOverPublishesOnlyWhatDiffers() {
      ChangeStream a = settled("a", List.of("a", "b"), 0);
      ChangeStream b = settled("b", List.of("a", "b"), 0);
      advance(a, 5_000, 6_000);
      advance(b, 5_000, 6_000);
      // a publishes U online; its mark reaches b with its delta.
      Publication o = a.transition(online(U), 6_000);
      b.marks(o.marks(), 6_001);
      b.transition(online(U), 6_002);
      // V went online in both views, a crashed before publishing it.
      b.transition(online(V), 6_003);
      advance(b, 6_003, 9_000);
      b.membership(List.of("b"), 9_000);
      assertTrue(b.speaking(), "a stable two-node membership: the survivor that was not paused speaks");
      assertEquals(List.of("u2:online"), users(recheck(b, 9_001)), "U's online was published by a: not again");
      assertFalse(b.needsRecheck());
    }

    @Test
    @DisplayName("a survivor starts to speak only once it merged the ledger of every peer of its view")
    void takeOverWaitsForEveryPeersLedger() {
      // c took marks of a (published just before a died) that b never received.
      ChangeStream b = settled("b", List.of("a", "b", "c"), 0);
      advance(b, 5_000, 6_000);
      b.transition(online(U), 6_000);
      b.membership(List.of("b", "c"), 6_100);
      assertFalse(b.speaking(), "c's ledger not merged yet");
      b.marks(List.of(new PublishMark(U, Role.CLIENT, Status.ONLINE, Reason.ACTIVE, 5_900, "a")), 6_200);
      b.synced("c", 6_200);
      assertTrue(b.speaking());
      assertEquals(List.of(), users(recheck(b, 6_300)), "U's online was published by a: not again");
    }

    @Test
    @DisplayName("a node joining or back is awaited alone; a member lost needs every peer's ledger again")
    void newcomerAwaitedAlone() {
      ChangeStream b = settled("b", List.of("a", "b", "c"), 0);
      advance(b, 5_000, 6_000);
      assertEquals(Set.of("a", "b", "c"), b.stableMembership());
      assertFalse(b.membership(List.of("a", "b", "c", "d"), 6_000), "a newcomer: the ledgers held stay good");
      b.synced("d", 6_100);
      advance(b, 6_200, 11_200);
      assertEquals(Set.of("a", "b", "c", "d"), b.stableMembership(), "settled on d's full state alone");
      // a dies: b is the oldest now, and merges the ledger of every peer left before it speaks.
      assertTrue(b.membership(List.of("b", "c", "d"), 11_400));
      b.synced("c", 11_500);
      assertFalse(b.speaking(), "d's ledger not merged since a left");
      b.synced("d", 11_600);
      assertTrue(b.speaking());
      // a is back (restarted): only its own full state is awaited; a healed split goes through distrustPeers.
      assertFalse(b.membership(List.of("b", "c", "d", "a"), 11_800));
      assertTrue(b.speaking());
    }

    @Test
    @DisplayName("a member lost that never spoke costs no ledger: the speaker goes on, no peer is asked again")
    void otherLossKeepsLedgers() {
      ChangeStream a = settled("a", List.of("a", "b", "c"), 0);
      assertTrue(a.speaking());
      assertFalse(a.membership(List.of("a", "b"), 6_000), "c never spoke: no mark of it to miss");
      assertTrue(a.speaking());
      ChangeStream b = settled("b", List.of("a", "b", "c"), 0);
      assertFalse(b.membership(List.of("a", "b"), 6_000));
      assertTrue(b.membership(List.of("b"), 6_200), "a spoke: its last marks may have missed b");
    }

    @Test
    @DisplayName("after distrustPeers (a healed split) a node starts to speak only once every peer sent its full state again")
    void distrustNeedsEveryLedgerAgain() {
      ChangeStream b = new ChangeStream("b", PAUSE, SETTLE, RETENTION, PauseWitness.EVERY_GAP);
      b.tick(0);
      b.membership(List.of("b", "c"), 0);
      b.synced("c", 100);
      b.distrustPeers();
      b.ready(200);
      assertFalse(b.speaking(), "c's full state came before the distrust");
      b.synced("c", 300);
      assertTrue(b.speaking(), "b founded the cluster: it speaks in its first view");
    }

    @Test
    @DisplayName("a node that joined older members speaks, before any stable membership, only once its view has settled")
    void newNodeWaitsForASettledView() {
      // ChaosTest, 2026-12-01: n2, restarted into the side of a split that held only the resumed n1,
      // was ready with n1's full state (n1's ledger: u1 online on n0). Merging the two sides left
      // n2 alone in its view for a moment, and it spoke at once: u1 offline, a flap.
      ChangeStream n2 = new ChangeStream("n2", PAUSE, SETTLE, RETENTION, PauseWitness.EVERY_GAP);
      n2.tick(0);
      n2.membership(List.of("n1", "n2"), 0);
      n2.marks(List.of(new PublishMark(U, Role.CLIENT, Status.ONLINE, Reason.ACTIVE, 0, "n0")), 100);
      n2.synced("n1", 100);
      n2.ready(100);
      advance(n2, 200, 1_000);
      assertEquals(Set.of(), n2.stableMembership());
      n2.membership(List.of("n2"), 1_000);
      assertFalse(n2.speaking(), "alone in a view not yet settled");
      assertEquals(List.of(), users(n2.transition(online(V), 1_100)), "a user of its own waits too");
      advance(n2, 1_200, 1_000 + SETTLE - 200);
      assertFalse(n2.speaking());
      // Any new view starts the clock again (Hazelcast lists the merged cluster, then n2 alone once more).
      n2.membership(List.of("n0", "n1", "n2"), 1_000 + SETTLE);
      n2.membership(List.of("n2"), 1_000 + SETTLE + 200);
      advance(n2, 1_000 + SETTLE + 200, 1_000 + 2 * SETTLE);
      assertFalse(n2.speaking());
      // Alone for the whole settle time: a cluster of one, which must speak (for u1 too).
      advance(n2, 1_000 + 2 * SETTLE + 200, 1_000 + 2 * SETTLE + 400);
      assertTrue(n2.speaking());
      assertEquals(Set.of("n2"), n2.stableMembership());
      assertEquals(Set.of("u1:offline", "u2:online"), Set.copyOf(users(recheck(n2, 1_000 + 2 * SETTLE + 500))));
    }

    @Test
    @DisplayName("a node that joined older members forms no first stable membership beside a quarantined peer")
    void noFirstStableBesideAQuarantinedPeer() {
      // The same restart, but the side [n1, n2] lasts the settle time while n1, resumed, is still
      // quarantined: n2 must not settle on that pair (the two-node rule would let it speak alone
      // the moment the merge lists it alone).
      ChangeStream n2 = new ChangeStream("n2", PAUSE, SETTLE, RETENTION, PauseWitness.EVERY_GAP);
      n2.tick(0);
      n2.membership(List.of("n1", "n2"), 0);
      n2.peerPaused("n1", true, 50);
      n2.synced("n1", 100);
      n2.ready(100);
      advance(n2, 200, 2 * SETTLE);
      assertEquals(Set.of(), n2.stableMembership());
      n2.membership(List.of("n2"), 2 * SETTLE + 200);
      assertFalse(n2.speaking(), "alone, with no stable membership and a view not yet settled");
      // n1 re-synced: the pair settles and is stable; the two-node rule applies from then on.
      n2.membership(List.of("n1", "n2"), 2 * SETTLE + 400);
      n2.peerPaused("n1", false, 2 * SETTLE + 500);
      n2.synced("n1", 2 * SETTLE + 500);
      advance(n2, 2 * SETTLE + 600, 3 * SETTLE + 600);
      assertEquals(Set.of("n1", "n2"), n2.stableMembership());
    }

    @Test
    @DisplayName("a restarted node learns the ledger from a full state before it can publish")
    void restartedNodeLearnsLedger() {
      ChangeStream a = settled("a", List.of("a"), 0);
      advance(a, 5_000, 6_000);
      Publication o = a.transition(online(U), 6_000);
      // b (re)joins: not ready until its first full state, which carries a's ledger.
      ChangeStream b = new ChangeStream("b", PAUSE, SETTLE, RETENTION, PauseWitness.EVERY_GAP);
      b.tick(7_000);
      b.membership(List.of("a", "b"), 7_000);
      b.marks(List.copyOf(a.ledger()), 7_100);
      b.transition(online(U), 7_101);
      b.synced("a", 7_102);
      b.ready(7_102);
      for (long t = 7_200; t <= 13_000; t += 200) {
        b.tick(t);
      }
      assertEquals(Set.of("a", "b"), b.stableMembership());
      b.membership(List.of("b"), 14_000);
      assertTrue(b.speaking());
      assertEquals(List.of(), users(recheck(b, 14_001)), "nothing twice: " + o.publish());
    }

    @Test
    @DisplayName("after a split, marks merged from the other side cost one event per differing user")
    void mergedLedgersConvergeWithOneEventPerUser() {
      // A two-node split: both sides spoke. a saw U offline (U's session was on b), b kept it online.
      ChangeStream a = settled("a", List.of("a", "b"), 0);
      a.transition(online(U), 6_000);
      advance(a, 6_000, 10_000);
      a.membership(List.of("a"), 10_000);
      advance(a, 10_000, 11_000);
      Publication aSide = a.transition(offline(U), 11_000);
      assertEquals(List.of("u1:offline"), users(aSide));
      // Merged: b's full state brings U's session back (online in a's view) and b's ledger.
      advance(a, 11_000, 20_000);
      a.membership(List.of("a", "b"), 20_000);
      a.marks(List.of(new PublishMark(U, Role.CLIENT, Status.ONLINE, Reason.ACTIVE, 5_000, "b")), 20_001);
      assertEquals(List.of("u1:online"), users(a.transition(online(U), 20_002)));
      // An older mark does not undo the newer one; nothing more to publish.
      a.marks(List.of(new PublishMark(U, Role.CLIENT, Status.OFFLINE, Reason.DISCONNECTED, 1, "z")), 20_003);
      assertEquals(Status.ONLINE, a.published(U).status());
      assertTrue(!a.needsRecheck() || a.recheck(20_004).isEmpty());
    }

    @Test
    @DisplayName("a newer mark from elsewhere that contradicts the view is corrected once, after the view caught up")
    void contradictingMarkCorrectedOnce() {
      ChangeStream a = settled("a", List.of("a", "b", "c"), 0);
      advance(a, 5_000, 6_000);
      a.transition(online(U), 6_000);
      a.marks(List.of(new PublishMark(U, Role.CLIENT, Status.OFFLINE, Reason.DISCONNECTED, 9_999_999, "c")), 6_100);
      assertEquals(List.of("u1:online"), users(recheck(a, 6_200)));
      assertFalse(a.needsRecheck());
    }
  }

  @Nested
  @DisplayName("majority")
  class Majority {

    @Test
    @DisplayName("a node cut off from the majority of the stable membership publishes nothing")
    void minorityIsSilent() {
      ChangeStream a = settled("a", List.of("a", "b", "c"), 0);
      advance(a, 5_000, 7_000);
      a.membership(List.of("a"), 7_000);
      assertFalse(a.speaking());
      assertTrue(a.transition(offline(U), 8_000).isEmpty());
      // Even after a long time alone, a minority never redefines the cluster.
      for (long t = 8_000; t < 30_000; t += 200) {
        a.tick(t);
      }
      assertFalse(a.speaking());
      assertEquals(Set.of("a", "b", "c"), a.stableMembership());
    }

    @Test
    @DisplayName("a peer that says it is quarantined after a pause counts for no majority")
    void resumedPeerDoesNotMakeAMajority() {
      // n2 resumed from a pause and merged with n1; n0 (healthy) is cut off from them.
      ChangeStream n1 = settled("n1", List.of("n0", "n1", "n2"), 0);
      advance(n1, 5_000, 7_000);
      n1.membership(List.of("n1", "n2"), 7_000);
      n1.peerPaused("n2", true, 7_000);
      assertFalse(n1.speaking(), "n0's users must not be published offline on n2's word");
      // Once n2 says it re-synced (and n1 has n2's full state), n1 and n2 are a majority again.
      n1.synced("n2", 7_100);
      n1.peerPaused("n2", false, 7_200);
      assertTrue(n1.speaking());
    }

    @Test
    @DisplayName("the majority side takes over and, once settled, the smaller membership is the stable one")
    void majorityTakesOver() {
      ChangeStream b = settled("b", List.of("a", "b", "c"), 0);
      advance(b, 5_000, 6_000);
      b.transition(online(U), 6_000);
      advance(b, 6_000, 7_000);
      b.membership(List.of("b", "c"), 7_000);
      b.synced("c", 7_100);
      assertTrue(b.speaking());
      assertEquals(List.of("u1:online"), users(recheck(b, 7_200)));
      for (long t = 7_200; t <= 12_400; t += 200) {
        b.tick(t);
      }
      assertEquals(Set.of("b", "c"), b.stableMembership());
      // Then c goes too, soon after the pair formed by shrinking: that is what a survivor sees when
      // Hazelcast, having lost its master, briefly splits the two healthy ones. b stays silent, so
      // it does not publish c's healthy users offline.
      b.membership(List.of("b"), 13_000);
      assertFalse(b.speaking());
      assertTrue(b.transition(offline(V), 13_100).isEmpty());
      // Once the pair has been stable for 6 × settle, the two-node rule holds again: c is taken for
      // dead and b speaks (and publishes what it owes).
      advance(b, 13_200, 12_200 + 6 * SETTLE - 400);
      assertFalse(b.speaking());
      advance(b, 12_200 + 6 * SETTLE - 200, 12_200 + 6 * SETTLE + 400);
      assertTrue(b.speaking());
    }

    @Test
    @DisplayName("a pair that formed as a pair (not by losing a member) keeps the two-node rule at once")
    void pairFromTheStart() {
      ChangeStream b = settled("b", List.of("b", "c"), 0);
      advance(b, 5_000, 6_000);
      assertEquals(Set.of("b", "c"), b.stableMembership());
      b.membership(List.of("b"), 6_200);
      assertTrue(b.speaking(), "a crashed peer's users must still go offline");
    }
  }

  @Nested
  @DisplayName("after a pause")
  class Pause {

    @Test
    @DisplayName("a resumed node publishes nothing until re-synced with every peer of a settled view")
    void resumedNodeIsQuarantined() {
      ChangeStream a = settled("a", List.of("a", "b", "c"), 0);
      assertTrue(a.speaking());
      // Frozen for 10 s: the first thing it does after SIGCONT is a transition from a stale view.
      assertTrue(a.transition(offline(V), 16_000).isEmpty(), "nothing from a stale view");
      assertTrue(a.paused());
      assertFalse(a.speaking());
      // The others are still listed and answer, but the view must stay unchanged for the settle time.
      a.synced("b", 16_100);
      a.synced("c", 16_200);
      a.tick(16_300);
      assertFalse(a.speaking());
      // It merges back as the youngest: silent anyway.
      a.membership(List.of("b", "c", "a"), 18_000);
      for (long t = 18_000; t <= 24_000; t += 200) {
        a.tick(t);
      }
      assertTrue(a.paused(), "not re-synced since the view changed");
      a.synced("b", 24_100);
      a.synced("c", 24_200);
      a.tick(24_300);
      assertFalse(a.paused());
      assertFalse(a.speaking(), "not the oldest any more");
    }

    @Test
    @DisplayName("a gap the process did not share (its event loop behind, issue 17) is no pause; one it shared is")
    void loopBehindIsNoPause() {
      boolean[] processPaused = {false};
      List<long[]> asked = new java.util.ArrayList<>();
      ChangeStream a = settled("a", List.of("a", "b", "c"), 0, (from, to) -> {
        asked.add(new long[] {from, to});
        return processPaused[0];
      });
      assertTrue(a.speaking());
      // 11 s with no input: the loop was busy (a joiner's full states on a starved machine).
      assertEquals(List.of("u2:online"), users(a.transition(online(V), 16_000)), "published as usual");
      assertFalse(a.paused());
      assertTrue(a.speaking());
      advance(a, 16_200, 18_000);
      // The same gap, but the whole process was frozen.
      processPaused[0] = true;
      assertTrue(a.transition(offline(V), 30_000).isEmpty(), "nothing from a stale view");
      assertTrue(a.paused());
      assertFalse(a.speaking());
      // Asked about each gap, with the last input before it and the one after.
      assertEquals(List.of("5000-16000", "18000-30000"), asked.stream().map(g -> g[0] + "-" + g[1]).toList());
    }

    @Test
    @DisplayName("with two nodes, a resumed node alone does not claim the two-node exception")
    void twoNodesResumedAloneIsSilent() {
      ChangeStream a = settled("a", List.of("a", "b"), 0);
      a.tick(12_000);
      assertTrue(a.paused());
      a.membership(List.of("a"), 12_500);
      for (long t = 12_500; t < 40_000; t += 200) {
        a.tick(t);
      }
      assertFalse(a.speaking(), "b's users are never published offline because a froze");
      assertTrue(a.transition(offline(V), 40_000).isEmpty());
      // b comes back (merge): a is re-synced; it speaks again only if it is the oldest.
      a.membership(List.of("a", "b"), 41_000);
      a.synced("b", 41_100);
      for (long t = 41_200; t <= 47_000; t += 200) {
        a.tick(t);
      }
      assertTrue(a.speaking());
      assertEquals(List.of(), users(recheck(a, 47_100)), "V was never published online: nothing to correct");
    }

    @Test
    @DisplayName("a stopping node never publishes again")
    void stoppedNodeIsSilent() {
      ChangeStream a = settled("a", List.of("a"), 0);
      advance(a, 5_000, 6_000);
      a.stop();
      assertTrue(a.transition(online(U), 6_000).isEmpty());
      assertFalse(a.speaking());
    }
  }

  @Nested
  @DisplayName("retention (PROTOCOL.md §2)")
  class Retention {

    @Test
    @DisplayName("forgets a user offline in the view and the ledger for offlineRetentionMs, publishing nothing")
    void forgetsOfflineUsers() {
      ChangeStream s = settled("a", List.of("a", "b"), 0);
      advance(s, 5_000, 6_000);
      assertEquals(List.of("u1:online"), users(s.transition(online(U), 6_000)));
      assertEquals(List.of("u1:offline"), users(s.transition(offline(U), 7_000)));
      assertEquals(1, s.size());
      advance(s, 7_000, 7_000 + RETENTION - 400);
      assertEquals(1, s.size(), "not before the retention ran out");
      advance(s, 7_000 + RETENTION - 200, 7_000 + RETENTION + 400);
      assertEquals(0, s.size());
      assertEquals(null, s.published(U));
      // Coming back is a first online again, exactly once.
      assertEquals(List.of("u1:online"), users(s.transition(online(U), 8_000 + RETENTION)));
      assertTrue(s.transition(online(U), 8_100 + RETENTION).isEmpty());
    }

    @Test
    @DisplayName("keeps a user who came back online before the retention ran out, and an offline not yet published")
    void keepsUsersInUse() {
      ChangeStream s = settled("a", List.of("a", "b"), 0);
      advance(s, 5_000, 6_000);
      s.transition(online(U), 6_000);
      s.transition(offline(U), 7_000);
      s.transition(online(U), 8_000);
      // V went offline here while another node's mark still says online (not published yet).
      s.marks(List.of(new PublishMark(V, Role.CLIENT, Status.ONLINE, Reason.ACTIVE, 1, "b")), 8_000);
      s.stop();
      s.transition(offline(V), 8_100);
      advance(s, 8_100, 8_100 + 2 * RETENTION);
      assertEquals(2, s.size());
      assertEquals(Status.ONLINE, s.published(U).status());
    }
  }
}
