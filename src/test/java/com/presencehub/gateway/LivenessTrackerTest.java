package com.presencehub.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LivenessTrackerTest {

  @Test
  @DisplayName("the ping interval is a third of the liveness timeout (15 s of the default 45 s)")
  void pingIntervalIsAThird() {
    assertEquals(15_000, LivenessTracker.pingInterval(45_000));
    assertEquals(15_000, new LivenessTracker(45_000, 0).pingIntervalMs());
  }

  @Test
  @DisplayName("a peer is dead exactly when no proof has come for the timeout, not a millisecond earlier")
  void deadAtTheDeadline() {
    LivenessTracker t = new LivenessTracker(3_000, 1_000);
    assertFalse(t.dead(3_999));
    assertTrue(t.dead(4_000));
  }

  @Test
  @DisplayName("a proof moves the deadline; an older proof arriving late does not move it back")
  void proofMovesTheDeadline() {
    LivenessTracker t = new LivenessTracker(3_000, 0);
    t.proof(2_000);
    assertFalse(t.dead(4_999));
    assertTrue(t.dead(5_000));
    t.proof(1_500);
    assertEquals(2_000, t.lastProofMs());
  }

  @Test
  @DisplayName("a live peer proving itself at the ping interval is never dead, even missing two proofs in a row")
  void pingingPeerNeverDies() {
    LivenessTracker t = new LivenessTracker(3_000, 0);
    for (long now = 0; now < 100_000; now += 1_000) {
      t.proof(now);
      assertFalse(t.dead(now + 2_999), "at " + now);
    }
  }

  @Test
  @DisplayName("the next check is at the deadline, or at the next ping when the hub pings the peer")
  void nextCheck() {
    LivenessTracker t = new LivenessTracker(3_000, 0);
    assertEquals(3_000, t.nextCheckDelay(0, false));
    assertEquals(1_000, t.nextCheckDelay(0, true));
    assertEquals(500, t.nextCheckDelay(2_500, true));
    assertEquals(1, t.nextCheckDelay(10_000, false));
  }

  @Test
  @DisplayName("a timeout too small to ping within is refused")
  void tinyTimeoutRefused() {
    assertThrows(IllegalArgumentException.class, () -> new LivenessTracker(2, 0));
  }

  @Test
  @DisplayName("a node stall moves an overdue deadline to a ping interval from now, and never moves a later one back")
  void stallExcusesOverduePeers() {
    LivenessTracker t = new LivenessTracker(3_000, 0);
    assertTrue(t.dead(8_000));
    assertTrue(t.excuseStall(8_000));
    assertFalse(t.dead(8_999));
    assertTrue(t.dead(9_000));
    t.proof(8_500);
    assertFalse(t.excuseStall(8_600));
    assertEquals(8_500, t.lastProofMs());
  }

  @Test
  @DisplayName("a check more than half a ping interval late shows a stall; a busy loop's lag does not")
  void stallThreshold() {
    LivenessTracker t = new LivenessTracker(3_000, 0);
    assertFalse(t.stalled(500));
    assertTrue(t.stalled(501));
  }
}
