package com.presencehub.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.presence.PublishMark;
import com.presencehub.cluster.Membership.Member;
import com.presencehub.cluster.ReplicaChanges.Preferences;
import com.presencehub.cluster.ReplicaChanges.Shares;
import com.presencehub.cluster.ReplicaChanges.Sync;
import com.presencehub.protocol.ReplicationEnvelope.Delta;
import com.presencehub.protocol.ReplicationEnvelope.Digest;
import com.presencehub.protocol.ReplicationEnvelope.FullState;
import com.presencehub.presence.Contribution;
import com.presencehub.presence.Preference;
import com.presencehub.presence.Reason;
import com.presencehub.presence.Role;
import com.presencehub.presence.Status;
import com.presencehub.presence.UserKey;
import com.presencehub.presence.UserPresence;
import com.presencehub.protocol.ReplicationEnvelope;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The cluster's replication rules (PROTOCOL.md §6) on one node's replica table, without a cluster
 * or a Vertx instance: messages are handed in as data, and what the table returns is checked.
 */
@DisplayName("The replica table")
class ReplicaTableTest {

  static final UserKey U = new UserKey("t1", "u1");
  static final UserKey V = new UserKey("t1", "u2");
  static final UserKey W = new UserKey("t1", "u3");
  static final Member A = new Member("va", "a", 1);
  static final Member B = new Member("vb", "b", 1);
  static final Member C = new Member("vc", "c", 1);

  static Contribution online(UserKey u, int sessions) {
    return new Contribution(u, Role.CLIENT, sessions, false, true, 1_000);
  }

  static Delta delta(long seq, Contribution... cs) {
    return new Delta("vb", seq, List.of(cs), List.of(), List.of());
  }

  static FullState state(long seq, Contribution... cs) {
    return new FullState("vb", seq, List.of(cs), List.of(), List.of());
  }

  /** Node a's table, with b (and c) in its membership; every first full state asked for. */
  static ReplicaTable table(Member... members) {
    return new ReplicaTable(A.id(), new ChangeStream(A.name(), 1_500, 5_000, 60_000, PauseWitness.EVERY_GAP));
  }

  /** The shares for the shards, flattened in order, as {@code node:user:sessions}. */
  static List<String> shares(ReplicaChanges c) {
    List<String> out = new ArrayList<>();
    for (ReplicaChanges.Step s : c.steps()) {
      if (s instanceof Shares sh) {
        sh.contributions().forEach(x -> out.add(sh.node() + ":" + x.user().user() + ":" + x.sessions()
            + (x.lingering() ? "~" : "")));
      }
    }
    return out;
  }

  static List<String> syncs(ReplicaChanges c) {
    return c.syncs().stream().map(Sync::peer).toList();
  }

  /** The full states asked for, as {@code peer:both}, {@code peer:shares} or {@code peer:ledger} (the ledger alone). */
  static List<String> kinds(ReplicaChanges c) {
    return c.syncs().stream().map(s -> s.peer() + (s.shares() ? (s.ledger() ? ":both" : ":shares") : ":ledger")).toList();
  }

  /** Joins {@code b} to a's view and answers its first full state (numbered {@code seq}). */
  static ReplicaTable synced(long seq, Contribution... cs) {
    ReplicaTable t = table();
    ReplicaChanges c = t.membership(List.of(A, B), 0);
    assertEquals(List.of("vb"), syncs(c));
    t.fullState(c.syncs().get(0), state(seq, cs), 1);
    return t;
  }

  @Nested
  @DisplayName("sequence and gaps")
  class Sequence {

    @Test
    @DisplayName("applies a peer's deltas in sequence once its first full state is held; old ones are dropped")
    void inSequence() {
      ReplicaTable t = synced(3, online(U, 1));
      assertEquals(List.of("vb:u2:1"), shares(t.delta("vb", delta(4, online(V, 1)), 2)));
      assertEquals(List.of("vb:u1:0"), shares(t.delta("vb", delta(5, Contribution.gone(U, Role.CLIENT)), 3)));
      ReplicaChanges again = t.delta("vb", delta(5, online(U, 9)), 4);
      assertEquals(List.of(), shares(again), "already applied");
      assertEquals(List.of(), syncs(again));
      assertEquals(5, t.peer("vb").order.seq());
    }

