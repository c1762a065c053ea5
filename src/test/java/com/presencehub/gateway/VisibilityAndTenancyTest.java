package com.presencehub.gateway;

import static com.presencehub.gateway.AuthenticationTest.query;
import static com.presencehub.gateway.AuthenticationTest.record;
import static com.presencehub.gateway.SubscriptionTest.subscribeUsers;
import static com.presencehub.testing.FrameMatch.type;
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
@DisplayName("Who may see whom, and nothing crosses tenants (PROTOCOL.md §1, §4)")
class VisibilityAndTenancyTest {

  private static final Duration QUIET = Duration.ofMillis(700);

  private LiveHub hub;

  @BeforeEach
  void start(Vertx vertx) {
    hub = LiveHub.start(vertx, LiveHub.noIdle());
  }

  // ---- clients see techs only -----------------------------------------------------------------

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("A client asking about another client gets forbidden, and its session stays")
  void clientQueryingAClientIsForbidden(Transport transport) {
    hub.login("acme", "c-other", "client");
    hub.login("acme", "t-1", "tech");
    SockJsTestClient client = hub.login(transport, "acme", "c-1", "client");

    client.send(query("q1", "t-1", "c-other"));
    JsonObject err = client.reply("q1");
    assertEquals("error", err.getString("type"));
    assertEquals("forbidden", err.getString("code"));
    assertTrue(client.received().stream().noneMatch(f -> f.encode().contains("\"user\":\"c-other\"")),
        "c-other's record leaked: " + client.received());

    client.send(query("q2", "t-1"));
    assertEquals("online", record(client.reply("q2"), "t-1").getString("status"));
  }

