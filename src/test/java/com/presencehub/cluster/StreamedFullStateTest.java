package com.presencehub.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.presence.PublishMark;
import com.presencehub.cluster.Membership.Member;
import com.presencehub.protocol.ReplicationEnvelope.Chunk;
import com.presencehub.protocol.ReplicationEnvelope.Delta;
import com.presencehub.protocol.ReplicationEnvelope.FullState;
import com.presencehub.presence.Contribution;
import com.presencehub.presence.Preference;
import com.presencehub.presence.Reason;
import com.presencehub.presence.Role;
import com.presencehub.presence.Status;
import com.presencehub.presence.UserKey;
import com.presencehub.presence.UserPresence;
import com.presencehub.protocol.ReplicationEnvelope;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Streamed full states (issue 17) without a cluster: a state cut into parts of bounded size, put
 * back together, and the replica table's rules (gap, replay, deltas meanwhile, restart epoch,
 * merge) with states that arrive part by part while deltas keep coming.
 */
@DisplayName("A streamed full state")
class StreamedFullStateTest {

  static final Member A = new Member("va", "a", 1);
  static final Member B = new Member("vb", "b", 1);

  static Contribution online(UserKey u, int sessions) {
    return new Contribution(u, Role.CLIENT, sessions, false, true, 1_000);
  }

  static UserKey user(int i) {
    return new UserKey("tenant-" + (i % 7), "user-with-a-realistic-id-" + i);
  }

  static FullState big(int users) {
    List<Contribution> cs = new ArrayList<>();
    List<Preference> ps = new ArrayList<>();
    List<PublishMark> ms = new ArrayList<>();
    for (int i = 0; i < users; i++) {
      cs.add(online(user(i), 1 + i % 3));
      if (i % 10 == 0) {
        ps.add(new Preference(user(i), true, UserPresence.NEVER, 1_000 + i, "b"));
      }
      ms.add(new PublishMark(user(i), Role.CLIENT, Status.ONLINE, Reason.ACTIVE, 2_000 + i, "b"));
    }
    return new FullState("vb", 77, cs, ps, ms);
  }

  /** The parts as the asker receives them: encoded by the sender, read back here. */
  static List<Chunk> parts(FullState f, int maxBytes) {
    List<Chunk> out = new ArrayList<>();
    for (JsonObject part : ReplicationEnvelope.chunks("vb", f.seq(), f.contributions(), f.preferences(), f.marks(),
        maxBytes)) {
      assertTrue(part.encode().length() <= maxBytes, "a part of " + part.encode().length() + " bytes");
      out.add(ReplicationEnvelope.chunk(new JsonObject(part.encode())));
    }
    return out;
  }

  static JsonObject encoded(FullState f) {
    return ReplicationEnvelope.fullState(f.origin(), f.seq(), f.contributions(), f.preferences(), f.marks());
  }

  static FullState assemble(List<Chunk> parts) {
    FullStateAssembly a = new FullStateAssembly();
    FullState whole = null;
    for (Chunk c : parts) {
      assertNull(whole, "nothing after the last part");
      whole = a.add(c);
    }
    return whole;
  }

  @Test
  @DisplayName("no part exceeds 256 KiB at 50,000 users, and the parts put back together are the state")
  void boundedParts() {
    FullState f = big(50_000);
    int whole = encoded(f).encode().length();
    List<Chunk> parts = parts(f, FullStateTransfer.MAX_CHUNK_BYTES);
    assertTrue(whole > 4 * FullStateTransfer.MAX_CHUNK_BYTES, "the state as one message: " + whole + " bytes");
    assertTrue(parts.size() >= whole / FullStateTransfer.MAX_CHUNK_BYTES, parts.size() + " parts");
    assertEquals(f, assemble(parts));
  }

  @Test
  @DisplayName("tiny parts, an empty state, and a whole state from a node that does not stream")
  void edges() {
    FullState f = big(40);
    assertEquals(f, assemble(parts(f, 400)));
    FullState empty = new FullState("vb", 3, List.of(), List.of(), List.of());
    List<Chunk> one = parts(empty, 400);
    assertEquals(1, one.size());
    assertEquals(empty, assemble(one));
    assertNull(ReplicationEnvelope.chunk(encoded(f)), "a whole state is not a part");
  }

  @Test
  @DisplayName("a part out of order, or of another state (the sender restarted), breaks the stream")
  void brokenStream() {
    List<Chunk> parts = parts(big(200), 2_000);
    FullStateAssembly a = new FullStateAssembly();
    a.add(parts.get(0));
    assertThrows(IllegalStateException.class, () -> a.add(parts.get(2)));
    FullStateAssembly b = new FullStateAssembly();
    b.add(parts.get(0));
    Chunk other = parts.get(1);
    assertThrows(IllegalStateException.class, () -> b.add(new Chunk("vb", other.seq() + 1, 1, false, other.contributions(),
        other.preferences(), other.marks())));
    assertThrows(IllegalStateException.class, () -> new FullStateAssembly().add(parts.get(1)), "no first part");
  }