    @Test
    @DisplayName("a gap asks for the full state once; the deltas after it wait")
    void gapAsksOnce() {
      ReplicaTable t = synced(3);
      ReplicaChanges c = t.delta("vb", delta(5, online(U, 1)), 2);
      assertEquals(List.of(), shares(c), "5 waits behind the missing 4");
      assertEquals(List.of("vb"), syncs(c));
      assertEquals(1, c.log().size(), "the gap is worth a log line");
      assertEquals(List.of(), syncs(t.delta("vb", delta(6, online(V, 1)), 3)), "already asking");
      assertEquals(2, t.peer("vb").order.waiting());
    }

    @Test
    @DisplayName("deltas before any full state wait for it, and a delta of an unknown or departed node is ignored")
    void beforeFirstFullState() {
      ReplicaTable t = table();
      ReplicaChanges join = t.membership(List.of(A, B), 0);
      assertEquals(List.of(), shares(t.delta("vb", delta(1, online(U, 1)), 1)));
      assertFalse(t.heard("vx", 1), "not a member");
      assertEquals(List.of(), shares(t.delta("vx", delta(1, online(U, 1)), 1)));
      assertEquals(List.of("vb:u1:1"), shares(t.fullState(join.syncs().get(0), state(0), 2)),
          "the waiting delta replays after the full state");
    }
  }

  @Nested
  @DisplayName("full states")
  class FullStates {

    @Test
    @DisplayName("replay: the deltas that waited apply after the full state, in order; a second gap asks again")
    void replay() {
      ReplicaTable t = synced(1);
      ReplicaChanges gap = t.delta("vb", delta(3, online(U, 1)), 2);
      t.delta("vb", delta(4, online(U, 2)), 3);
      t.delta("vb", delta(6, online(V, 1)), 4);
      ReplicaChanges c = t.fullState(gap.syncs().get(0), state(2, online(W, 1)), 5);
      assertEquals(List.of("vb:u3:1", "vb:u1:1", "vb:u1:2"), c.steps().isEmpty() ? List.of() : shares(c),
          "the full state first, then 3 and 4; 6 still waits for 5");
      assertEquals(List.of("vb"), syncs(c), "6 is behind another gap");
      assertEquals(4, t.peer("vb").order.seq());
    }

    @Test
    @DisplayName("a full state replaces what is held: users it lacks are gone")
    void replaces() {
      ReplicaTable t = synced(1, online(U, 1), online(V, 1));
      ReplicaChanges gap = t.delta("vb", delta(3), 2);
      ReplicaChanges c = t.fullState(gap.syncs().get(0), state(5, online(V, 2)), 3);
      assertEquals(List.of("vb:u1:0", "vb:u2:2"), shares(c));
      assertEquals(online(V, 2).fingerprint(), t.peer("vb").fingerprint());
    }

    @Test
    @DisplayName("snapshot during deltas: deltas in sequence apply while the full state travels; an older full state is not applied")
    void snapshotDuringDeltas() {
      ReplicaTable t = synced(1, online(U, 1));
      // A digest that disagrees asks for the full state; the peer keeps sending in sequence.
      ReplicaChanges ask = t.digest("vb", new Digest("vb", 1, 1, 42, 0, false), 2);
      assertEquals(List.of("vb"), syncs(ask));
      assertEquals(List.of("vb:u2:1"), shares(t.delta("vb", delta(2, online(V, 1)), 3)), "applied at once");
      assertEquals(List.of("vb:u1:0"), shares(t.delta("vb", delta(3, Contribution.gone(U, Role.CLIENT)), 4)));
      // The full state was taken at 2: older than what is held now.
      ReplicaChanges late = t.fullState(ask.syncs().get(0), state(2, online(U, 1), online(V, 1)), 5);
      assertEquals(List.of(), shares(late), "U's end (delta 3) is not undone by an older full state");
      assertEquals(3, t.peer("vb").order.seq());
      assertFalse(t.peer("vb").syncing);
    }

