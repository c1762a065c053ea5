package com.presencehub.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.Reason;
import com.presencehub.presence.Role;
import com.presencehub.presence.Status;
import com.presencehub.presence.UserKey;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** How a shard flush groups what it owes the sessions: per loop, one batch per distinct sequence. */
@DisplayName("The delivery plan of a shard flush")
class DeliveryPlanTest {

  private static final String T = "acme";
  private final DeliveryPlan plan = new DeliveryPlan();
  private final Map<SessionLoop, List<List<ChangeBatch>>> tasks = new LinkedHashMap<>();
  private final Map<SessionLink, List<List<PresenceRecord>>> singles = new LinkedHashMap<>();

  private static PresenceRecord record(String user, Status status) {
    return new PresenceRecord(T, user, Role.TECH, status, Reason.ACTIVE, 1L, 1L);
  }

  private SessionLoop loop() {
    return new SessionLoop() {
      @Override
      public void deliver(List<ChangeBatch> batches) {
        tasks.computeIfAbsent(this, k -> new ArrayList<>()).add(batches);
      }
    };
  }

  private void drain() {
    plan.drain(SessionLoop::deliver, (s, records) -> singles.computeIfAbsent(s, k -> new ArrayList<>()).add(records));
  }

  /** What {@code s} got from its loop's tasks, per task. */
  private List<List<PresenceRecord>> heardOnLoop(SessionLink s) {
    List<List<PresenceRecord>> heard = new ArrayList<>();
    for (List<List<ChangeBatch>> perLoop : tasks.values()) {
      for (List<ChangeBatch> task : perLoop) {
        for (ChangeBatch b : task) {
          if (b.sessions().contains(s)) {
            heard.add(b.changes().records());
          }
        }
      }
    }
    return heard;
  }

  @Test
  @DisplayName("sessions of one loop owed the same changes share one batch, one task for the loop, frame encoded once")
  void sameChangesOneBatch() {
    SessionLoop l1 = loop();
    List<SessionLink> watchers = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      watchers.add(new Looped("c" + i, l1));
    }
    PresenceRecord a = record("t1", Status.AWAY);
    PresenceRecord b = record("t2", Status.ONLINE);
    watchers.forEach(w -> plan.add(w, a));
    watchers.forEach(w -> plan.add(w, b));

    drain();

    assertEquals(1, tasks.get(l1).size(), "one task for the loop");
    List<ChangeBatch> task = tasks.get(l1).get(0);
    assertEquals(1, task.size());
    assertEquals(watchers, task.get(0).sessions());
    assertEquals(List.of(a, b), task.get(0).changes().records());
    AtomicInteger encodes = new AtomicInteger();
    String f1 = task.get(0).changes().frame(r -> "frame of " + r.size() + " #" + encodes.incrementAndGet());
    String f2 = task.get(0).changes().frame(r -> "frame of " + r.size() + " #" + encodes.incrementAndGet());
    assertEquals("frame of 2 #1", f1);
    assertSame(f1, f2);
    assertEquals(1, encodes.get());
    assertTrue(singles.isEmpty());
  }

  @Test
  @DisplayName("each session hears exactly its own changes in the order they were added, whatever the others heard")
  void perSessionOrder() {
    SessionLoop l1 = loop();
    Looped x = new Looped("x", l1);
    Looped y = new Looped("y", l1);
    Looped z = new Looped("z", l1);
    PresenceRecord a = record("t1", Status.AWAY);
    PresenceRecord b = record("t1", Status.ONLINE);
    PresenceRecord c = record("t2", Status.AWAY);
    plan.add(x, a);
    plan.add(y, a);
    plan.add(z, c);
    plan.add(x, b);
    plan.add(y, c);
    plan.add(z, a);
    plan.add(x, c);

    drain();

    assertEquals(1, tasks.get(l1).size());
    assertEquals(List.of(List.of(a, b, c)), heardOnLoop(x));
    assertEquals(List.of(List.of(a, c)), heardOnLoop(y));
    assertEquals(List.of(List.of(c, a)), heardOnLoop(z));
    assertEquals(3, tasks.get(l1).get(0).size(), "three different sequences: three batches");
  }

  @Test
  @DisplayName("a session's prefix of another's changes is its own batch: equal records by value but different objects are not merged")
  void prefixAndIdentity() {
    SessionLoop l1 = loop();
    Looped x = new Looped("x", l1);
    Looped y = new Looped("y", l1);
    Looped w = new Looped("w", l1);
    PresenceRecord a = record("t1", Status.AWAY);
    PresenceRecord a2 = record("t1", Status.AWAY);
    PresenceRecord b = record("t2", Status.AWAY);
    plan.add(x, a);
    plan.add(y, a);
    plan.add(x, b);
    plan.add(w, a2);

    drain();

    List<ChangeBatch> task = tasks.get(l1).get(0);
    assertEquals(3, task.size());
    assertEquals(List.of(List.of(a, b)), heardOnLoop(x));
    assertEquals(List.of(List.of(a)), heardOnLoop(y));
    assertEquals(List.of(List.of(a2)), heardOnLoop(w));
    assertNotSame(heardOnLoop(y).get(0).get(0), heardOnLoop(w).get(0).get(0));
  }

  @Test
  @DisplayName("one task per loop: sessions on two loops hearing the same change get one task each, sharing the encoded frame")
  void perLoop() {
    SessionLoop l1 = loop();
    SessionLoop l2 = loop();
    Looped x = new Looped("x", l1);
    Looped y = new Looped("y", l2);
    Looped z = new Looped("z", l1);
    PresenceRecord a = record("t1", Status.AWAY);
    plan.add(x, a);
    plan.add(y, a);
    plan.add(z, a);

    drain();

    assertEquals(List.of(l1, l2), List.copyOf(tasks.keySet()));
    assertEquals(List.of(x, z), tasks.get(l1).get(0).get(0).sessions());
    assertEquals(List.of(y), tasks.get(l2).get(0).get(0).sessions());
    assertSame(tasks.get(l1).get(0).get(0).changes(), tasks.get(l2).get(0).get(0).changes(),
        "the same changes object, so the frame is encoded once for both loops");
  }

  @Test
  @DisplayName("sessions without a loop get their own list; a drained plan is empty and starts afresh")
  void singlesAndDrain() {
    RecordingSession s = new RecordingSession(T, "c1", Role.CLIENT, "s");
    PresenceRecord a = record("t1", Status.AWAY);
    PresenceRecord b = record("t1", Status.ONLINE);
    plan.add(s, a);
    plan.add(s, b);
    assertEquals(1, plan.sessions());

    drain();

    assertTrue(plan.isEmpty());
    assertEquals(List.of(List.of(a, b)), singles.get(s));
    plan.add(s, b);
    drain();
    assertEquals(List.of(List.of(a, b), List.of(b)), singles.get(s), "the second flush owes only what came after the first");
  }

  /** A session that lives on a loop; it must never be handed changes one by one. */
  private record Looped(String name, SessionLoop loop) implements SessionLink {

    @Override
    public UserKey user() {
      return new UserKey(T, name);
    }

    @Override
    public Role role() {
      return Role.CLIENT;
    }

    @Override
    public void deliver(List<PresenceRecord> updates) {
      throw new AssertionError("a session with a loop is delivered to through its loop");
    }

    @Override
    public Future<Boolean> offer(String frame) {
      return Future.succeededFuture(false);
    }
  }
}
