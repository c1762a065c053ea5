package com.presencehub.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class WatchedUsersTest {

  private static List<String> ids(String prefix, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(prefix + i);
    }
    return out;
  }

  @Test
  @DisplayName("a subscribe up to the limit is admitted; one more user is refused with the count it would reach, and nothing changes")
  void limit() {
    WatchedUsers w = new WatchedUsers(3);
    assertEquals(-1, w.admit(List.of("a", "b")));
    w.settle(List.of("a", "b"), true);
    assertEquals(4, w.admit(List.of("c", "d")));
    assertFalse(w.isPending("c"));
    assertEquals(2, w.size());
    assertEquals(-1, w.admit(List.of("a", "c")), "a is already watched: only c is new");
    assertEquals(3, w.size());
  }

  @Test
  @DisplayName("users of subscribes in flight count against the limit, so concurrent subscribes cannot pass it together")
  void pendingCounts() {
    WatchedUsers w = new WatchedUsers(1_500);
    assertEquals(-1, w.admit(ids("x", 1_000)));
    assertEquals(2_000, w.admit(ids("y", 1_000)));
    assertEquals(-1, w.admit(ids("x", 1_000)), "the same users again are not new");
  }

  @Test
  @DisplayName("the attack of issue 11 (1000 fresh ids, 100 times) stops at the limit")
  void freshIdsStopAtLimit() {
    WatchedUsers w = new WatchedUsers(10_000);
    int admitted = 0;
    for (int round = 0; round < 100; round++) {
      List<String> batch = ids("r" + round + "-", 1_000);
      if (w.admit(batch) < 0) {
        w.settle(batch, true);
        admitted++;
      }
    }
    assertEquals(10, admitted);
    assertEquals(10_000, w.size());
  }

  @Test
  @DisplayName("a dropped subscribe releases only the users nobody else on the session watches or awaits")
  void droppedSubscribe() {
    WatchedUsers w = new WatchedUsers(10);
    w.admit(List.of("a"));
    w.settle(List.of("a"), true);
    w.admit(List.of("b", "c"));
    w.admit(List.of("a", "b", "d", "d"));
    List<String> dropped = w.settle(List.of("a", "b", "d", "d"), false);
    assertEquals(List.of("d"), dropped);
    assertTrue(w.isWatched("a"));
    assertTrue(w.isPending("b"));
    assertFalse(w.isPending("d"));
    assertEquals(Set.of("a", "b", "c"), w.all());
  }

  @Test
  @DisplayName("unsubscribed users free their place")
  void removeFrees() {
    WatchedUsers w = new WatchedUsers(2);
    w.admit(List.of("a", "b"));
    w.settle(List.of("a", "b"), true);
    w.remove(List.of("a"));
    assertEquals(-1, w.admit(List.of("c")));
  }
}