    @Test
    @DisplayName("a full state for an incarnation that is gone, or a failed request, changes nothing but the retry")
    void staleAnswers() {
      ReplicaTable t = table();
      ReplicaChanges join = t.membership(List.of(A, B), 0);
      Sync s = join.syncs().get(0);
      t.syncFailed(s);
      assertTrue(t.peer("vb").stale);
      assertEquals(List.of("vb"), syncs(t.tick(10, 60_000)), "the next tick asks again");
      // b leaves, its grace ends, and it is back under the same Vert.x id: another incarnation here.
      t.graceOver(t.membership(List.of(A), 20).graces().get(0), 30);
      ReplicaChanges again = t.membership(List.of(A, B), 40);
      assertEquals(List.of("vb"), syncs(again));
      assertEquals(List.of(), shares(t.fullState(s, state(7, online(U, 1)), 50)), "an answer to an old request");
      assertTrue(t.peer("vb").syncing, "still waiting for the answer to its own request");
      assertEquals(List.of("vb:u1:1"), shares(t.fullState(again.syncs().get(0), state(7, online(U, 1)), 60)));
    }

    @Test
    @DisplayName("a peer that left and came back within its grace while asked: the first ask's answer neither ends nor stands in for the second")
    void answerToAnAskBeforeTheLeave() {
      ReplicaTable t = table();
      Sync first = t.membership(List.of(A, B), 0).syncs().get(0);
      t.membership(List.of(A), 10); // b leaves: its grace runs, the first ask is still out
      ReplicaChanges back = t.membership(List.of(A, B), 20);
      Sync second = back.syncs().get(0);
      assertEquals("vb", second.peer(), "back: asked again");
      t.syncFailed(first);
      assertTrue(t.peer("vb").syncing, "the second ask is still out");
      assertEquals(List.of(), syncs(t.tick(30, 60_000)), "so it is not asked a third time");
      assertEquals(List.of(), shares(t.fullState(first, state(5, online(U, 1)), 40)), "an answer to the first ask");
      assertTrue(t.peer("vb").syncing);
      assertEquals(List.of("vb:u1:1"), shares(t.fullState(second, state(7, online(U, 1)), 50)));
      assertFalse(t.peer("vb").syncing);
    }
  }

  @Nested
  @DisplayName("membership")
  class Members {

    @Test
    @DisplayName("restart epoch: a node back under the same name with a later epoch replaces its past at once")
    void restartEpoch() {
      ReplicaTable t = synced(4, online(U, 1));
      Member b2 = new Member("vb2", "b", 2);
      // Hazelcast may list the old incarnation for a while: the later epoch wins anyway.
      ReplicaChanges c = t.membership(List.of(A, B, b2), 10);
      assertEquals(List.of("vb:u1:0"), shares(c), "the old incarnation's sessions died with it");
      assertEquals(List.of("vb2"), syncs(c));
      assertNull(t.peer("vb"));
      assertEquals(List.of("a", "b"), Membership.currentNames(List.of(A, B, b2)));
      assertEquals(List.of(), shares(t.delta("vb", delta(5, online(V, 1)), 11)), "the old incarnation is not heard");
      assertEquals(List.of("vb2:u2:1"), shares(t.fullState(c.syncs().get(0), state(0, online(V, 1)), 12)));
    }

    @Test
    @DisplayName("a node joining or back: only it is asked for its full state; a member lost that did not speak: none")
    void newcomer() {
      ReplicaTable t = table();
      ReplicaChanges first = t.membership(List.of(A, B), 0);
      t.fullState(first.syncs().get(0), state(1, online(U, 1)), 1);
      ReplicaChanges join = t.membership(List.of(A, B, C), 10);
      assertEquals(List.of("vc"), syncs(join), "b's full state is still good: the newcomer changes no ledger held");
      assertFalse(t.peer("vb").syncing);
      t.fullState(join.syncs().get(0), state(1), 11);
      ReplicaChanges left = t.membership(List.of(A, C), 20);
      assertEquals(List.of(), syncs(left), "b lost, which never spoke (a does): no ledger to re-sync");
      ReplicaChanges back = t.membership(List.of(A, B, C), 30);
      assertEquals(List.of("vb"), syncs(back), "b back: c's full state, taken when b left, still holds");
      t.fullState(back.syncs().get(0), state(1), 31);
      // b restarts before failure detection: the same names. b is not the oldest (a is): no mark lost.
      ReplicaChanges restart = t.membership(List.of(A, B, C, new Member("vb2", "b", 2)), 40);
      assertEquals(List.of("vb2"), syncs(restart), "a restart of a node that does not speak: only it");
    }