  /** The shares for the shards, flattened, as {@code user:sessions}. */
  static List<String> shares(ReplicaChanges c) {
    return ReplicaTableTest.shares(c).stream().map(s -> s.substring(s.indexOf(':') + 1)).toList();
  }

  @Test
  @DisplayName("deltas between the parts apply as they come; the state, older once whole, is not applied over them")
  void deltasMeanwhile() {
    ReplicaTable t = ReplicaTableTest.synced(1, online(user(1), 1));
    ReplicaChanges ask = t.digest("vb", new ReplicationEnvelope.Digest("vb", 1, 1, 7, 0, false), 2);
    // b takes its state at 1 and streams it; its deltas 2 and 3 arrive between the parts.
    List<Chunk> parts = parts(big(300), 4_000);
    assertTrue(parts.size() > 2);
    FullStateAssembly a = new FullStateAssembly();
    a.add(parts.get(0));
    assertEquals(List.of(user(5).user() + ":2"),
        shares(t.delta("vb", new Delta("vb", 2, List.of(online(user(5), 2)), List.of(), List.of()), 3)), "applied at once");
    for (int i = 1; i < parts.size() - 1; i++) {
      a.add(parts.get(i));
    }
    t.delta("vb", new Delta("vb", 3, List.of(), List.of(), List.of()), 4);
    FullState whole = a.add(parts.get(parts.size() - 1));
    ReplicaChanges applied = t.fullState(ask.syncs().get(0), new FullState("vb", 1, whole.contributions(),
        whole.preferences(), whole.marks()), 5);
    assertEquals(List.of(), shares(applied), "taken at 1, the deltas up to 3 are newer");
    assertEquals(3, t.peer("vb").order.seq());
  }

  @Test
  @DisplayName("gap and replay with a streamed state: the deltas that waited apply after its last part")
  void gapAndReplay() {
    ReplicaTable t = ReplicaTableTest.synced(1);
    ReplicaChanges gap = t.delta("vb", new Delta("vb", 80, List.of(online(user(0), 9)), List.of(), List.of()), 2);
    assertEquals(List.of("vb"), gap.syncs().stream().map(ReplicaChanges.Sync::peer).toList());
    t.delta("vb", new Delta("vb", 78, List.of(), List.of(), List.of()), 3);
    FullState whole = assemble(parts(big(100), 3_000));
    ReplicaChanges c = t.fullState(gap.syncs().get(0), whole, 4);
    List<String> s = shares(c);
    assertEquals(100, s.size(), "the state's 100 users, then delta 78 (empty); not 80: 79 is missing");
    assertEquals(List.of("vb"), c.syncs().stream().map(ReplicaChanges.Sync::peer).toList(), "80 waits behind 79");
    assertEquals(78, t.peer("vb").order.seq());
    ReplicaChanges second = t.fullState(c.syncs().get(0), new FullState("vb", 79, whole.contributions(), whole.preferences(),
        whole.marks()), 5);
    assertEquals(List.of(user(0).user() + ":9"), shares(second), "80 replays after the second state");
  }

  @Test
  @DisplayName("restart epoch while a state streams: the parts of the old incarnation are not applied")
  void restartDuringStream() {
    ReplicaTable t = ReplicaTableTest.table();
    ReplicaChanges join = t.membership(List.of(A, B), 0);
    List<Chunk> parts = parts(big(100), 3_000);
    FullStateAssembly a = new FullStateAssembly();
    a.add(parts.get(0));
    ReplicaChanges restarted = t.membership(List.of(A, new Member("vb2", "b", 2)), 1);
    assertEquals(List.of("vb2"), restarted.syncs().stream().map(ReplicaChanges.Sync::peer).toList());
    for (int i = 1; i < parts.size() - 1; i++) {
      a.add(parts.get(i));
    }
    FullState old = a.add(parts.get(parts.size() - 1));
    assertEquals(List.of(), shares(t.fullState(join.syncs().get(0), old, 2)), "the old incarnation's state");
    assertEquals(100, shares(t.fullState(restarted.syncs().get(0), assemble(parts(big(100), 3_000)), 3)).size());
    assertTrue(t.whole());
  }

  @Test
  @DisplayName("merge: a streamed state after a split heals removes the users the peer no longer has")
  void mergeWithStreamedState() {
    ReplicaTable t = ReplicaTableTest.table();
    ReplicaChanges join = t.membership(List.of(A, B), 0);
    t.fullState(join.syncs().get(0), assemble(parts(big(50), 2_000)), 1);
    t.membership(List.of(A), 2);
    ReplicaChanges healed = t.membership(List.of(A, B), 3);
    FullState after = big(50);
    FullState smaller = new FullState("vb", 90, after.contributions().subList(0, 45), after.preferences(), after.marks());
    List<String> changed = shares(t.fullState(healed.syncs().get(0), assemble(parts(smaller, 2_000)), 4));
    assertEquals(50, changed.size(), "5 gone, 45 back from lingering to their sessions");
    assertEquals(5, changed.stream().filter(s -> s.endsWith(":0")).count());
  }
}
