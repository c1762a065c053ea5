package com.presencehub.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.api.client.ChangeSubscription;
import com.presencehub.api.client.NotReachableException;
import com.presencehub.api.client.PresenceService;
import com.presencehub.api.client.Sender;
import com.presencehub.presence.DeliveryKind;
import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.Role;
import com.presencehub.presence.Status;
import com.presencehub.testing.ClusterMember;
import com.presencehub.testing.HubCluster;
import com.presencehub.testing.HubProcess;
import com.presencehub.testing.SockJsTestClient;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The event-bus API (§5) through the typed facade, from this JVM joined to the cluster as a plain
 * Vert.x member (no hub in it), against two hub processes: users are connected to both nodes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FacadeAcrossClusterTest {

  private static final Duration BOUND = Duration.ofSeconds(10);

  private HubCluster cluster;
  private Portal portal;
  private ClusterMember member;
  private PresenceService presence;
  private HubProcess a;
  private HubProcess b;
  private long keepActive = -1;

  @BeforeAll
  void start() {
    cluster = new HubCluster("FacadeAcrossClusterTest", 2, Map.of("idleTimeoutMs", 2000)).startAll();
    a = cluster.node(0);
    b = cluster.node(1);
    portal = new Portal();
    member = ClusterMember.join(cluster);
    presence = PresenceService.create(member.vertx(), new DeliveryOptions().setSendTimeout(10_000));
  }

  @AfterAll
  void stop() {
    if (keepActive != -1) {
      portal.vertx.cancelTimer(keepActive);
    }
    for (AutoCloseable c : new AutoCloseable[] {member, portal, cluster}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // closing the rest matters more
      }
    }
  }

  private static <T> T get(Future<T> f) {
    try {
      return f.await(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static Throwable failure(Future<?> f) {
    try {
      f.await(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      return e;
    }
    throw new AssertionError("expected a failure, got " + f.result());
  }

  @Test
  void everyRowOfTheReachabilityTableQueryAndRosterFromAnotherMember() {
    // Away (idle) first: they idle out while the others are kept active.
    portal.login(a, "fc-client-idle", "client");
    portal.login(b, "fc-tech-idle", "tech");
    await().atMost(BOUND).until(() -> get(presence.query(Portal.TENANT, List.of("fc-client-idle", "fc-tech-idle")))
        .values().stream().allMatch(r -> r.status() == Status.AWAY));
    SockJsTestClient clientOn = portal.login(b, "fc-client-on", "client");
    SockJsTestClient techOn = portal.login(a, "fc-tech-on", "tech");
    SockJsTestClient techPref = portal.login(b, "fc-tech-pref", "tech");
    techPref.send(new JsonObject().put("type", "presence.set").put("status", "away"));
    keepActive = portal.vertx.setPeriodic(300, t -> {
      clientOn.send(new JsonObject().put("type", "activity"));
      techOn.send(new JsonObject().put("type", "activity"));
    });
    await().atMost(BOUND).until(() -> get(presence.query(Portal.TENANT, List.of("fc-tech-pref"))).get("fc-tech-pref")
        .reason().wire().equals("preferred"));

    Map<String, Status> expected = new LinkedHashMap<>();
    expected.put("fc-client-on", Status.ONLINE);
    expected.put("fc-client-idle", Status.AWAY);
    expected.put("fc-client-never", Status.OFFLINE);
    expected.put("fc-tech-on", Status.ONLINE);
    expected.put("fc-tech-idle", Status.AWAY);
    expected.put("fc-tech-pref", Status.AWAY);
    expected.put("fc-tech-never", Status.OFFLINE);
    Map<String, PresenceRecord> records = get(presence.query(Portal.TENANT, expected.keySet()));
    expected.forEach((u, s) -> assertEquals(s, records.get(u).status(), u));

    // §2: a client gets a new chat only when online; everything else reaches online and away.
    for (Map.Entry<String, Status> e : expected.entrySet()) {
      for (DeliveryKind kind : DeliveryKind.values()) {
        boolean want = e.getValue() != Status.OFFLINE
            && !(kind == DeliveryKind.CHAT_REQUEST && e.getKey().contains("client") && e.getValue() != Status.ONLINE);
        var r = get(presence.reachable(Portal.TENANT, e.getKey(), kind));
        assertEquals(want, r.reachable(), e.getKey() + " " + kind.wire());
        assertEquals(e.getValue(), r.presence().status(), e.getKey());
      }
    }

    List<String> onlineClients = ids(get(presence.roster(Portal.TENANT, Role.CLIENT, EnumSet.of(Status.ONLINE))));
    assertTrue(onlineClients.contains("fc-client-on") && !onlineClients.contains("fc-client-idle"), onlineClients.toString());
    List<String> awayTechs = ids(get(presence.roster(Portal.TENANT, Role.TECH, EnumSet.of(Status.AWAY))));
    assertTrue(awayTechs.containsAll(List.of("fc-tech-idle", "fc-tech-pref")) && !awayTechs.contains("fc-tech-on"),
        awayTechs.toString());
    List<String> allTechs = ids(get(presence.roster(Portal.TENANT, Role.TECH)));
    assertTrue(allTechs.containsAll(List.of("fc-tech-on", "fc-tech-idle", "fc-tech-pref")), allTechs.toString());
    assertTrue(allTechs.stream().noneMatch(u -> u.contains("client") || u.contains("never")), allTechs.toString());
  }

  private static List<String> ids(List<PresenceRecord> records) {
    List<String> out = new ArrayList<>();
    records.forEach(r -> out.add(r.user()));
    return out;
  }

  @Test
  void deliverReachesSessionsOnBothNodesInOrderAndCountsWhatWasWritten() {
    SockJsTestClient onA = portal.login(a, "fc-both", "tech");
    SockJsTestClient onB = portal.login(b, "fc-both", "tech");
    await().atMost(BOUND).until(() -> get(presence.query(Portal.TENANT, List.of("fc-both"))).get("fc-both").status()
        == Status.ONLINE);
    await("both nodes' sessions known on the node that answers").atMost(BOUND).until(() ->
        get(presence.deliver(Portal.TENANT, "fc-both", DeliveryKind.NOTIFY, Sender.service("bot", "Bot"),
            new JsonObject().put("probe", true))) == 2);
    for (int i = 0; i < 20; i++) {
      assertEquals(2, get(presence.deliver(Portal.TENANT, "fc-both", DeliveryKind.CHAT_MESSAGE,
          Sender.service("bot", "Bot"), new JsonObject().put("n", i))));
    }
    for (SockJsTestClient s : List.of(onA, onB)) {
      for (int i = 0; i < 20; i++) {
        JsonObject m = s.next("chat.message", BOUND);
        assertEquals(i, m.getJsonObject("payload").getInteger("n"), "in order");
        assertEquals("bot", m.getJsonObject("from").getString("id"));
      }
    }
    onB.send(new JsonObject().put("type", "bye"));
    await().atMost(BOUND).until(() -> get(presence.deliver(Portal.TENANT, "fc-both", DeliveryKind.CHAT_MESSAGE,
        Sender.service("bot", "Bot"), null)) == 1);
    Throwable refused = failure(presence.deliver(Portal.TENANT, "fc-nobody", DeliveryKind.CHAT_REQUEST,
        Sender.service("bot", "Bot"), null));
    NotReachableException nr = assertInstanceOf(NotReachableException.class, refused);
    assertEquals(404, nr.failureCode());
    assertEquals(Status.OFFLINE, nr.status());
  }

  @Test
  void theChangesStreamHasNoDuplicateAndNoGapWhileUsersComeAndGoOnBothNodes() {
    List<PresenceRecord> seen = new ArrayList<>();
    ChangeSubscription sub = presence.changes(Portal.TENANT, r -> {
      synchronized (seen) {
        if (r.user().startsWith("fc-churn-")) {
          seen.add(r);
        }
      }
    });
    get(sub.ready());
    int users = 10;
    int rounds = 3;
    for (int round = 0; round < rounds; round++) {
      for (int i = 0; i < users; i++) {
        HubProcess node = (i + round) % 2 == 0 ? a : b;
        SockJsTestClient c = portal.login(node, "fc-churn-" + i, "client");
        c.send(new JsonObject().put("type", "bye"));
        c.awaitClose(BOUND);
      }
    }
    await().atMost(BOUND).until(() -> {
      synchronized (seen) {
        return seen.size() >= users * rounds * 2;
      }
    });
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> {
      synchronized (seen) {
        return seen.size() == users * rounds * 2;
      }
    });
    for (int i = 0; i < users; i++) {
      List<String> statuses = new ArrayList<>();
      synchronized (seen) {
        for (PresenceRecord r : seen) {
          if (r.user().equals("fc-churn-" + i)) {
            statuses.add(r.status().wire());
          }
        }
      }
      List<String> want = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        want.add("online");
        want.add("offline");
      }
      assertEquals(want, statuses, "fc-churn-" + i + ": one event per transition, in order");
    }
    get(sub.close());
  }

  @Test
  void badRequestsFailWith400NamingTheField() {
    var bus = member.vertx().eventBus();
    Map<String, JsonObject> bad = new LinkedHashMap<>();
    bad.put("tenant", new JsonObject().put("users", new io.vertx.core.json.JsonArray().add("u")));
    bad.put("users", new JsonObject().put("tenant", Portal.TENANT).put("users", "u"));
    for (Map.Entry<String, JsonObject> e : bad.entrySet()) {
      Throwable t = failure(bus.request("presence.query", e.getValue()));
      ReplyException re = assertInstanceOf(ReplyException.class, t);
      assertEquals(400, re.failureCode(), re.getMessage());
      assertTrue(re.getMessage().contains(e.getKey()), re.getMessage());
    }
    Throwable kind = failure(bus.request("presence.reachable",
        new JsonObject().put("tenant", Portal.TENANT).put("user", "u").put("kind", "fax")));
    assertEquals(400, ((ReplyException) kind).failureCode());
    assertTrue(kind.getMessage().contains("kind"), kind.getMessage());
    Throwable role = failure(bus.request("presence.roster", new JsonObject().put("tenant", Portal.TENANT).put("role", 7)));
    assertEquals(400, ((ReplyException) role).failureCode());
    assertTrue(role.getMessage().contains("role"), role.getMessage());
    // Unknown tenant: simply offline.
    assertEquals(Status.OFFLINE, get(presence.query("no-such-tenant", List.of("x"))).get("x").status());
  }
}