    @Test
    @DisplayName("the speaker restarting before failure detection is a loss: every peer is asked again")
    void speakerRestart() {
      ReplicaTable t = new ReplicaTable(C.id(), new ChangeStream(C.name(), 1_500, 5_000, 60_000, PauseWitness.EVERY_GAP));
      ReplicaChanges join = t.membership(List.of(A, B, C), 0);
      join.syncs().forEach(s -> t.fullState(s, state(1), 1));
      t.tick(2, 60_000).syncs().forEach(s -> t.fullState(s, state(1), 3));
      ReplicaChanges restart = t.membership(List.of(A, B, C, new Member("va2", "a", 2)), 10);
      assertEquals(List.of("va2", "vb"), syncs(restart).stream().sorted().toList(), "a, the oldest, spoke: every peer");
    }

    @Test
    @DisplayName("joining: every peer's shares alone and the oldest's ledger alone, at once; ready once all came")
    void ledgerOfTheOldestOnly() {
      ChangeStream stream = new ChangeStream(A.name(), 1_500, 5_000, 60_000, PauseWitness.EVERY_GAP);
      ReplicaTable t = new ReplicaTable(A.id(), stream);
      ReplicaChanges join = t.membership(List.of(B, C, A), 0);
      assertEquals(List.of("vb:shares", "vb:ledger", "vc:shares"), kinds(join));
      Sync ledger = join.syncs().get(1);
      t.fullState(join.syncs().get(0), state(1), 1);
      assertEquals(List.of(), syncs(t.tick(1, 60_000)), "the ledger is in flight: not asked twice");
      ReplicaChanges shares = t.fullState(join.syncs().get(2), state(1), 2);
      assertFalse(shares.becameWhole(), "every share, but not the speaker's ledger: a node left alone would speak without one");
      assertFalse(t.whole());
      PublishMark m = new PublishMark(U, Role.TECH, Status.ONLINE, Reason.ACTIVE, 5, "b");
      ReplicaChanges got = t.fullState(ledger, new FullState("vb", 9, List.of(online(V, 1)), List.of(), List.of(m)), 4);
      assertTrue(got.becameWhole());
      assertEquals(List.of(), shares(got), "the ledger alone: shares that came with it (an earlier version) are left");
      assertEquals(m, stream.published(U), "its marks are merged");
      assertEquals(List.of(), syncs(t.tick(5, 60_000)), "held: not asked again");
      ReplicaChanges ask = t.unreadable("vc");
      assertTrue(ask.syncs().get(0).ledger(), "whole: a re-sync takes the ledger too");
    }

    @Test
    @DisplayName("joining: the ledger asked for alone that did not come is asked for again at the next tick")
    void ledgerAskedAgain() {
      ReplicaTable t = table();
      ReplicaChanges join = t.membership(List.of(B, A), 0);
      Sync ledger = join.syncs().get(1);
      assertFalse(ledger.shares());
      t.fullState(join.syncs().get(0), state(1), 1);
      t.syncFailed(ledger);
      assertFalse(t.whole());
      assertFalse(t.peer("vb").stale, "the shares came: only the ledger is asked for again");
      ReplicaChanges again = t.tick(2, 60_000);
      assertEquals(List.of("vb"), syncs(again));
      assertFalse(again.syncs().get(0).shares());
      assertTrue(t.fullState(again.syncs().get(0), state(1), 3).becameWhole());
    }

