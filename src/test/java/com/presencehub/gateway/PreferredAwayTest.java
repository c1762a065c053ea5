package com.presencehub.gateway;

import static com.presencehub.gateway.AuthenticationTest.query;
import static com.presencehub.gateway.AuthenticationTest.record;
import static com.presencehub.testing.FrameMatch.error;
import static com.presencehub.testing.FrameMatch.update;
import static com.presencehub.testing.FrameMatch.updateOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.testing.SockJsTestClient;
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
@DisplayName("Preferred away: a tech's own setting (PROTOCOL.md §2, presence.set of §4)")
class PreferredAwayTest {

  private Vertx vertx;
  private LiveHub hub;
  private SockJsTestClient watcher;

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
    this.hub = LiveHub.start(vertx, LiveHub.noIdle().put("offlineGraceMs", 3_000));
    this.watcher = hub.login(Transport.RAW_WEBSOCKET, "acme", "t-w", "tech");
    watcher.send(new JsonObject().put("type", "subscribe").put("id", "s").put("users", new JsonArray().add("t-1")));
    watcher.reply("s");
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("A tech setting away is away/preferred, for its watchers and in the ack; online clears it")
  void setAwayThenOnline(Transport transport) {
    SockJsTestClient tech = hub.login(transport, "acme", "t-1", "tech");
    watcher.await(update("t-1", "online", "active"));

    tech.send(new JsonObject().put("type", "presence.set").put("id", "away-1").put("status", "away"));
    JsonObject ack = tech.reply("away-1");
    assertEquals("ack", ack.getString("type"));
    assertEquals("away", ack.getJsonObject("presence").getString("status"));
    assertEquals("preferred", ack.getJsonObject("presence").getString("reason"));
    watcher.await(update("t-1", "away", "preferred"));

    tech.send(new JsonObject().put("type", "presence.set").put("id", "on-1").put("status", "online"));
    JsonObject back = tech.reply("on-1");
    assertEquals("online", back.getJsonObject("presence").getString("status"));
    assertEquals("active", back.getJsonObject("presence").getString("reason"));
    watcher.await(update("t-1", "online", "active"));
  }

  @Test
  @DisplayName("Activity does not end a preferred away")
  void activityKeepsPreferredAway() {
    SockJsTestClient tech = hub.login(Transport.SOCKJS_WEBSOCKET, "acme", "t-1", "tech");
    watcher.await(update("t-1", "online"));
    tech.send(new JsonObject().put("type", "presence.set").put("id", "p").put("status", "away"));
    tech.reply("p");
    watcher.await(update("t-1", "away", "preferred"));

    long before = System.currentTimeMillis();
    tech.send(new JsonObject().put("type", "activity").put("id", "a"));
    tech.reply("a");
    tech.send(query("q", "t-1"));
    JsonObject r = record(tech.reply("q"), "t-1");
    assertEquals("away", r.getString("status"));
    assertEquals("preferred", r.getString("reason"));
    assertTrue(r.getLong("lastActiveAt") >= before, "activity was not recorded: " + r);
    watcher.expectNone(update("t-1", "online"), Duration.ofMillis(300));
  }

