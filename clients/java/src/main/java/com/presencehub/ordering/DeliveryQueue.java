package com.presencehub.ordering;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Deliveries to one user, one at a time: a delivery starts once the previous one to the same user
 * is done (succeeded or failed), so the order they were submitted in holds whatever the hops do
 * (event-bus requests spread over nodes, shard hops, remote writes). Users do not wait for each
 * other. Used by the event-bus API server ({@code presence.deliver}) and by the facade
 * ({@code PresenceService.deliver}).
 *
 * <p>Safe to call from any thread: the facade is called from its users' threads. The lock only
 * guards the map of the last delivery per user, never a delivery itself.
 *
 * @param <K> the user's key (whatever identifies a target to the caller)
 */
public final class DeliveryQueue<K> {

  /** The last delivery submitted per user, while it is not done. */
  private final Map<K, Future<?>> last = new HashMap<>();

  /**
   * Starts {@code delivery} now if nothing to {@code user} is in flight, else once the previous
   * one completes; a waiting delivery is started through {@code resume} (e.g. the caller's
   * context, so that its reply arrives there). Completes with the delivery's own outcome; a
   * {@code delivery} that throws fails it.
   */
  public <T> Future<T> submit(K user, Executor resume, Supplier<Future<T>> delivery) {
    Promise<T> done = Promise.promise();
    Future<T> mine = done.future();
    Future<?> previous;
    synchronized (last) {
      previous = last.put(user, mine);
    }
    if (previous == null) {
      start(delivery, done);
    } else {
      previous.onComplete(ar -> resume.execute(() -> start(delivery, done)));
    }
    return mine.andThen(ar -> {
      synchronized (last) {
        last.remove(user, mine);
      }
    });
  }

  /** Same as {@link #submit(Object, Executor, Supplier)}, resuming on the thread that completed the previous one. */
  public <T> Future<T> submit(K user, Supplier<Future<T>> delivery) {
    return submit(user, Runnable::run, delivery);
  }

  /** Users with a delivery in flight (or waiting). */
  public int size() {
    synchronized (last) {
      return last.size();
    }
  }

  private static <T> void start(Supplier<Future<T>> delivery, Promise<T> done) {
    try {
      delivery.get().onComplete(done);
    } catch (RuntimeException e) {
      done.fail(e);
    }
  }
}