    @Test
    @DisplayName("joining: the ledger's peer lost before its ledger came: every peer left is asked with its own and awaited, none alone")
    void ledgerPeerLost() {
      ReplicaTable t = table();
      ReplicaChanges join = t.membership(List.of(B, C, A), 0);
      Sync ledger = join.syncs().get(1);
      t.fullState(join.syncs().get(0), state(1), 1);
      t.fullState(join.syncs().get(2), state(1), 1);
      assertFalse(t.whole(), "the ledger is still out");
      ReplicaChanges left = t.membership(List.of(C, A), 5);
      assertFalse(left.becameWhole(), "b's ledger is wanted no more, c's is: a node ready without any, left alone, would speak");
      assertEquals(List.of("vc:both"), kinds(left));
      t.syncFailed(ledger);
      assertEquals(List.of(), t.tick(6, 60_000).syncs().stream().filter(s -> !s.shares()).toList(),
          "the ledger alone is no longer wanted");
      assertTrue(t.fullState(left.syncs().get(0), state(1), 7).becameWhole(), "c's full state with its ledger");
    }

    @Test
    @DisplayName("the speaker restarting before failure detection: the next oldest speaks only after every peer's ledger again")
    void speakerRestartSilencesTheNextOldest() {
      ChangeStream stream = new ChangeStream(B.name(), 1_500, 5_000, 60_000, PauseWitness.EVERY_GAP);
      ReplicaTable t = new ReplicaTable(B.id(), stream);
      stream.tick(0);
      t.membership(List.of(A, B, C), 0).syncs().forEach(s -> t.fullState(s, state(1), 1));
      assertTrue(t.whole());
      for (long now = 200; now <= 5_200; now += 200) {
        stream.tick(now); // b's stable membership forms: {a, b, c}
      }
      assertFalse(stream.speaking(), "a, the oldest, speaks");
      ReplicaChanges restart = t.membership(List.of(A, B, C, new Member("va2", "a", 2)), 5_300);
      assertFalse(stream.speaking(), "b is the oldest now, but its ledgers of c and a predate a's death");
      restart.syncs().forEach(s -> t.fullState(s, state(1), 5_400));
      assertTrue(stream.speaking());
    }

    @Test
    @DisplayName("joining: a merge (or a pause) while the speaker's ledger is out keeps it wanted; its full state with the ledger counts")
    void ledgerAfterDistrust() {
      ReplicaTable t = table();
      ReplicaChanges join = t.membership(List.of(B, C, A), 0);
      Sync ledger = join.syncs().get(1);
      t.fullState(join.syncs().get(0), state(1), 1);
      t.fullState(join.syncs().get(2), state(1), 1);
      t.distrustAll();
      assertFalse(t.membership(List.of(B, C, A), 2).becameWhole(), "still without the speaker's ledger");
      t.syncFailed(ledger);
      ReplicaChanges again = t.tick(3, 60_000);
      assertEquals(List.of("vb:both", "vc:both"), again.syncs().stream().filter(Sync::shares)
          .map(s -> s.peer() + (s.ledger() ? ":both" : ":shares")).sorted().toList(), "every peer, with its ledger");
      Sync fromB = again.syncs().stream().filter(s -> s.peer().equals("vb") && s.shares()).findFirst().orElseThrow();
      assertTrue(t.fullState(fromB, state(2), 4).becameWhole(), "the speaker's ledger came with its full state");
    }

    @Test
    @DisplayName("joining: the speaker lost before a ledger-less answer came: it is asked again, with the ledger, and only that answer makes the node whole")
    void ledgerLessAnswerAfterALoss() {
      ReplicaTable t = table();
      ReplicaChanges join = t.membership(List.of(B, C, A), 0);
      Sync toC = join.syncs().get(2);
      assertFalse(toC.ledger());
      ReplicaChanges left = t.membership(List.of(C, A), 5);
      assertEquals(List.of(), syncs(left), "c's request is still out");
      ReplicaChanges answered = t.fullState(toC, state(1), 6);
      assertFalse(answered.becameWhole(), "without a ledger it counts for nothing: b, the speaker, is gone");
      assertEquals(List.of("vc"), syncs(answered));
      assertTrue(answered.syncs().get(0).ledger());
      assertTrue(t.fullState(answered.syncs().get(0), state(1), 7).becameWhole());
    }

