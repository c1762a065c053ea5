package com.presencehub.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.cluster.DeltaOrder.Verdict;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A peer's delta sequence: in order, gaps, full states and the replay after them. */
@DisplayName("A peer's delta order")
class DeltaOrderTest {

  @Test
  @DisplayName("waits for a first full state, then applies deltas in sequence")
  void firstFullStateThenInOrder() {
    DeltaOrder<String> o = new DeltaOrder<>(100);
    assertEquals(Verdict.WAIT, o.offer(3, "d3"), "nothing to apply a delta to before a full state");
    assertTrue(o.fullState(2));
    assertEquals(List.of("d3"), o.ready());
    assertEquals(3, o.seq());
    assertEquals(Verdict.APPLY, o.offer(4, "d4"));
    assertEquals(Verdict.STALE, o.offer(4, "d4 again"));
    assertEquals(Verdict.STALE, o.offer(1, "old"));
    assertEquals(4, o.seq());
  }

  @Test
  @DisplayName("a gap makes deltas wait; the full state covers what was missed and the rest replays in order")
  void gapThenReplay() {
    DeltaOrder<String> o = new DeltaOrder<>(100);
    o.fullState(10);
    assertEquals(Verdict.WAIT, o.offer(13, "d13"));
    assertEquals(Verdict.WAIT, o.offer(12, "d12"));
    assertEquals(Verdict.WAIT, o.offer(15, "d15"));
    assertEquals(3, o.waiting());
    // The full state was taken at 11: 12 and 13 follow, 15 still waits behind the missing 14.
    assertTrue(o.fullState(11));
    assertEquals(List.of("d12", "d13"), o.ready());
    assertEquals(13, o.seq());
    assertEquals(1, o.waiting(), "still a gap: another full state is needed");
    assertTrue(o.fullState(14));
    assertEquals(List.of("d15"), o.ready());
    assertEquals(0, o.waiting());
  }

  @Test
  @DisplayName("deltas applied while a full state travelled make an older full state not apply")
  void olderFullStateIgnored() {
    DeltaOrder<String> o = new DeltaOrder<>(100);
    o.fullState(5);
    assertEquals(Verdict.APPLY, o.offer(6, "d6"));
    assertEquals(Verdict.APPLY, o.offer(7, "d7"));
    assertFalse(o.fullState(6), "the state held is newer than this full state");
    assertEquals(7, o.seq());
    assertTrue(o.fullState(7), "the same point: nothing lost by applying it");
  }

  @Test
  @DisplayName("covered waiting deltas are dropped; the waiting room is bounded")
  void boundedAndDropped() {
    DeltaOrder<String> o = new DeltaOrder<>(2);
    o.fullState(0);
    o.offer(5, "d5");
    o.offer(6, "d6");
    o.offer(8, "d8");
    assertEquals(1, o.waiting(), "full: the older ones were dropped, the full state alone will do");
    o.fullState(9);
    assertEquals(List.of(), o.ready());
    assertEquals(0, o.waiting());
    o.offer(11, "d11");
    o.dropWaiting();
    assertEquals(0, o.waiting());
  }
}
