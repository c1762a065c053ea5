package com.presencehub.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.presencehub.testing.FrameMatch;
import com.presencehub.testing.SockJsTestClient;
import com.presencehub.testing.SockJsTestClient.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * PROTOCOL.md §4 Liveness on every transport, with a real client process: a peer that is gone
 * without closing (frozen with SIGSTOP while its kernel keeps acknowledging; or cut off, its packets
 * dropped without a reset) is closed after {@code livenessTimeoutMs} and its user goes offline once,
 * after the grace; a live but quiet one stays open.
 *
 * <p>Short timings by default; {@code -Dliveness.timeoutMs=45000 -Dliveness.graceMs=5000} measures
 * the shipped defaults (each case then prints its figure: {@code liveness: <case> <transport> ...}).
 */
@ExtendWith(VertxExtension.class)
class LivenessTest {

  private static final long TIMEOUT = Long.getLong("liveness.timeoutMs", 3_000);
  private static final long GRACE = Long.getLong("liveness.graceMs", 1_000);
  private static final long PING = LivenessTracker.pingInterval(TIMEOUT);
  /** The hub's default sockjsSessionTimeoutMs, which these tests keep. */
  private static final long SOCKJS_SESSION_TIMEOUT = 5_000;
  /** Delivery and scheduling on a loaded 2-core machine. */
  private static final long SLACK = 3_000;
  private static final Duration PATIENCE = SockJsTestClient.PATIENCE;

  private static LiveHub hub(Vertx vertx, String host) {
    return LiveHub.start(vertx, LiveHub.noIdle().put("httpHost", host).put("livenessTimeoutMs", TIMEOUT)
        .put("offlineGraceMs", GRACE));
  }

  private static String base(String host, LiveHub hub) {
    return "http://" + host + ":" + hub.port();
  }

  /** A tech watching {@code user}; the snapshot must already say online. */
  private static SockJsTestClient watcher(Vertx vertx, String host, LiveHub hub, String user) {
    SockJsTestClient w = SockJsTestClient.open(vertx, host, hub.port(), Transport.RAW_WEBSOCKET);
    w.auth(hub.token("acme", "watcher", "tech"));
    w.send(new JsonObject().put("type", "subscribe").put("users", new JsonArray().add(user)).put("id", "w"));
    JsonObject snapshot = w.reply("w");
    assertEquals("online", FrameMatch.recordOf(snapshot, user).getString("status"), "snapshot: " + snapshot);
    return w;
  }