    @Test
    @DisplayName("the oldest member, or one joining alongside no older peer, takes every peer's ledger")
    void oldestTakesEveryLedger() {
      ReplicaTable t = table();
      assertTrue(t.membership(List.of(A, B, C), 0).syncs().stream().allMatch(Sync::ledger));
    }

    @Test
    @DisplayName("a departed node's users linger for the grace, then are gone; back in time, its grace is over")
    void departure() {
      ReplicaTable t = synced(1, online(U, 2));
      ReplicaChanges left = t.membership(List.of(A), 10);
      assertEquals(List.of("vb:u1:0~"), shares(left), "sessions end, the user lingers");
      ReplicaChanges.Grace g = left.graces().get(0);
      ReplicaChanges back = t.membership(List.of(A, B), 20);
      assertEquals(List.of("vb"), syncs(back));
      assertEquals(List.of(), shares(t.graceOver(g, 30)), "came back: nothing dropped");
      ReplicaChanges leftAgain = t.membership(List.of(A), 40);
      assertEquals(List.of(), shares(t.graceOver(g, 50)), "the first grace does not cut the second short");
      assertEquals(List.of("vb:u1:0"), shares(t.graceOver(leftAgain.graces().get(0), 60)));
      assertNull(t.peer("vb"));
    }

    @Test
    @DisplayName("merge: after a split heals, every peer is asked for its full state, and a full state repairs the view")
    void merge() {
      ReplicaTable t = table();
      ReplicaChanges join = t.membership(List.of(A, B, C), 0);
      t.fullState(join.syncs().get(0), state(1, online(U, 1)), 1);
      t.fullState(join.syncs().get(1), state(1), 1);
      // During the split, b's delta 2 (U's end) was lost; b went on to delta 3.
      ReplicaChanges split = t.membership(List.of(A, C), 10);
      assertEquals(List.of("vb:u1:0~"), shares(split));
      assertEquals(List.of(), syncs(split), "b never spoke (a, this node, does): c's full state still holds");
      ReplicaChanges healed = t.membership(List.of(A, B, C), 12);
      assertEquals(List.of("vb"), syncs(healed), "b is back: its full state is asked for");
      Sync sb = healed.syncs().get(0);
      assertEquals(List.of("vb:u1:0"), shares(t.fullState(sb, state(3), 13)), "b's full state: U is gone");
      assertEquals(List.of(), shares(t.delta("vb", delta(4), 14)));
      assertEquals(4, t.peer("vb").order.seq());
      // Hazelcast's MERGED event: nothing received during the split is trusted; the next tick asks everyone.
      assertEquals(List.of(), syncs(t.tick(15, 60_000)));
      t.distrustAll();
      assertEquals(List.of("vb", "vc"), syncs(t.tick(16, 60_000)).stream().sorted().toList());
    }

    @Test
    @DisplayName("readiness: whole once each node seen at the first look sent its full state (or left)")
    void readiness() {
      ReplicaTable t = table();
      ReplicaChanges join = t.membership(List.of(A, B, C), 0);
      assertFalse(t.whole());
      assertFalse(t.fullState(join.syncs().get(0), state(1), 1).becameWhole());
      ReplicaChanges left = t.membership(List.of(A, B), 2);
      assertTrue(left.becameWhole(), "c left before sending it: not waited for");
      assertEquals(2, left.wholeWith(), "b, and c lingering for its grace");
      assertTrue(t.whole());
    }
  }

  @Nested
  @DisplayName("digests and preferences")
  class Digests {

