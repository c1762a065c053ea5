package com.presencehub.gateway;

import static com.presencehub.gateway.AuthenticationTest.query;
import static com.presencehub.gateway.AuthenticationTest.record;
import static com.presencehub.testing.FrameMatch.update;
import static com.presencehub.testing.FrameMatch.updateOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.testing.SockJsTestClient;
import com.presencehub.testing.SockJsTestClient.Closed;
import com.presencehub.testing.SockJsTestClient.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@ExtendWith(VertxExtension.class)
@Timeout(60)
@DisplayName("Presence over a session's life (PROTOCOL.md §2)")
class PresenceLifecycleTest {

  /**
   * The contract's bound on the idle transition is 1 s after the deadline; this much more is
   * allowed for the frame to travel and be read on a loaded 2-core machine.
   */
  private static final long DELIVERY_SLACK_MS = 750;

  private Vertx vertx;

  @BeforeEach
  void keepVertx(Vertx vertx) {
    this.vertx = vertx;
  }

  private LiveHub hub(JsonObject overrides) {
    return LiveHub.start(vertx, overrides);
  }

  // ---- idle -----------------------------------------------------------------------------------

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("Without activity a user turns away/inactive idleTimeoutMs after the last activity, then online again on activity")
  void idleThenActive(Transport transport) {
    LiveHub hub = hub(new JsonObject());
    long idle = hub.configured("idleTimeoutMs");
    SockJsTestClient me = hub.login(transport, "acme", "c-1", "client");
    SockJsTestClient watcher = hub.login(Transport.RAW_WEBSOCKET, "acme", "t-w", "tech");
    watcher.send(new JsonObject().put("type", "subscribe").put("id", "s").put("users", new JsonArray().add("c-1")));
    long lastActive = record(watcher.reply("s"), "c-1").getLong("lastActiveAt");

    JsonObject away = me.await(update("c-1", "away", "inactive"));
    long at = me.receivedAt(away);
    JsonObject r = record(away, "c-1");
    assertEquals(lastActive, r.getLong("lastActiveAt"));
    assertEquals(lastActive + idle, r.getLong("since"), "away since the idle time ran out");
    assertTrue(at >= lastActive + idle, "away " + (lastActive + idle - at) + " ms early");
    assertTrue(at <= lastActive + idle + 1000 + DELIVERY_SLACK_MS, "away " + (at - lastActive - idle) + " ms late");
    assertEquals("away", record(watcher.await(update("c-1", "away", "inactive")), "c-1").getString("status"));

    long sent = System.currentTimeMillis();
    me.send(new JsonObject().put("type", "activity"));
    JsonObject back = record(me.await(update("c-1", "online", "active")), "c-1");
    assertTrue(back.getLong("lastActiveAt") >= sent, "lastActiveAt " + back.getLong("lastActiveAt") + " < " + sent);
    assertTrue(back.getLong("since") >= back.getLong("lastActiveAt") && back.getLong("since") <= System.currentTimeMillis(),
        "online since " + back.getLong("since") + ", activity at " + back.getLong("lastActiveAt"));
    watcher.await(update("c-1", "online", "active"));
  }

  @Test
  @DisplayName("Activity with idleMs counts as now - idleMs: it dates lastActiveAt back, and an old one keeps the user away")
  void activityWithIdleMs() {
    LiveHub hub = hub(new JsonObject());
    long idle = hub.configured("idleTimeoutMs");
    SockJsTestClient me = hub.login(Transport.SOCKJS_WEBSOCKET, "acme", "t-1", "tech");
    me.await(update("t-1", "away", "inactive"));

    // Input older than the idle timeout: the user stays away.
    me.send(new JsonObject().put("type", "activity").put("id", "old").put("idleMs", idle + 5_000));
    me.reply("old");
    me.send(query("q1", "t-1"));
    JsonObject still = record(me.reply("q1"), "t-1");
    assertEquals("away", still.getString("status"), still.encode());
    assertEquals("inactive", still.getString("reason"));

    long sentAfter = System.currentTimeMillis();
    me.send(new JsonObject().put("type", "activity").put("idleMs", 500));
    JsonObject back = record(me.await(update("t-1", "online", "active")), "t-1");
    long receivedBy = System.currentTimeMillis();
    long lastActive = back.getLong("lastActiveAt");
    assertTrue(lastActive >= sentAfter - 500 && lastActive <= receivedBy - 500,
        "lastActiveAt " + lastActive + " not in [" + (sentAfter - 500) + ", " + (receivedBy - 500) + "]");

    // And the next idle transition is due idleTimeoutMs after that dated-back activity.
    JsonObject away = record(me.await(update("t-1", "away", "inactive")), "t-1");
    assertEquals(lastActive + idle, away.getLong("since"));
  }

