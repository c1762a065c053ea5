package com.presencehub.gateway;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** PeerWatch's timer on a real context, without sockets (the transports are LivenessTest's). */
@ExtendWith(VertxExtension.class)
class PeerWatchTest {

  private static final long TIMEOUT = 600;

  @Test
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  @DisplayName("a silent peer is taken for dead once, at its deadline, not before")
  void silentPeerDiesAtDeadline(Vertx vertx, VertxTestContext test) {
    ContextInternal ctx = (ContextInternal) vertx.getOrCreateContext();
    AtomicInteger deaths = new AtomicInteger();
    long start = System.currentTimeMillis();
    ctx.runOnContext(v -> new PeerWatch(ctx, new LivenessTracker(TIMEOUT, start), null, () -> {
      long took = System.currentTimeMillis() - start;
      test.verify(() -> assertTrue(took >= TIMEOUT, "dead after " + took + " ms"));
      deaths.incrementAndGet();
    }).start());
    vertx.setTimer(3 * TIMEOUT, t -> test.verify(() -> {
      assertTrue(deaths.get() == 1, deaths.get() + " deaths");
      test.completeNow();
    }));
  }

  @Test
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  @DisplayName("a peer proving itself every third of the timeout stays alive; once it stops, it dies a timeout after its last proof")
  void provingPeerStays(Vertx vertx, VertxTestContext test) {
    ContextInternal ctx = (ContextInternal) vertx.getOrCreateContext();
    AtomicLong lastProof = new AtomicLong();
    ctx.runOnContext(v -> {
      long now = System.currentTimeMillis();
      lastProof.set(now);
      PeerWatch watch = new PeerWatch(ctx, new LivenessTracker(TIMEOUT, now), null, () -> {
        long sinceProof = System.currentTimeMillis() - lastProof.get();
        test.verify(() -> {
          assertTrue(System.currentTimeMillis() - now >= 4 * TIMEOUT, "died while still proving itself");
          assertTrue(sinceProof >= TIMEOUT, "dead " + sinceProof + " ms after the last proof");
        });
        test.completeNow();
      });
      watch.start();
      long periodic = ctx.setPeriodic(TIMEOUT / 3, id -> {
        watch.proof();
        lastProof.set(System.currentTimeMillis());
      });
      ctx.setTimer(4 * TIMEOUT, id -> vertx.cancelTimer(periodic));
    });
  }
}
