package com.presencehub.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.gateway.RateLimiter.Verdict;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The per-session frame rate limit (§4: 50/s, burst 100, close on sustained abuse). */
@DisplayName("The frame rate limiter")
class RateLimiterTest {

  private static final long T0 = 1_700_000_000_000L;

  private static RateLimiter defaults() {
    return new RateLimiter(50, 100, 100, T0);
  }

  private static Map<Verdict, Integer> send(RateLimiter rl, int frames, long at) {
    Map<Verdict, Integer> counts = new EnumMap<>(Verdict.class);
    for (int i = 0; i < frames; i++) {
      counts.merge(rl.onFrame(at), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  @DisplayName("serves a full burst at once, then refuses")
  void burstThenRefuse() {
    RateLimiter rl = defaults();
    for (int i = 0; i < 100; i++) {
      assertEquals(Verdict.SERVE, rl.onFrame(T0), "frame " + i);
    }
    assertEquals(Verdict.REFUSE, rl.onFrame(T0));
  }

  @Test
  @DisplayName("refills at the configured rate")
  void refillsAtRate() {
    RateLimiter rl = defaults();
    send(rl, 100, T0);
    assertEquals(Verdict.REFUSE, rl.onFrame(T0 + 19));
    assertEquals(Verdict.SERVE, rl.onFrame(T0 + 20), "50/s is one token per 20 ms");
    assertEquals(Verdict.REFUSE, rl.onFrame(T0 + 20));
    assertEquals(Map.of(Verdict.SERVE, 50), send(rl, 50, T0 + 1_020), "one second buys 50 frames");
    assertEquals(Verdict.REFUSE, rl.onFrame(T0 + 1_020));
  }

  @ParameterizedTest(name = "{0}/s")
  @ValueSource(ints = {1, 8, 40, 50, 200, 1000})
  @DisplayName("serves steady traffic at exactly the rate forever, once the burst is spent")
  void steadyAtRateAlwaysServed(int rate) {
    RateLimiter rl = new RateLimiter(rate, 10, 10, T0);
    send(rl, 10, T0);
    long interval = 1000 / rate;
    for (int i = 1; i <= 5_000; i++) {
      assertEquals(Verdict.SERVE, rl.onFrame(T0 + i * interval), "frame " + i + " at " + rate + "/s");
    }
  }

  @Test
  @DisplayName("never holds more than the burst, however long the pause")
  void capAtBurst() {
    RateLimiter rl = defaults();
    long later = T0 + 3_600_000;
    assertEquals(Map.of(Verdict.SERVE, 100), send(rl, 100, later));
    assertEquals(Verdict.REFUSE, rl.onFrame(later));
  }

  @Test
  @DisplayName("closes only after more than closeAfter refusals beyond what the rate forgives")
  void sustainedAbuseCloses() {
    RateLimiter rl = defaults();
    send(rl, 100, T0);
    for (int i = 1; i <= 100; i++) {
      assertEquals(Verdict.REFUSE, rl.onFrame(T0), "refusal " + i);
    }
    assertEquals(Verdict.CLOSE, rl.onFrame(T0));
  }

  @Test
  @DisplayName("forgives refusals at the rate: a pause clears past strikes")
  void strikesDrain() {
    RateLimiter rl = defaults();
    send(rl, 100, T0);
    send(rl, 100, T0); // 100 strikes, one short of a close
    long later = T0 + 2_000; // 100 strikes forgiven, bucket full again
    assertEquals(Map.of(Verdict.SERVE, 100, Verdict.REFUSE, 100), send(rl, 200, later));
    assertEquals(Verdict.CLOSE, rl.onFrame(later));
  }

  @Test
  @DisplayName("refuses but never closes a client slightly over the rate")
  void mildExcessNeverCloses() {
    RateLimiter rl = defaults();
    Map<Verdict, Integer> counts = new EnumMap<>(Verdict.class);
    for (long t = T0; t < T0 + 120_000; t += 16) { // 62.5 frames/s for two minutes
      counts.merge(rl.onFrame(t), 1, Integer::sum);
    }
    assertTrue(counts.getOrDefault(Verdict.REFUSE, 0) > 0, "some frames were refused: " + counts);
    assertEquals(0, counts.getOrDefault(Verdict.CLOSE, 0), counts.toString());
  }

  @Test
  @DisplayName("closes a client flooding at several times the rate within seconds")
  void floodCloses() {
    RateLimiter rl = defaults();
    long closedAt = -1;
    for (long t = T0; t < T0 + 10_000; t += 5) { // 200 frames/s
      if (rl.onFrame(t) == Verdict.CLOSE) {
        closedAt = t;
        break;
      }
    }
    assertTrue(closedAt > 0, "never closed");
    assertTrue(closedAt - T0 < 3_000, "closed after " + (closedAt - T0) + " ms");
  }

  @Test
  @DisplayName("grants nothing extra when the clock steps backwards")
  void clockBackwards() {
    RateLimiter rl = defaults();
    send(rl, 100, T0);
    assertEquals(Verdict.REFUSE, rl.onFrame(T0 - 10_000));
    assertEquals(Verdict.REFUSE, rl.onFrame(T0 - 10_000));
  }
}
