package com.presencehub.shard;

import com.presencehub.presence.PresenceTimings;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.internal.ContextInternal;

/**
 * Runs one {@link PresenceShard} on this verticle's event loop: timers fire there, and
 * {@link ShardDirectory} sends every operation on the shard's users there.
 */
public final class ShardVerticle extends VerticleBase {

  private final ShardDirectory directory;
  private final int index;
  private final PresenceTimings timings;
  private final long sweepTickMs;
  private final ShardObserver observer;
  private final ReplicationSink sink;
  private final ChangeFeed feed;

  public ShardVerticle(ShardDirectory directory, int index, PresenceTimings timings, long sweepTickMs, ShardObserver observer) {
    this(directory, index, timings, sweepTickMs, observer, ReplicationSink.NONE, ChangeFeed.NONE);
  }

  public ShardVerticle(ShardDirectory directory, int index, PresenceTimings timings, long sweepTickMs, ShardObserver observer,
      ReplicationSink sink, ChangeFeed feed) {
    this.directory = directory;
    this.index = index;
    this.timings = timings;
    this.sweepTickMs = sweepTickMs;
    this.observer = observer;
    this.sink = sink;
    this.feed = feed;
  }

  @Override
  public Future<?> start() {
    ContextInternal ctx = (ContextInternal) context;
    PresenceShard shard = new PresenceShard(timings, sweepTickMs, new LoopClock(ctx), observer, sink, feed);
    ctx.setPeriodic(sweepTickMs, id -> shard.sweep());
    directory.attach(index, ctx, shard);
    return Future.succeededFuture();
  }

  /** Time and timers of the shard's event loop. */
  private record LoopClock(ContextInternal ctx) implements ShardClock {
    @Override
    public long now() {
      return System.currentTimeMillis();
    }

    @Override
    public long schedule(long delayMs, Runnable task) {
      return ctx.setTimer(Math.max(1, delayMs), id -> task.run());
    }

    @Override
    public void cancel(long timerId) {
      ctx.owner().cancelTimer(timerId);
    }

    @Override
    public void runSoon(Runnable task) {
      ctx.runOnContext(v -> task.run());
    }
  }
}
