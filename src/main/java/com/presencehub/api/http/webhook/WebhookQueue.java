package com.presencehub.api.http.webhook;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The events waiting for one endpoint, plain Java, used on one event loop. At most one batch is
 * out at a time, and a batch is taken from the head, so events leave in the order they came (in
 * order per user, since the hub publishes a user's transitions in order). A failed batch is sent
 * again as it was, before anything newer. The waiting part is bounded: when it is full, the
 * oldest waiting event is dropped and counted (the batch in flight is never touched).
 *
 * @param <E> the event type
 */
public final class WebhookQueue<E> {

  private final ArrayDeque<E> waiting = new ArrayDeque<>();
  private final int max;
  private List<E> inFlight;
  private long dropped;

  /** @param max how many events may wait (the batch in flight not counted) */
  public WebhookQueue(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max: must be at least 1");
    }
    this.max = max;
  }

  /** Queues {@code e}; @return the event dropped to make room, or null. */
  public E offer(E e) {
    E drop = null;
    if (waiting.size() >= max) {
      drop = waiting.pollFirst();
      dropped++;
    }
    waiting.addLast(e);
    return drop;
  }

  /**
   * The batch to send now: the one in flight if it failed and is to be retried, else up to {@code
   * batchMax} events from the head; empty when nothing waits. The batch stays in flight until
   * {@link #sent()}.
   */
  public List<E> batch(int batchMax) {
    if (inFlight == null) {
      if (waiting.isEmpty()) {
        return List.of();
      }
      int n = Math.min(batchMax, waiting.size());
      List<E> b = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        b.add(waiting.pollFirst());
      }
      inFlight = List.copyOf(b);
    }
    return inFlight;
  }

  /** The batch in flight was accepted by the endpoint. */
  public void sent() {
    inFlight = null;
  }

  public boolean hasInFlight() {
    return inFlight != null;
  }

  /** Events waiting plus those in flight. */
  public int depth() {
    return waiting.size() + (inFlight == null ? 0 : inFlight.size());
  }

  public long dropped() {
    return dropped;
  }
}