    @Test
    @DisplayName("a digest with a later sequence or another fingerprint asks for the full state; one that agrees does not")
    void digest() {
      ReplicaTable t = synced(2, online(U, 1));
      long h = online(U, 1).fingerprint();
      assertEquals(List.of(), syncs(t.digest("vb", new Digest("vb", 2, 1, h, 0, false), 1)));
      assertEquals(List.of("vb"), syncs(t.digest("vb", new Digest("vb", 3, 1, h, 0, false), 2)), "a lost delta");
      ReplicaTable t2 = synced(2, online(U, 1));
      assertEquals(List.of("vb"), syncs(t2.digest("vb", new Digest("vb", 2, 1, h + 1, 0, false), 1)), "a diverged view");
    }

    @Test
    @DisplayName("preferences differing the same way in two digests in a row ask for the full state; writes in flight do not")
    void preferenceMismatchTwice() {
      ReplicaTable t = synced(2);
      assertEquals(List.of(), syncs(t.digest("vb", new Digest("vb", 2, 0, 0, 99, false), 1)));
      assertEquals(List.of("vb"), syncs(t.digest("vb", new Digest("vb", 2, 0, 0, 99, false), 2)));
      ReplicaTable busy = synced(2);
      // A steady stream of presence.set: the peer's fingerprint differs at every digest, but moves.
      for (int i = 1; i <= 10; i++) {
        assertEquals(List.of(), syncs(busy.digest("vb", new Digest("vb", 2, 0, 0, 100 + i, false), i)), "digest " + i);
      }
    }

    @Test
    @DisplayName("one copy of preferences, latest write wins: only newer writes reach the shards, and full states carry them")
    void preferences() {
      ReplicaTable t = synced(1);
      Preference mine = new Preference(U, true, UserPresence.NEVER, 100, "a");
      t.own().local(List.of(), List.of(mine));
      Preference older = new Preference(U, false, UserPresence.NEVER, 50, "b");
      Preference newer = new Preference(V, true, UserPresence.NEVER, 60, "b");
      ReplicaChanges c = t.delta("vb", new Delta("vb", 2, List.of(), List.of(older, newer), List.of()), 2);
      List<Preference> toShards = new ArrayList<>();
      c.steps().forEach(s -> {
        if (s instanceof Preferences p) {
          toShards.addAll(p.preferences());
        }
      });
      assertEquals(List.of(newer), toShards, "U's write here (stamp 100) wins over b's (50)");
      FullState mineNow = t.own().fullState(true, true);
      assertEquals(2, mineNow.preferences().size());
      assertTrue(mineNow.preferences().contains(mine));
      assertEquals(mine.fingerprint() + newer.fingerprint(), t.own().digest().preferenceFingerprint());
    }
  }

  @Nested
  @DisplayName("this node's own shares")
  class Own {

    @Test
    @DisplayName("one numbered delta per burst; the full state is numbered as the last delta, through the wire and back")
    void numbering() {
      ReplicaTable t = table();
      assertNull(t.own().nextDelta(), "nothing to send");
      t.own().local(List.of(online(U, 1)), List.of());
      t.own().local(List.of(online(V, 1)), List.of());
      t.own().published(List.of(new PublishMark(U, Role.CLIENT, Status.ONLINE, Reason.ACTIVE, 5, "a")));
      Delta d = t.own().nextDelta();
      assertNotNull(d);
      assertEquals(1, d.seq());
      assertEquals(2, d.contributions().size());
      assertEquals(d, ReplicationEnvelope.delta(ReplicationEnvelope.delta("va", d.seq(), d.contributions(),
          d.preferences(), d.marks())), "the envelope round-trips");
      t.own().local(List.of(Contribution.gone(U, Role.CLIENT)), List.of());
      assertEquals(2, t.own().nextDelta().seq());
      FullState f = t.own().fullState(true, true);
      assertEquals(2, f.seq());
      assertEquals(List.of(online(V, 1)), f.contributions());
      assertEquals(f, ReplicationEnvelope.fullState(ReplicationEnvelope.fullState("va", f.seq(), f.contributions(),
          f.preferences(), f.marks())));
      Digest g = t.own().digest();
      assertEquals(new Digest("va", 2, 1, online(V, 1).fingerprint(), 0, false), g);
      assertEquals(g, ReplicationEnvelope.digest(ReplicationEnvelope.digest(g)));
    }
  }
}
