package com.presencehub.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The pause monitor on its own thread. A real SIGSTOP of a whole node is FrozenNodeTest's (the
 * resumed node logs its pause) and ChaosTest's (a frozen speaker publishes nothing stale); here
 * clocks that jump stand for a frozen process, since a test cannot freeze its own JVM.
 */
@DisplayName("The process pause monitor")
class ProcessPausesTest {

  /** Both clocks of a monitor, moved on together by {@link #freeze}. */
  private static final class Clocks {
    final AtomicLong skewMs = new AtomicLong();

    long epochMs() {
      return System.currentTimeMillis() + skewMs.get();
    }

    long nanos() {
      return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(skewMs.get());
    }

    /** As if the process had been frozen for {@code ms}: both clocks move on at once. */
    void freeze(long ms) {
      skewMs.addAndGet(ms);
    }

    ProcessPauses monitor() {
      return new ProcessPauses("test", 20, 1_000, this::epochMs, this::nanos);
    }
  }

  @Test
  @DisplayName("a thread busy for longer than the threshold is no pause of the process")
  void busyThreadIsNoPause() {
    try (ProcessPauses pauses = new ProcessPauses("test", 20, 1_000)) {
      long from = System.currentTimeMillis();
      // The calling thread stands for an event loop that is behind: it computes, and nothing stops the process.
      long spins = 0;
      while (System.currentTimeMillis() - from < 1_500) {
        spins++;
      }
      long to = System.currentTimeMillis();
      assertTrue(spins > 0);
      assertFalse(pauses.pausedBetween(from, to), "1.5 s of a busy thread, the monitor woke every 20 ms");
    }
  }

  @Test
  @DisplayName("a freeze is seen at once, before the monitor wakes")
  void freezeSeenBeforeTheMonitorWakes() {
    Clocks clocks = new Clocks();
    try (ProcessPauses pauses = clocks.monitor()) {
      long before = clocks.epochMs();
      clocks.freeze(5_000);
      // The monitor sleeps 20 ms at a time; right after the jump its last wake is 5 s old.
      assertTrue(pauses.pausedBetween(before, clocks.epochMs()));
    }
  }

  @Test
  @DisplayName("a freeze the monitor saw is a pause after it woke; gaps after it are not")
  void freezeSeenByTheMonitor() {
    Clocks clocks = new Clocks();
    try (ProcessPauses pauses = clocks.monitor()) {
      long before = clocks.epochMs();
      clocks.freeze(5_000);
      long resumed = clocks.epochMs();
      // Once the monitor has woken (its wake is recent), only its record of the pause can tell.
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        long t = clocks.epochMs();
        return !pauses.pausedBetween(t, t);
      });
      assertTrue(pauses.pausedBetween(before, resumed), "the pause it recorded ended after `before`");
      long after = clocks.epochMs();
      assertFalse(pauses.pausedBetween(after, after + 500), "no pause since");
    }
  }

  @Test
  @DisplayName("closing stops its thread; a period not below the threshold is refused")
  void closeAndArguments() {
    ProcessPauses pauses = new ProcessPauses("test", 20, 1_000);
    pauses.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> !pauses.running());
    assertThrows(IllegalArgumentException.class, () -> new ProcessPauses("test", 1_000, 1_000));
    assertThrows(IllegalArgumentException.class, () -> new ProcessPauses("test", 0, 1_000));
  }
}