  @Test
  @DisplayName("Activity is answered with ack only when it carries an id")
  void activityRepliesOnlyWithId() {
    LiveHub hub = hub(LiveHub.noIdle());
    SockJsTestClient me = hub.login(Transport.RAW_WEBSOCKET, "acme", "t-1", "tech");
    me.send(new JsonObject().put("type", "activity"));
    me.send(new JsonObject().put("type", "activity").put("idleMs", 10));
    me.send(new JsonObject().put("type", "activity").put("id", 42));
    JsonObject ack = me.reply(42);
    assertEquals("ack", ack.getString("type"));
    assertEquals(2, me.received().size(), "frames: " + me.received());
  }

  // ---- several sessions -----------------------------------------------------------------------

  @Test
  @DisplayName("Presence is per user: a new tab of an idle user brings it online, and every tab hears its changes")
  void presenceIsAggregatedOverTabs() {
    LiveHub hub = hub(new JsonObject());
    SockJsTestClient tab1 = hub.login(Transport.RAW_WEBSOCKET, "acme", "t-1", "tech");
    tab1.await(update("t-1", "away", "inactive"));

    SockJsTestClient tab2 = hub.connect(Transport.XHR_POLLING);
    JsonObject welcome = tab2.auth(hub.token("acme", "t-1", "tech"));
    assertEquals("online", welcome.getJsonObject("presence").getString("status"));
    tab1.await(update("t-1", "online", "active"));

    // Activity on one tab keeps the user online for all of them.
    tab2.send(new JsonObject().put("type", "activity").put("id", "a"));
    tab2.reply("a");
    tab1.send(query("q", "t-1"));
    assertEquals("online", record(tab1.reply("q"), "t-1").getString("status"));

    JsonObject away1 = tab1.await(update("t-1", "away", "inactive"));
    JsonObject away2 = tab2.await(update("t-1", "away", "inactive"));
    assertEquals(record(away1, "t-1"), record(away2, "t-1"));
  }

