package com.presencehub.api;

import static com.presencehub.api.ApiHub.await;
import static com.presencehub.testing.FrameMatch.update;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.api.client.PresenceBus;
import com.presencehub.api.client.PresenceService;
import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.Role;
import com.presencehub.presence.Status;
import com.presencehub.testing.SockJsTestClient;
import com.presencehub.testing.SockJsTestClient.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(60)
@DisplayName("presence.query and presence.roster answer from the node's view (PROTOCOL.md §5)")
class QueryAndRosterTest {

  private ApiHub hub;
  private PresenceService presence;

  /**
   * acme: techs t-a (online), t-b (away, preferred), t-c (offline after bye); clients c-a (online),
   * c-b (offline after bye). beta: tech t-a (online), a namesake of acme's.
   */
  @BeforeEach
  void start(Vertx vertx) {
    hub = ApiHub.start(vertx, ApiHub.noIdle());
    presence = hub.presence();
    hub.login(Transport.RAW_WEBSOCKET, "acme", "t-a", "tech");
    SockJsTestClient away = hub.login(Transport.XHR_POLLING, "acme", "t-b", "tech");
    away.send(new JsonObject().put("type", "presence.set").put("id", "p").put("status", "away"));
    away.await(update("t-b", "away", "preferred"));
    ApiHub.bye(hub.login("acme", "t-c", "tech"));
    hub.login(Transport.SOCKJS_WEBSOCKET, "acme", "c-a", "client");
    ApiHub.bye(hub.login("acme", "c-b", "client"));
    hub.login("beta", "t-a", "tech");
  }

  @Test
  @DisplayName("query answers every user asked, in the order asked, duplicates once; unknown users are offline")
  void query() {
    Map<String, PresenceRecord> got = await(presence.query("acme", List.of("c-b", "t-b", "nobody", "t-a", "c-a", "t-b")));
    assertEquals(List.of("c-b", "t-b", "nobody", "t-a", "c-a"), List.copyOf(got.keySet()));
    assertEquals(Status.OFFLINE, got.get("c-b").status());
    assertEquals(Role.CLIENT, got.get("c-b").role());
    assertEquals(Status.AWAY, got.get("t-b").status());
    assertEquals("preferred", got.get("t-b").reason().wire());
    assertEquals(Status.ONLINE, got.get("t-a").status());
    assertEquals(Status.ONLINE, got.get("c-a").status());
    assertNotNull(got.get("c-a").since());
    assertNotNull(got.get("c-a").lastActiveAt());
    PresenceRecord nobody = got.get("nobody");
    assertEquals(Status.OFFLINE, nobody.status());
    assertNull(nobody.role());
    assertNull(nobody.since());
    assertNull(nobody.lastActiveAt());
    for (PresenceRecord r : got.values()) {
      assertEquals("acme", r.tenant());
    }
  }

  @Test
  @DisplayName("the raw query reply is {\"users\":{id:{record}}} with the §2 record fields")
  void rawQueryReply() {
    JsonObject reply = await(hub.request(PresenceBus.QUERY,
        new JsonObject().put("tenant", "acme").put("users", new JsonArray().add("t-a").add("ghost"))));
    JsonObject users = reply.getJsonObject("users");
    assertEquals(Set.of("t-a", "ghost"), users.fieldNames());
    JsonObject ta = users.getJsonObject("t-a");
    assertEquals(Set.of("user", "role", "status", "reason", "since", "lastActiveAt"), ta.fieldNames());
    assertEquals("t-a", ta.getString("user"));
    assertEquals("tech", ta.getString("role"));
    assertEquals("online", ta.getString("status"));
    assertEquals("active", ta.getString("reason"));
    JsonObject ghost = users.getJsonObject("ghost");
    assertTrue(ghost.containsKey("role") && ghost.getValue("role") == null, ghost.encode());
    assertEquals("offline", ghost.getString("status"));
    assertEquals("disconnected", ghost.getString("reason"));
  }

  @Test
  @DisplayName("nothing crosses tenants: a namesake in another tenant, or an unknown tenant, is its own user")
  void tenants() {
    assertEquals(Status.ONLINE, await(presence.query("beta", List.of("t-a"))).get("t-a").status());
    assertEquals(Status.OFFLINE, await(presence.query("beta", List.of("t-b"))).get("t-b").status());
    assertEquals(Status.OFFLINE, await(presence.query("gamma", List.of("t-a"))).get("t-a").status());
    assertEquals(List.of("t-a"), users(await(presence.roster("beta", Role.TECH))));
    assertEquals(List.of(), users(await(presence.roster("gamma", Role.TECH))));
    assertEquals(List.of(), users(await(presence.roster("beta", Role.CLIENT))));
  }

  @Test
  @DisplayName("roster lists the role's connected users by id; status filters online, away or both (the default)")
  void rosterFilters() {
    assertEquals(List.of("t-a", "t-b"), users(await(presence.roster("acme", Role.TECH))));
    assertEquals(List.of("t-a", "t-b"), users(await(presence.roster("acme", Role.TECH, EnumSet.of(Status.ONLINE, Status.AWAY)))));
    assertEquals(List.of("t-a"), users(await(presence.roster("acme", Role.TECH, EnumSet.of(Status.ONLINE)))));
    assertEquals(List.of("t-b"), users(await(presence.roster("acme", Role.TECH, EnumSet.of(Status.AWAY)))));
    assertEquals(List.of("c-a"), users(await(presence.roster("acme", Role.CLIENT))));
    assertEquals(List.of(), users(await(presence.roster("acme", Role.CLIENT, EnumSet.of(Status.AWAY)))));
    PresenceRecord away = await(presence.roster("acme", Role.TECH, EnumSet.of(Status.AWAY))).get(0);
    assertEquals("preferred", away.reason().wire());
    assertEquals(Role.TECH, away.role());
    assertEquals("acme", away.tenant());
  }

  @Test
  @DisplayName("roster follows the users: one who comes back is listed again, one who leaves is not")
  void rosterFollowsChanges() {
    SockJsTestClient back = hub.login("acme", "t-c", "tech");
    assertEquals(List.of("t-a", "t-b", "t-c"), users(await(presence.roster("acme", Role.TECH))));
    ApiHub.bye(back);
    assertEquals(List.of("t-a", "t-b"), users(await(presence.roster("acme", Role.TECH))));
  }

  @Test
  @DisplayName("the raw roster reply is {\"users\":[{record},…]}; a status array with one entry works")
  void rawRosterReply() {
    JsonObject reply = await(hub.request(PresenceBus.ROSTER, new JsonObject().put("tenant", "acme").put("role", "tech")
        .put("status", new JsonArray().add("online"))));
    JsonArray users = reply.getJsonArray("users");
    assertEquals(1, users.size(), reply.encode());
    assertEquals("t-a", users.getJsonObject(0).getString("user"));
    assertEquals("online", users.getJsonObject(0).getString("status"));
  }

  private static List<String> users(List<PresenceRecord> records) {
    return records.stream().map(PresenceRecord::user).toList();
  }
}
