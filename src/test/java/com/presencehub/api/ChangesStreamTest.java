package com.presencehub.api;

import static com.presencehub.api.ApiHub.await;
import static com.presencehub.testing.FrameMatch.update;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.presencehub.api.client.ChangeSubscription;
import com.presencehub.api.client.PresenceBus;
import com.presencehub.presence.PresenceRecord;
import com.presencehub.testing.SockJsTestClient;
import com.presencehub.testing.SockJsTestClient.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(60)
@DisplayName("presence.changes through the facade: one event per transition, in order per user (one node)")
class ChangesStreamTest {

  /** How long the stream must stay silent after the expected events, to show there is no duplicate. */
  private static final Duration QUIET = Duration.ofMillis(700);

  /** Every change heard, in arrival order. */
  private final List<PresenceRecord> heard = new ArrayList<>();

  @Test
  @DisplayName("login, preferred away, online again, bye: each transition once; a reconnect within the grace publishes nothing")
  void oneEventPerTransition(Vertx vertx) {
    ApiHub hub = ApiHub.start(vertx, ApiHub.noIdle().put("offlineGraceMs", 30_000));
    ChangeSubscription sub = hub.presence().changes(this::hear);
    await(sub.ready());

    SockJsTestClient client = hub.login(Transport.RAW_WEBSOCKET, "acme", "c-1", "client");
    SockJsTestClient tech = hub.login(Transport.SOCKJS_WEBSOCKET, "acme", "t-1", "tech");
    tech.send(new JsonObject().put("type", "presence.set").put("id", "away").put("status", "away"));
    tech.reply("away");
    tech.send(new JsonObject().put("type", "presence.set").put("id", "on").put("status", "online"));
    tech.reply("on");
    ApiHub.bye(client);

    SockJsTestClient flaky = hub.login(Transport.SOCKJS_WEBSOCKET, "acme", "t-2", "tech");
    flaky.disconnect();
    flaky.awaitClose();
    SockJsTestClient again = hub.login(Transport.RAW_WEBSOCKET, "acme", "t-2", "tech");
    ApiHub.bye(again);
    ApiHub.bye(tech);

    Map<String, List<String>> expected = new LinkedHashMap<>();
    expected.put("c-1", List.of("online/active", "offline/disconnected"));
    expected.put("t-1", List.of("online/active", "away/preferred", "online/active", "offline/disconnected"));
    expected.put("t-2", List.of("online/active", "offline/disconnected"));
    assertStream(expected);
    for (PresenceRecord r : heardCopy()) {
      assertEquals("acme", r.tenant());
      assertNotNull(r.role(), r.toString());
      assertNotNull(r.since(), r.toString());
    }
    await(sub.close());
  }

  @Test
  @DisplayName("an idle user turns away and back online: each once, with the away's since at the idle deadline")
  void idleTransitions(Vertx vertx) {
    ApiHub hub = ApiHub.start(vertx, new JsonObject());
    await(hub.presence().changes(this::hear).ready());
    SockJsTestClient client = hub.login(Transport.SOCKJS_WEBSOCKET, "acme", "c-1", "client");
    client.await(update("c-1", "away", "inactive"));
    client.send(new JsonObject().put("type", "activity").put("id", "a"));
    client.reply("a");
    client.await(update("c-1", "online", "active"));
    ApiHub.bye(client);

    assertStream(Map.of("c-1", List.of("online/active", "away/inactive", "online/active", "offline/disconnected")));
    PresenceRecord away = heardCopy().get(1);
    assertEquals(away.lastActiveAt() + 1500, away.since(), away.toString());
  }

  @Test
  @DisplayName("changes(tenant, …) hears one tenant only; closing the subscription stops the events")
  void tenantFilterAndClose(Vertx vertx) {
    ApiHub hub = ApiHub.start(vertx, ApiHub.noIdle());
    ChangeSubscription sub = hub.presence().changes("beta", this::hear);
    await(sub.ready());
    hub.login("acme", "t-1", "tech");
    SockJsTestClient beta = hub.login("beta", "t-1", "tech");
    assertStream(Map.of("t-1", List.of("online/active")));
    assertEquals("beta", heardCopy().get(0).tenant());

    await(sub.close());
    ApiHub.bye(beta);
    await().during(QUIET).atMost(QUIET.multipliedBy(3)).until(() -> heardCopy().size() == 1);
  }

  @Test
  @DisplayName("the raw event is {\"tenant\":…, …record}")
  void rawPayload(Vertx vertx) {
    ApiHub hub = ApiHub.start(vertx, ApiHub.noIdle());
    List<JsonObject> raw = new ArrayList<>();
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(PresenceBus.CHANGES, m -> {
      synchronized (raw) {
        raw.add(m.body());
      }
    });
    await(consumer.completion());
    hub.login("acme", "c-9", "client");
    await().atMost(ApiHub.PATIENCE).until(() -> {
      synchronized (raw) {
        return !raw.isEmpty();
      }
    });
    JsonObject event;
    synchronized (raw) {
      event = raw.get(0);
    }
    assertEquals(Set.of("tenant", "user", "role", "status", "reason", "since", "lastActiveAt"), event.fieldNames());
    assertEquals("acme", event.getString("tenant"));
    assertEquals("c-9", event.getString("user"));
    assertEquals("client", event.getString("role"));
    assertEquals("online", event.getString("status"));
    assertEquals("active", event.getString("reason"));
  }

  private void hear(PresenceRecord r) {
    synchronized (heard) {
      heard.add(r);
    }
  }

  private List<PresenceRecord> heardCopy() {
    synchronized (heard) {
      return List.copyOf(heard);
    }
  }

  /** Waits for exactly these transitions per user (status/reason, in order), then for silence. */
  private void assertStream(Map<String, List<String>> expected) {
    int total = expected.values().stream().mapToInt(List::size).sum();
    // The condition's value (what was heard) is in the timeout message.
    await().atMost(ApiHub.PATIENCE).until(this::heardCopy, h -> h.size() >= total);
    await().during(QUIET).atMost(QUIET.multipliedBy(3)).until(this::heardCopy, h -> h.size() == total);
    Map<String, List<String>> got = new LinkedHashMap<>();
    for (PresenceRecord r : heardCopy()) {
      got.computeIfAbsent(r.user(), u -> new ArrayList<>()).add(r.status().wire() + "/" + r.reason().wire());
    }
    assertEquals(expected, got);
  }
}
