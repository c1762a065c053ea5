package com.presencehub.cluster;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a paused process from a busy event loop (issue 17). {@link ChangeStream} took any gap of
 * more than {@code pauseMs} between two inputs on the replication loop for a pause of the process.
 * A node joining a loaded cluster (bench/join.mjs on 2 shared cores: 0.35 of a core for it, young
 * collections of 0.5–0.7 s) saw such gaps while its loop was merely behind on the peers' full
 * states, quarantined itself and asked every peer for its full state again, with its ledger. A
 * loop that is behind loses nothing: Hazelcast's own threads keep this node a member, and the
 * peers' messages wait, in order. Only a gap that the whole process shared means the others may
 * have given up on it.
 *
 * <p>A daemon thread wakes every {@code periodMs} (Hadoop's {@code JvmPauseMonitor} does the same);
 * a gap of more than {@code thresholdMs} between two of its wakes (measured on the monotonic clock)
 * is a pause; the gap includes the period, so a freeze of a little less counts too, which errs on
 * the safe side. The kernel wakes it after each sleep, so a busy machine delays it by a scheduling
 * slice, not by the loop's backlog. LatencyUtils' {@code SimplePauseDetector} (on the class path
 * through Micrometer) reports pauses only afterwards, from its own notification thread; the first
 * input after a SIGCONT must already see the pause, so {@link #pausedBetween} reads two volatile
 * fields instead.
 *
 * <p>Thread-safe: {@link #lastWake} and {@link #lastPauseEnd} are written by the monitor thread
 * only and read on the replication event loop without a lock.
 */
final class ProcessPauses implements PauseWitness, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ProcessPauses.class);

  private final long periodMs;
  private final long thresholdMs;
  private final LongSupplier epochMs;
  private final LongSupplier nanos;
  private final Thread thread;
  private volatile boolean closed;
  /** The monitor's last wake (epoch ms). */
  private volatile long lastWake;
  /** When the latest pause it saw ended (epoch ms); written before {@link #lastWake}. */
  private volatile long lastPauseEnd = Long.MIN_VALUE;

  /** A monitor on the system clocks; {@code node} names its thread; see the other constructor for the errors. */
  ProcessPauses(String node, long periodMs, long thresholdMs) {
    this(node, periodMs, thresholdMs, System::currentTimeMillis, System::nanoTime);
  }

  /**
   * Starts the monitor thread.
   *
   * @param node names the thread ({@code presence-pause-monitor-<node>})
   * @param periodMs how often it wakes (ms, > 0)
   * @param thresholdMs a gap between two wakes longer than this is a pause (ms, > periodMs)
   * @param epochMs the clock of the instants asked about (the stream's: epoch ms)
   * @param nanos the monotonic clock the gaps are measured on (ns)
   * @throws IllegalArgumentException for a period not between 0 and the threshold
   */
  ProcessPauses(String node, long periodMs, long thresholdMs, LongSupplier epochMs, LongSupplier nanos) {
    if (periodMs <= 0 || thresholdMs <= periodMs) {
      throw new IllegalArgumentException("periodMs " + periodMs + " must be > 0 and below thresholdMs " + thresholdMs);
    }
    this.periodMs = periodMs;
    this.thresholdMs = thresholdMs;
    this.epochMs = epochMs;
    this.nanos = nanos;
    this.lastWake = epochMs.getAsLong();
    long started = nanos.getAsLong(); // here, not when the thread first runs: a pause in between counts
    this.thread = new Thread(() -> watch(started), "presence-pause-monitor-" + node);
    thread.setDaemon(true);
    thread.start();
  }

  private void watch(long started) {
    long previous = started;
    while (!closed) {
      try {
        Thread.sleep(periodMs);
      } catch (InterruptedException e) {
        if (!closed) {
          // Every gap counts as a pause from now on (lastWake stays old): safe, but say so.
          LOG.warn("pause monitor interrupted: every gap of the replication loop now counts as a pause");
        }
        return;
      }
      long now = nanos.getAsLong();
      if (TimeUnit.NANOSECONDS.toMillis(now - previous) > thresholdMs) {
        lastPauseEnd = epochMs.getAsLong();
      }
      lastWake = epochMs.getAsLong();
      previous = now;
    }
  }

  /** A gap between two wakes longer than this is a pause (ms). */
  long thresholdMs() {
    return thresholdMs;
  }

  /**
   * True when a pause of the process ended after {@code from}, or when the monitor has not woken for
   * more than the threshold before {@code to}: the process is resuming right now (the monitor has
   * not run yet since), or the monitor itself was starved that long, which counts as a pause too.
   */
  @Override
  public boolean pausedBetween(long from, long to) {
    // lastWake first: a wake read here was preceded by its lastPauseEnd write (volatile order).
    long wake = lastWake;
    return to - wake > thresholdMs || lastPauseEnd > from;
  }

  /** Whether the monitor thread still runs (tests). */
  boolean running() {
    return thread.isAlive();
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
  }
}