  @Test
  @DisplayName("A preferred away is not overridden by idleness: it stays preferred past idleTimeoutMs")
  void idlenessDoesNotReplacePreferred() {
    LiveHub idleHub = LiveHub.start(vertx, new JsonObject());
    SockJsTestClient tech = idleHub.login(Transport.RAW_WEBSOCKET, "acme", "t-1", "tech");
    tech.send(new JsonObject().put("type", "presence.set").put("id", "p").put("status", "away"));
    tech.reply("p");
    tech.await(update("t-1", "away", "preferred"));
    tech.expectNone(update("t-1", "away", "inactive"), Duration.ofMillis(idleHub.configured("idleTimeoutMs") + 1_000));

    tech.send(new JsonObject().put("type", "presence.set").put("id", "on").put("status", "online"));
    // Online again, but the last activity is older than the idle timeout: presence follows activity.
    JsonObject after = tech.reply("on").getJsonObject("presence");
    assertEquals("away", after.getString("status"), after.encode());
    assertEquals("inactive", after.getString("reason"));
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("A client cannot set presence: forbidden, and its presence stays automatic")
  void clientCannotSetPresence(Transport transport) {
    SockJsTestClient client = hub.login(transport, "acme", "c-1", "client");
    for (String status : new String[] {"away", "online"}) {
      client.send(new JsonObject().put("type", "presence.set").put("id", "p-" + status).put("status", status));
      JsonObject err = client.reply("p-" + status);
      assertEquals("error", err.getString("type"));
      assertEquals("forbidden", err.getString("code"));
    }
    watcher.send(query("q", "c-1"));
    JsonObject r = record(watcher.reply("q"), "c-1");
    assertEquals("online", r.getString("status"));
    assertEquals("active", r.getString("reason"));
    client.expectNone(updateOf("c-1"), Duration.ofMillis(200));
  }

  @Test
  @DisplayName("A preferred away with until lapses at until: the tech is online again, not before")
  void untilLapses() {
    SockJsTestClient tech = hub.login(Transport.RAW_WEBSOCKET, "acme", "t-1", "tech");
    watcher.await(update("t-1", "online"));
    long until = System.currentTimeMillis() + 1_500;
    tech.send(new JsonObject().put("type", "presence.set").put("id", "p").put("status", "away").put("until", until));
    assertEquals("preferred", tech.reply("p").getJsonObject("presence").getString("reason"));
    watcher.await(update("t-1", "away", "preferred"));

    JsonObject frame = watcher.await(update("t-1", "online", "active"));
    assertTrue(watcher.receivedAt(frame) >= until, "lapsed " + (until - watcher.receivedAt(frame)) + " ms early");
    assertTrue(record(frame, "t-1").getLong("since") >= until);
  }

  @Test
  @DisplayName("A preferred away holds across the tech's reconnects, after bye and after a drop")
  void preferredAwayHoldsAcrossReconnects() {
    SockJsTestClient first = hub.login(Transport.RAW_WEBSOCKET, "acme", "t-1", "tech");
    watcher.await(update("t-1", "online"));
    first.send(new JsonObject().put("type", "presence.set").put("id", "p").put("status", "away"));
    first.reply("p");
    watcher.await(update("t-1", "away", "preferred"));

    first.send(new JsonObject().put("type", "bye"));
    watcher.await(update("t-1", "offline"));
    first.awaitClose();

    SockJsTestClient second = hub.connect(Transport.XHR_POLLING);
    JsonObject me = second.auth(hub.token("acme", "t-1", "tech")).getJsonObject("presence");
    assertEquals("away", me.getString("status"));
    assertEquals("preferred", me.getString("reason"));
    watcher.await(update("t-1", "away", "preferred"));

    second.disconnect();
    second.awaitClose();
    SockJsTestClient third = hub.connect(Transport.SOCKJS_WEBSOCKET);
    JsonObject again = third.auth(hub.token("acme", "t-1", "tech")).getJsonObject("presence");
    assertEquals("preferred", again.getString("reason"));
    watcher.expectNone(update("t-1", "online"), Duration.ofMillis(hub.configured("offlineGraceMs") + 500));
  }

  @Test
  @DisplayName("presence.set validates status and until: bad_request naming the field, and the session stays")
  void presenceSetValidation() {
    SockJsTestClient tech = hub.login(Transport.RAW_WEBSOCKET, "acme", "t-1", "tech");
    JsonObject[] bad = {
        new JsonObject().put("status", "busy"),
        new JsonObject(),
        new JsonObject().put("status", 1),
        new JsonObject().put("status", "away").put("until", System.currentTimeMillis() - 1_000),
        new JsonObject().put("status", "away").put("until", "tomorrow"),
        new JsonObject().put("status", "away").put("until", -5),
        new JsonObject().put("status", "online").put("until", System.currentTimeMillis() + 60_000),
    };
    String[] field = {"status", "status", "status", "until", "until", "until", "until"};
    for (int i = 0; i < bad.length; i++) {
      tech.send(bad[i].put("type", "presence.set").put("id", i));
      JsonObject err = tech.await(error("bad_request").and(com.presencehub.testing.FrameMatch.reply(i)));
      assertTrue(err.getString("message").contains(field[i]), "case " + i + ": " + err.encode());
    }
    tech.send(query("q", "t-1"));
    JsonObject r = record(tech.reply("q"), "t-1");
    assertEquals("online", r.getString("status"), "a refused presence.set changed presence: " + r);
  }
}