  @Test
  @DisplayName("One tab of two closing abruptly keeps the user online; bye on the last one makes it offline at once")
  void oneTabClosingKeepsTheUserOnline() {
    LiveHub hub = hub(LiveHub.noIdle().put("offlineGraceMs", 30_000));
    SockJsTestClient watcher = hub.login(Transport.SOCKJS_WEBSOCKET, "acme", "t-w", "tech");
    SockJsTestClient tab1 = hub.login(Transport.RAW_WEBSOCKET, "acme", "c-1", "client");
    SockJsTestClient tab2 = hub.login(Transport.XHR_POLLING, "acme", "c-1", "client");
    watcher.send(new JsonObject().put("type", "subscribe").put("id", "s").put("users", new JsonArray().add("c-1")));
    JsonObject before = record(watcher.reply("s"), "c-1");
    assertEquals("online", before.getString("status"));

    tab1.disconnect();
    tab1.awaitClose();
    watcher.expectNone(updateOf("c-1"), Duration.ofMillis(1_500));
    watcher.send(query("q", "c-1"));
    JsonObject during = record(watcher.reply("q"), "c-1");
    assertEquals("online", during.getString("status"));
    assertEquals(before.getLong("since"), during.getLong("since"), "the user's online period was interrupted");

    long byeAt = System.currentTimeMillis();
    tab2.sendAndWait(new JsonObject().put("type", "bye"));
    JsonObject offline = watcher.await(update("c-1", "offline", "disconnected"));
    // The grace is 30 s: an offline well within it came from the bye, not from the grace.
    assertTrue(watcher.receivedAt(offline) - byeAt < 15_000, "offline only " + (watcher.receivedAt(offline) - byeAt) + " ms after bye");
    assertTrue(tab2.awaitClose().code() < 4000, "bye is not an error close: " + tab2.awaitClose());
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("bye on the last session makes the user offline at once and ends the session")
  void byeIsOfflineAtOnce(Transport transport) {
    LiveHub hub = hub(LiveHub.noIdle().put("offlineGraceMs", 30_000));
    SockJsTestClient watcher = hub.login(Transport.RAW_WEBSOCKET, "acme", "t-w", "tech");
    watcher.send(new JsonObject().put("type", "subscribe").put("id", "s").put("roster", "client"));
    watcher.reply("s");
    SockJsTestClient c = hub.login(transport, "acme", "c-1", "client");
    watcher.await(update("c-1", "online"));

    long byeAt = System.currentTimeMillis();
    c.send(new JsonObject().put("type", "bye"));
    JsonObject frame = watcher.await(update("c-1", "offline", "disconnected"));
    // The grace is 30 s: an offline well within it came from the bye, not from the grace.
    assertTrue(watcher.receivedAt(frame) - byeAt < 15_000, "offline only " + (watcher.receivedAt(frame) - byeAt) + " ms after bye");
    JsonObject offline = record(frame, "c-1");
    assertTrue(offline.getLong("since") >= byeAt, "offline since " + offline.getLong("since") + " < bye at " + byeAt);
    Closed closed = c.awaitClose();
    assertFalse(closed.code() >= 4000 && closed.code() < 5000, "bye answered with an error close " + closed);
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("A session ending without bye makes the user offline only after offlineGraceMs")
  void abruptCloseIsOfflineAfterGrace(Transport transport) {
    LiveHub hub = hub(LiveHub.noIdle());
    long grace = hub.configured("offlineGraceMs");
    SockJsTestClient watcher = hub.login(Transport.RAW_WEBSOCKET, "acme", "t-w", "tech");
    SockJsTestClient c = hub.login(transport, "acme", "c-1", "client");
    watcher.send(new JsonObject().put("type", "subscribe").put("id", "s").put("users", new JsonArray().add("c-1")));
    assertEquals("online", record(watcher.reply("s"), "c-1").getString("status"));

    long droppedAt = System.currentTimeMillis();
    c.disconnect();
    JsonObject frame = watcher.await(updateOf("c-1"));
    JsonObject offline = record(frame, "c-1");
    assertEquals("offline", offline.getString("status"), "first change after the drop: " + offline);
    assertEquals("disconnected", offline.getString("reason"));
    long after = watcher.receivedAt(frame) - droppedAt;
    assertTrue(after >= grace, "offline " + after + " ms after the drop, grace is " + grace);
    assertTrue(offline.getLong("since") >= droppedAt + grace);
  }

  @ParameterizedTest(name = "reconnecting over {0}")
  @EnumSource(Transport.class)
  @DisplayName("A user reconnecting within the grace is never published offline: no flap at all")
  void reconnectWithinGraceDoesNotFlap(Transport transport) {
    LiveHub hub = hub(LiveHub.noIdle().put("offlineGraceMs", 4_000));
    long grace = hub.configured("offlineGraceMs");
    SockJsTestClient watcher = hub.login(Transport.RAW_WEBSOCKET, "acme", "t-w", "tech");
    watcher.send(new JsonObject().put("type", "subscribe").put("id", "s").put("roster", "client"));
    watcher.reply("s");
    SockJsTestClient first = hub.login(Transport.SOCKJS_WEBSOCKET, "acme", "c-1", "client");
    JsonObject online = record(watcher.await(update("c-1", "online")), "c-1");

    long droppedBy = System.currentTimeMillis();
    first.disconnect();
    first.awaitClose();
    SockJsTestClient second = hub.connect(transport);
    JsonObject welcome = second.auth(hub.token("acme", "c-1", "client"));
    long reconnectedAt = second.receivedAt(welcome);
    assertTrue(reconnectedAt < droppedBy + grace, "the reconnect took " + (reconnectedAt - droppedBy)
        + " ms, longer than the grace: the machine is too slow for this test");
    assertEquals("online", welcome.getJsonObject("presence").getString("status"));
    assertEquals(online.getLong("since"), welcome.getJsonObject("presence").getLong("since"), "online period restarted");

    // Wait out the grace of the dropped session, and then some: no change may be published.
    long pastTheGrace = droppedBy + grace + 1_000 - System.currentTimeMillis();
    watcher.expectNone(updateOf("c-1"), Duration.ofMillis(pastTheGrace));
    second.expectNone(updateOf("c-1"), Duration.ZERO);
    watcher.send(query("q", "c-1"));
    assertEquals("online", record(watcher.reply("q"), "c-1").getString("status"));
  }

  @Test
  @DisplayName("Every session of a user hears its own changes without subscribing")
  void ownChangesReachEveryOwnSession() {
    LiveHub hub = hub(LiveHub.noIdle());
    SockJsTestClient a = hub.login(Transport.RAW_WEBSOCKET, "acme", "t-1", "tech");
    SockJsTestClient b = hub.login(Transport.XHR_POLLING, "acme", "t-1", "tech");
    a.send(new JsonObject().put("type", "presence.set").put("id", "p").put("status", "away"));
    a.reply("p");
    JsonObject onA = record(a.await(update("t-1", "away", "preferred")), "t-1");
    JsonObject onB = record(b.await(update("t-1", "away", "preferred")), "t-1");
    assertEquals(onA, onB);
    assertNotEquals(null, onA.getValue("since"));
  }

  @Test
  @DisplayName("A user who has never connected is offline/disconnected with no lastActiveAt")
  void unknownUserIsOffline() {
    LiveHub hub = hub(LiveHub.noIdle());
    SockJsTestClient t = hub.login(Transport.RAW_WEBSOCKET, "acme", "t-1", "tech");
    t.send(query("q", "nobody"));
    JsonObject r = record(t.reply("q"), "nobody");
    assertEquals("offline", r.getString("status"));
    assertEquals("disconnected", r.getString("reason"));
    assertTrue(r.containsKey("lastActiveAt") && r.getValue("lastActiveAt") == null, "lastActiveAt must be null: " + r);
    assertTrue(r.containsKey("role"), "a record always has a role field: " + r);
  }
}
