package com.presencehub.gateway;

import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Handler;
import io.vertx.core.internal.ContextInternal;
import java.util.concurrent.TimeUnit;

/**
 * A one-shot timer of a session on its event loop (auth deadline, token expiry, liveness check),
 * scheduled on the loop's own Netty timer queue and run on the session's context as a Vert.x timer
 * would be ({@code ContextInternal#emit}: context set, an exception reported to the context).
 *
 * <p>Why not {@code Vertx#setTimer}: each Vert.x timer also takes a node-wide id (an atomic counter
 * shared by every loop), a boxed id and an entry in the node-wide timer map, ~190 bytes per armed
 * timer with its lambda, held for as long as the session's timers are (issue 15: every open
 * session keeps two armed); this keeps the task Netty schedules (~64 bytes) and this object.
 *
 * <p>Used on the context's event loop only (an event-loop context): {@link #arm} and {@link
 * #cancel} there; the task runs there.
 */
final class LoopTimer implements Runnable, Handler<Void> {

  private final ContextInternal context;
  private final Runnable task;
  private ScheduledFuture<?> pending;

  /** @param task run on the context when the timer fires, unless cancelled or re-armed before */
  LoopTimer(ContextInternal context, Runnable task) {
    this.context = context;
    this.task = task;
  }

  /** Fires {@code delayMs} from now (at least 1 ms); an armed timer is re-armed. */
  void arm(long delayMs) {
    cancel();
    pending = context.nettyEventLoop().schedule(this, Math.max(1, delayMs), TimeUnit.MILLISECONDS);
  }

  /** Nothing fires until the next {@link #arm}. */
  void cancel() {
    if (pending != null) {
      pending.cancel(false);
      pending = null;
    }
  }

  /** Cancels {@code timer} if there is one. @return null, for the caller's field */
  static LoopTimer cancel(LoopTimer timer) {
    if (timer != null) {
      timer.cancel();
    }
    return null;
  }

  boolean armed() {
    return pending != null;
  }

  /** Netty's schedule fired, on the loop. */
  @Override
  public void run() {
    pending = null;
    context.emit(this);
  }

  @Override
  public void handle(Void v) {
    task.run();
  }
}
