package com.presencehub.testing;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.function.Supplier;

/**
 * Runs a test's HTTP client calls on one event-loop context. From a test thread each request gets
 * a new context on its own loop, and the pool may hand it a connection of another loop; with
 * Vert.x 5.0.10 {@code resp.body()} asked for after that loop handled the end of a small response
 * never completes (vert.x#6038, fixed in 5.0.11; ClientBodyRaceTest). On one context the
 * connections live on its loop and the body is asked for before the end is handled.
 */
public final class SameLoop {

  private SameLoop() {
  }

  /** Calls {@code call} on {@code context} and completes with its result. */
  public static <T> Future<T> call(Context context, Supplier<Future<T>> call) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> call.get().onComplete(result));
    return result.future();
  }
}
