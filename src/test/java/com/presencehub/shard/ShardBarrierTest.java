package com.presencehub.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.presencehub.presence.PresenceTimings;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ShardDirectory#barrier()} completes only after what was queued on the shards before it
 * ran: the readiness of a joining node and the change stream's recheck rely on it (issue 17).
 * Vert.x runs a task submitted on a loop's own thread at once, whatever context submitted it; a
 * barrier called from another context that shares a shard's loop thread must still wait its turn.
 */
class ShardBarrierTest {

  private Vertx vertx;

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void aBarrierFromAnotherContextOnTheShardsThreadWaitsForTheTasksQueuedBefore() throws Exception {
    // One event loop: the shard's context and the caller's share its thread.
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    VertxInternal internal = (VertxInternal) vertx;
    ContextInternal shardContext = internal.createEventLoopContext();
    ContextInternal caller = internal.createEventLoopContext();
    assertSame(shardContext.nettyEventLoop(), caller.nettyEventLoop(), "one loop thread");
    ShardDirectory directory = new ShardDirectory(1);
    directory.attach(0, shardContext, new PresenceShard(new PresenceTimings(60_000, 1_000), 200,
        new ManualClock(1_700_000_000_000L), ShardObserver.NONE));

    List<String> order = new CopyOnWriteArrayList<>();
    CountDownLatch callerRunning = new CountDownLatch(1);
    CountDownLatch queued = new CountDownLatch(1);
    CompletableFuture<Void> done = new CompletableFuture<>();
    caller.runOnContext(v -> {
      callerRunning.countDown();
      try {
        // Holds the loop (briefly, a test's own loop) until the shard's task is queued behind this one.
        queued.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      directory.barrier().onComplete(ar -> {
        order.add("barrier");
        done.complete(null);
      });
    });
    callerRunning.await(10, TimeUnit.SECONDS);
    // From this (foreign) thread: queued on the shard's loop, behind the caller's running task.
    directory.tell(0, shard -> order.add("queued before"));
    queued.countDown();
    done.get(10, TimeUnit.SECONDS);
    assertEquals(List.of("queued before", "barrier"), order);
  }
}
