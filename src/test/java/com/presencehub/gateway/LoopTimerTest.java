package com.presencehub.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link LoopTimer} on a real event-loop context: fires once, on the context, not before its delay; cancel and re-arm. */
@ExtendWith(VertxExtension.class)
class LoopTimerTest {

  @Test
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  @DisplayName("fires once, on its context, no earlier than its delay")
  void firesOnceOnItsContext(Vertx vertx, VertxTestContext test) {
    ContextInternal ctx = (ContextInternal) vertx.getOrCreateContext();
    AtomicInteger fired = new AtomicInteger();
    AtomicReference<LoopTimer> timer = new AtomicReference<>();
    ctx.runOnContext(v -> {
      long start = System.nanoTime();
      LoopTimer t = new LoopTimer(ctx, () -> {
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        test.verify(() -> {
          assertSame(ctx, Vertx.currentContext(), "the task runs on the timer's context");
          assertTrue(tookMs >= 150, "fired after " + tookMs + " ms");
          assertFalse(timer.get().armed(), "no longer armed once fired");
        });
        fired.incrementAndGet();
      });
      timer.set(t);
      t.arm(150);
      test.verify(() -> assertTrue(t.armed()));
    });
    vertx.setTimer(900, id -> test.verify(() -> {
      assertEquals(1, fired.get());
      test.completeNow();
    }));
  }

  @Test
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  @DisplayName("a cancelled timer never fires; re-arming replaces the armed one")
  void cancelAndRearm(Vertx vertx, VertxTestContext test) {
    ContextInternal ctx = (ContextInternal) vertx.getOrCreateContext();
    AtomicInteger cancelledRuns = new AtomicInteger();
    AtomicInteger rearmedRuns = new AtomicInteger();
    ctx.runOnContext(v -> {
      LoopTimer cancelled = new LoopTimer(ctx, cancelledRuns::incrementAndGet);
      cancelled.arm(50);
      test.verify(() -> assertNull(LoopTimer.cancel(cancelled)));
      test.verify(() -> assertFalse(cancelled.armed()));
      LoopTimer rearmed = new LoopTimer(ctx, rearmedRuns::incrementAndGet);
      rearmed.arm(50);
      rearmed.arm(300);
    });
    vertx.setTimer(200, id -> test.verify(() -> assertEquals(0, rearmedRuns.get(), "the first arm was replaced")));
    vertx.setTimer(900, id -> test.verify(() -> {
      assertEquals(0, cancelledRuns.get());
      assertEquals(1, rearmedRuns.get());
      test.completeNow();
    }));
  }
}
