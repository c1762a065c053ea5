package com.presencehub.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.cluster.Membership.Member;
import com.presencehub.protocol.ReplicationEnvelope.Delta;
import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.Reason;
import com.presencehub.presence.Role;
import com.presencehub.presence.Status;
import com.presencehub.presence.UserKey;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * presence.changes exactly once across take-overs (PROTOCOL.md §5, §6), with the publish marks
 * travelling in the replica tables' deltas and full states as they do between nodes: no cluster,
 * no Vertx; every message is handed from one table to another by the test.
 */
@DisplayName("presence.changes across take-overs")
class PublishOnceTest {

  private static final long PAUSE = 1_500;
  private static final long SETTLE = 5_000;
  private static final UserKey U = new UserKey("t1", "u1");
  private static final UserKey V = new UserKey("t1", "u2");

  /** One hub node as the replication verticle holds it: its change stream and its replica table. */
  static final class Node {
    final Member member;
    final ChangeStream stream;
    final ReplicaTable table;

    Node(String name) {
      member = new Member("v" + name, name, 1);
      stream = new ChangeStream(name, PAUSE, SETTLE, 60_000, PauseWitness.EVERY_GAP);
      table = new ReplicaTable(member.id(), stream);
    }

    /** A transition of this node's view; what it publishes leaves as marks in its next delta. */
    List<String> see(PresenceRecord r, long now) {
      return carry(stream.transition(r, now));
    }

    /** The verticle's recheck after a shard round trip. */
    List<String> recheck(long now) {
      return stream.needsRecheck() ? carry(stream.recheck(now)) : List.of();
    }

    private List<String> carry(Publication o) {
      table.own().published(o.marks());
      return o.publish().stream().map(r -> r.user() + ":" + r.status().wire()).toList();
    }
  }

  static PresenceRecord online(UserKey k) {
    return new PresenceRecord(k.tenant(), k.user(), Role.CLIENT, Status.ONLINE, Reason.ACTIVE, 1L, 1L);
  }

  /** Gives {@code nodes} the membership {@code members} and answers, in turn, every full state asked for. */
  static void membership(List<Node> nodes, List<Node> members, long now) {
    List<Member> list = members.stream().map(n -> n.member).toList();
    for (Node n : nodes) {
      answer(n, n.table.membership(list, now), members, now);
    }
  }

  static void answer(Node n, ReplicaChanges c, List<Node> reachable, long now) {
    List<ReplicaChanges> todo = new ArrayList<>(List.of(c));
    for (int i = 0; i < todo.size() && i < 100; i++) {
      for (ReplicaChanges.Sync s : todo.get(i).syncs()) {
        Node peer = reachable.stream().filter(p -> p.member.id().equals(s.peer())).findFirst().orElseThrow();
        peer.table.own().nextDelta();
        todo.add(n.table.fullState(s, peer.table.own().fullState(s.shares(), s.ledger()), now));
      }
    }
  }

  static void advance(List<Node> nodes, long from, long to) {
    for (long t = from; t <= to; t += 200) {
      for (Node n : nodes) {
        n.stream.tick(t);
      }
    }
  }

  /** Three nodes, a the oldest, settled and speaking at 6 s. */
  static List<Node> cluster() {
    List<Node> all = List.of(new Node("a"), new Node("b"), new Node("c"));
    all.forEach(n -> n.stream.tick(0));
    membership(all, all, 0);
    advance(all, 0, 6_000);
    all.forEach(n -> assertTrue(n.table.whole(), n.member.name() + " holds the whole view"));
    assertTrue(all.get(0).stream.speaking(), "the oldest speaks");
    assertEquals(List.of(), all.get(0).recheck(6_000), "nothing to catch up on");
    return all;
  }

  @Test
  @DisplayName("a survivor that takes over publishes only what its predecessor had not: the marks came in its deltas")
  void takeOverAfterDeltas() {
    List<Node> all = cluster();
    Node a = all.get(0);
    Node b = all.get(1);
    Node c = all.get(2);
    assertEquals(List.of("u1:online"), a.see(online(U), 6_000));
    assertEquals(List.of(), b.see(online(U), 6_000), "b does not speak");
    c.see(online(U), 6_000);
    Delta d = a.table.own().nextDelta();
    assertNotNull(d);
    assertEquals(1, d.marks().size(), "the mark leaves with a's next delta");
    b.table.delta("va", d, 6_010);
    c.table.delta("va", d, 6_010);
    // V goes online everywhere, but a dies before it speaks of it.
    b.see(online(V), 6_050);
    c.see(online(V), 6_050);
    membership(List.of(b, c), List.of(b, c), 6_100);
    assertTrue(b.stream.speaking(), "b is the oldest left and merged c's ledger");
    assertFalse(c.stream.speaking());
    assertEquals(List.of("u2:online"), b.recheck(6_200), "U was published by a: once; V never was");
    assertEquals(List.of(), b.recheck(6_300));
  }

  @Test
  @DisplayName("a mark that reached only one survivor still counts: the next speaker merges every peer's full state first")
  void markReachedOneSurvivor() {
    List<Node> all = cluster();
    Node a = all.get(0);
    Node b = all.get(1);
    Node c = all.get(2);
    a.see(online(U), 6_000);
    b.see(online(U), 6_000);
    c.see(online(U), 6_000);
    c.table.delta("va", a.table.own().nextDelta(), 6_010);
    // b never got a's delta; a dies. b is asked-for by c, and asks c for its full state.
    List<ReplicaChanges> asked = new ArrayList<>();
    List<Member> left = List.of(b.member, c.member);
    asked.add(b.table.membership(left, 6_100));
    assertFalse(b.stream.speaking(), "c's ledger is not merged yet");
    answer(b, asked.get(0), List.of(b, c), 6_150);
    assertTrue(b.stream.speaking());
    assertEquals(List.of(), b.recheck(6_200), "c's full state carried a's mark for U: not published again");
  }

  @Test
  @DisplayName("marks in a delta that waits behind a gap are kept at once: the full state may never come")
  void marksBehindAGap() {
    List<Node> all = cluster();
    Node a = all.get(0);
    Node b = all.get(1);
    a.see(online(U), 6_000);
    a.table.own().nextDelta(); // lost on its way to b
    a.see(new PresenceRecord("t1", "u1", Role.CLIENT, Status.AWAY, Reason.INACTIVE, 1L, 1L), 6_100);
    ReplicaChanges gap = b.table.delta("va", a.table.own().nextDelta(), 6_110);
    assertEquals(List.of("va"), gap.syncs().stream().map(ReplicaChanges.Sync::peer).toList());
    assertEquals(Status.AWAY, b.stream.published(U).status(), "kept although the delta waits");
  }
}
