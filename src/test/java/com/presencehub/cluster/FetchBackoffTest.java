package com.presencehub.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link FetchBackoff}: the wait for a peer's full state after asks that timed out (plain Java, times given). */
@DisplayName("The wait for a peer's full state")
class FetchBackoffTest {

  @Test
  @DisplayName("doubles after each timeout up to four times the base, and is the base again after a success")
  void doublesThenResets() {
    FetchBackoff b = new FetchBackoff(5_000);
    assertEquals(5_000, b.waitMs("n0 shares", 0));
    b.timedOut("n0 shares", 5_000);
    assertEquals(10_000, b.waitMs("n0 shares", 6_000));
    b.timedOut("n0 shares", 16_000);
    assertEquals(20_000, b.waitMs("n0 shares", 17_000));
    b.timedOut("n0 shares", 37_000);
    b.timedOut("n0 shares", 57_000);
    assertEquals(5_000L * FetchBackoff.MAX_BACKOFF, b.waitMs("n0 shares", 58_000), "capped");
    b.succeeded("n0 shares");
    assertEquals(5_000, b.waitMs("n0 shares", 59_000));
  }

  @Test
  @DisplayName("each peer and kind has its own wait")
  void perKind() {
    FetchBackoff b = new FetchBackoff(1_000);
    b.timedOut("n0 ledger", 0);
    assertEquals(2_000, b.waitMs("n0 ledger", 0));
    assertEquals(1_000, b.waitMs("n0 shares", 0));
    assertEquals(1_000, b.waitMs("n1 ledger", 0));
  }

  @Test
  @DisplayName("forgets a timeout after 2 x 4 x the base without another, and everything at a reset")
  void forgets() {
    FetchBackoff b = new FetchBackoff(1_000);
    b.timedOut("n0 shares", 0);
    b.timedOut("n0 shares", 1_000);
    assertEquals(4_000, b.waitMs("n0 shares", 9_000));
    assertEquals(1_000, b.waitMs("n0 shares", 9_001), "8 s after the last timeout");
    b.timedOut("n0 shares", 10_000);
    assertEquals(2_000, b.waitMs("n0 shares", 10_000), "counted from one again");
    b.timedOut("n1 shares", 10_000);
    b.reset();
    assertEquals(1_000, b.waitMs("n0 shares", 10_000));
    assertEquals(1_000, b.waitMs("n1 shares", 10_000));
  }

  @Test
  @DisplayName("holds a bounded number of kinds: forgotten ones make room; past the bound a new kind is not counted")
  void bounded() {
    FetchBackoff b = new FetchBackoff(1_000);
    for (int i = 0; i < FetchBackoff.MAX_ENTRIES; i++) {
      b.timedOut("peer" + i + " shares", 0);
    }
    b.timedOut("one more shares", 0);
    assertEquals(1_000, b.waitMs("one more shares", 0));
    b.timedOut("peer0 shares", 0);
    assertEquals(4_000, b.waitMs("peer0 shares", 0), "one held is still counted");
    b.timedOut("one more shares", 20_000); // every other timeout is forgotten by then
    assertEquals(2_000, b.waitMs("one more shares", 20_000));
  }
}