  /**
   * After the peer stopped proving itself at {@code goneAt}: the watcher sees exactly one offline,
   * after the liveness timeout (less the proof the peer may have given just before) plus the grace.
   */
  private static void assertOneOfflineInTime(String what, PeerProcess.Kind kind, SockJsTestClient watcher, String user,
      long goneAt) {
    JsonObject offline = watcher.await(FrameMatch.update(user, "offline"), Duration.ofMillis(TIMEOUT + GRACE + SLACK));
    long took = watcher.receivedAt(offline) - goneAt;
    System.out.printf("liveness: %s %s offline after %d ms (livenessTimeoutMs %d, offlineGraceMs %d)%n", what,
        kind.script, took, TIMEOUT, GRACE);
    // A peer may freeze up to a ping interval after its last sign of life. On xhr-polling, SockJS's
    // own session timeout (no poll for sockjsSessionTimeoutMs after the last answered one) may end
    // the session sooner: with the shipped defaults it does (heartbeat 15 s + 5 s).
    long earliest = kind == PeerProcess.Kind.XHR_POLLING ? Math.min(TIMEOUT - PING, SOCKJS_SESSION_TIMEOUT) : TIMEOUT - PING;
    assertTrue(took >= earliest + GRACE - 100, "offline after " + took + " ms: earlier than the timeout allows");
    assertTrue(took <= TIMEOUT + GRACE + SLACK, "offline only after " + took + " ms");
    // Exactly one: nothing more about the user (no second offline, no ghost online).
    watcher.expectNone(FrameMatch.updateOf(user), Duration.ofMillis(2 * GRACE));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(PeerProcess.Kind.class)
  @Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
  @DisplayName("a frozen client (SIGSTOP, its kernel still acknowledging) is closed after livenessTimeoutMs; its user goes offline once, after the grace")
  void frozenClient(PeerProcess.Kind kind, Vertx vertx) {
    LiveHub hub = hub(vertx, "127.0.0.1");
    try (PeerProcess peer = PeerProcess.start(List.of(), base("127.0.0.1", hub), kind, hub.token("acme", "frozen", "tech"))) {
      JsonObject welcome = peer.awaitWelcome(PATIENCE);
      assertEquals(PING, welcome.getLong("pingIntervalMs"));
      SockJsTestClient watcher = watcher(vertx, "127.0.0.1", hub, "frozen");
      long frozenAt = System.currentTimeMillis();
      peer.freeze();
      assertOneOfflineInTime("frozen", kind, watcher, "frozen", frozenAt);
    } finally {
      hub.stop();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(PeerProcess.Kind.class)
  @Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
  @DisplayName("a client whose link goes down (packets dropped, no FIN, no RST) is closed after livenessTimeoutMs; its user goes offline once, after the grace")
  void cutOffClient(PeerProcess.Kind kind, Vertx vertx) {
    String why = VethNamespace.unavailable();
    assumeTrue(why == null, () -> "skipped: " + why);
    try (VethNamespace ns = VethNamespace.create()) {
      LiveHub hub = hub(vertx, ns.hostAddress());
      try (PeerProcess peer = PeerProcess.start(ns.exec(), base(ns.hostAddress(), hub), kind,
          hub.token("acme", "cutoff", "tech"))) {
        peer.awaitWelcome(PATIENCE);
        SockJsTestClient watcher = watcher(vertx, ns.hostAddress(), hub, "cutoff");
        long cutAt = System.currentTimeMillis();
        ns.cutLink();
        assertOneOfflineInTime("link-down", kind, watcher, "cutoff", cutAt);
      } finally {
        hub.stop();
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(PeerProcess.Kind.class)
  @Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
  @DisplayName("a live but quiet client (no frames but pings on the streaming transports) stays open for 3 × livenessTimeoutMs")
  void quietClientStays(PeerProcess.Kind kind, Vertx vertx) {
    LiveHub hub = hub(vertx, "127.0.0.1");
    try (PeerProcess peer = PeerProcess.start(List.of(), base("127.0.0.1", hub), kind, hub.token("acme", "quiet", "tech"))) {
      peer.awaitWelcome(PATIENCE);
      SockJsTestClient watcher = watcher(vertx, "127.0.0.1", hub, "quiet");
      // The behaviour under test is that nothing happens for this long.
      watcher.expectNone(FrameMatch.updateOf("quiet"), Duration.ofMillis(3 * TIMEOUT));
      assertFalse(peer.output().stream().anyMatch(l -> l.startsWith("close ")), "the client was closed: " + peer.output());
      watcher.send(new JsonObject().put("type", "query").put("users", new JsonArray().add("quiet")).put("id", "q"));
      assertEquals("online", FrameMatch.recordOf(watcher.reply("q"), "quiet").getString("status"));
    } finally {
      hub.stop();
    }
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  @DisplayName("ping is answered with pong (with its id), keeps a session open, and is not activity: the user still turns away when idle")
  void pingIsNotActivity(Vertx vertx) {
    LiveHub hub = LiveHub.start(vertx, new JsonObject().put("livenessTimeoutMs", TIMEOUT).put("idleTimeoutMs", 1_500));
    try {
      SockJsTestClient pinger = hub.login(Transport.XHR_POLLING, "acme", "pinger", "tech");
      pinger.send(new JsonObject().put("type", "ping").put("id", 7));
      JsonObject pong = pinger.reply(7);
      assertEquals("pong", pong.getString("type"));
      pinger.send(new JsonObject().put("type", "ping"));
      JsonObject bare = pinger.next("pong");
      assertFalse(bare.containsKey("id"), "a ping without id gets a pong without id: " + bare);
      long start = System.currentTimeMillis();
      JsonObject away = null;
      for (int i = 0; away == null && i < 100; i++) {
        pinger.send(new JsonObject().put("type", "ping"));
        away = pinger.received().stream()
            .filter(FrameMatch.update("pinger", "away", "inactive")).findFirst().orElse(null);
        sleepQuietly(100);
      }
      assertNotNull(away, "the pinging user never turned away: ping counted as activity");
      assertTrue(System.currentTimeMillis() - start < 1_500 + 1_000 + SLACK);
    } finally {
      hub.stop();
    }
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