  @Test
  @DisplayName("A client subscribing to a client among techs gets forbidden and is subscribed to none of them")
  void clientSubscribeIsAllOrNothing() {
    hub.login("acme", "c-other", "client");
    SockJsTestClient client = hub.login(Transport.SOCKJS_WEBSOCKET, "acme", "c-1", "client");
    client.send(subscribeUsers("s", "t-1", "c-other"));
    JsonObject err = client.reply("s");
    assertEquals("forbidden", err.getString("code"));

    hub.login("acme", "t-1", "tech");
    client.expectNone(updateOf("t-1"), QUIET);
    client.send(subscribeUsers("s2", "t-1"));
    assertEquals("online", record(client.reply("s2"), "t-1").getString("status"));
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("A client may watch the tech roster, and hears techs only; the client roster is forbidden")
  void clientRosters(Transport transport) {
    hub.login("acme", "c-other", "client");
    hub.login("acme", "t-1", "tech");
    SockJsTestClient client = hub.login(transport, "acme", "c-1", "client");

    client.send(new JsonObject().put("type", "subscribe").put("id", "rc").put("roster", "client"));
    assertEquals("forbidden", client.reply("rc").getString("code"));

    client.send(new JsonObject().put("type", "subscribe").put("id", "rt").put("roster", "tech"));
    JsonObject snapshot = client.reply("rt");
    assertEquals(1, snapshot.getJsonArray("updates").size(), snapshot.encode());
    assertEquals("t-1", snapshot.getJsonArray("updates").getJsonObject(0).getString("user"));

    hub.login("acme", "c-3", "client");
    hub.login("acme", "t-2", "tech");
    client.await(update("t-2", "online"));
    client.expectNone(updateOf("c-3"), QUIET);
  }

  @Test
  @DisplayName("A client watching an id that turns out to be a client never hears about it")
  void clientNeverHearsAClientThroughAnUnknownId() {
    SockJsTestClient client = hub.login("acme", "c-1", "client");
    client.send(subscribeUsers("s", "who-knows", "t-1"));
    JsonObject snapshot = client.reply("s");
    assertEquals("offline", record(snapshot, "who-knows").getString("status"));

    hub.login(Transport.XHR_POLLING, "acme", "who-knows", "client");
    hub.login("acme", "t-1", "tech");
    client.await(update("t-1", "online"));
    client.expectNone(updateOf("who-knows"), QUIET);
    client.send(query("q", "who-knows"));
    assertEquals("forbidden", client.reply("q").getString("code"));
  }

  @Test
  @DisplayName("A tech may query, subscribe to and see every user of its tenant, clients included")
  void techSeesEveryone() {
    hub.login("acme", "c-1", "client");
    hub.login("acme", "t-2", "tech");
    SockJsTestClient tech = hub.login(Transport.XHR_POLLING, "acme", "t-1", "tech");
    tech.send(query("q", "c-1", "t-2"));
    JsonObject r = tech.reply("q");
    assertEquals("online", record(r, "c-1").getString("status"));
    assertEquals("online", record(r, "t-2").getString("status"));
    tech.send(new JsonObject().put("type", "subscribe").put("id", "r").put("roster", "client"));
    assertEquals("c-1", tech.reply("r").getJsonArray("updates").getJsonObject(0).getString("user"));
  }

  // ---- tenants --------------------------------------------------------------------------------

  @Test
  @DisplayName("The same user id in two tenants is two users: no presence, roster entry or change crosses over")
  void tenantsAreIsolated() {
    SockJsTestClient acmeTech = hub.login("acme", "t-1", "tech");
    acmeTech.send(subscribeUsers("s", "u-1"));
    acmeTech.reply("s");
    acmeTech.send(new JsonObject().put("type", "subscribe").put("id", "rc").put("roster", "client"));
    acmeTech.reply("rc");
    acmeTech.send(new JsonObject().put("type", "subscribe").put("id", "rt").put("roster", "tech"));
    acmeTech.reply("rt");

    SockJsTestClient globex = hub.login(Transport.SOCKJS_WEBSOCKET, "globex", "u-1", "client");
    hub.login(Transport.XHR_POLLING, "globex", "t-9", "tech");
    globex.send(new JsonObject().put("type", "bye"));
    acmeTech.expectNone(type("presence"), QUIET);

    acmeTech.send(query("q", "u-1", "t-9"));
    JsonObject r = acmeTech.reply("q");
    assertEquals("offline", record(r, "u-1").getString("status"));
    assertEquals("offline", record(r, "t-9").getString("status"));
    assertEquals(null, record(r, "t-9").getValue("lastActiveAt"));

    SockJsTestClient globexTech = hub.login("globex", "t-8", "tech");
    globexTech.send(new JsonObject().put("type", "subscribe").put("id", "rt").put("roster", "tech"));
    JsonObject globexRoster = globexTech.reply("rt");
    assertTrue(globexRoster.getJsonArray("updates").stream().noneMatch(o -> "t-1".equals(((JsonObject) o).getString("user"))),
        "acme's t-1 in globex's roster: " + globexRoster.encode());
  }

  @Test
  @DisplayName("A chat pushed in one tenant never reaches the same user id in another tenant")
  void chatDoesNotCrossTenants() {
    SockJsTestClient acmeUser = hub.login("acme", "u-1", "client");
    SockJsTestClient globexTech = hub.login(Transport.XHR_POLLING, "globex", "t-1", "tech");
    globexTech.send(new JsonObject().put("type", "chat.push").put("id", "c").put("to", "u-1")
        .put("kind", "chat.message").put("payload", new JsonObject().put("text", "hi")));
    JsonObject reply = globexTech.reply("c");
    assertEquals("not_reachable", reply.getString("code"), reply.encode());
    assertEquals("offline", reply.getString("status"));
    acmeUser.expectNone(type("chat.message"), QUIET);
  }

  @Test
  @DisplayName("Users who have no session in a tenant are not listed in its roster, whatever other tenants hold")
  void rosterIsPerTenant() {
    hub.login("globex", "c-1", "client");
    SockJsTestClient acmeTech = hub.login("acme", "t-1", "tech");
    acmeTech.send(new JsonObject().put("type", "subscribe").put("id", "rc").put("roster", "client"));
    assertEquals(new JsonArray(), acmeTech.reply("rc").getJsonArray("updates"));
  }
}
