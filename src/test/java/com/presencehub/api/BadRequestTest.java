package com.presencehub.api;

import static com.presencehub.api.ApiHub.await;
import static com.presencehub.api.ApiHub.failure;
import static com.presencehub.api.ApiHub.replyFailure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.api.client.PresenceBus;
import com.presencehub.api.client.PresenceServiceException;
import com.presencehub.api.client.Sender;
import com.presencehub.presence.DeliveryKind;
import com.presencehub.presence.Role;
import com.presencehub.presence.Status;
import com.presencehub.testing.SockJsTestClient;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@ExtendWith(VertxExtension.class)
@Timeout(60)
@DisplayName("Bad requests fail with 400 and a message naming the field; nothing is delivered")
class BadRequestTest {

  private ApiHub hub;
  private SockJsTestClient tech;

  @BeforeEach
  void start(Vertx vertx) {
    hub = ApiHub.start(vertx, ApiHub.noIdle());
    tech = hub.login("acme", "t-1", "tech");
  }

  private static JsonObject query() {
    return new JsonObject().put("tenant", "acme").put("users", new JsonArray().add("t-1"));
  }

  private static JsonObject reachable() {
    return new JsonObject().put("tenant", "acme").put("user", "t-1").put("kind", "chat.request");
  }

  private static JsonObject roster() {
    return new JsonObject().put("tenant", "acme").put("role", "tech").put("status", new JsonArray().add("online"));
  }

  private static JsonObject deliver() {
    return new JsonObject().put("tenant", "acme").put("to", "t-1").put("kind", "notify")
        .put("from", new JsonObject().put("id", "bot").put("role", "service").put("name", "Bot"))
        .put("payload", new JsonObject().put("text", "hi"));
  }

  private static String tooLong() {
    return "x".repeat(257);
  }

  /** address, request, the field the message must start with. */
  static Stream<Arguments> badRequests() {
    List<Arguments> cases = new ArrayList<>();
    // Fields every address shares.
    for (Object[] a : new Object[][] {
        {PresenceBus.QUERY, query()}, {PresenceBus.REACHABLE, reachable()}, {PresenceBus.ROSTER, roster()},
        {PresenceBus.DELIVER, deliver()}}) {
      String address = (String) a[0];
      JsonObject good = (JsonObject) a[1];
      cases.add(Arguments.of(address, without(good, "tenant"), "tenant: is required"));
      cases.add(Arguments.of(address, good.copy().put("tenant", 7), "tenant: must be a string"));
      cases.add(Arguments.of(address, good.copy().put("tenant", ""), "tenant: must not be empty"));
      cases.add(Arguments.of(address, good.copy().put("tenant", tooLong()), "tenant: is longer than 256"));
      cases.add(Arguments.of(address, good.copy().put("tenant", new JsonObject()), "tenant: must be a string"));
      cases.add(Arguments.of(address, "not json", "request: must be a JSON object"));
      cases.add(Arguments.of(address, new JsonArray().add(1), "request: must be a JSON object"));
    }
    // presence.query
    cases.add(Arguments.of(PresenceBus.QUERY, without(query(), "users"), "users: is required"));
    cases.add(Arguments.of(PresenceBus.QUERY, query().put("users", "t-1"), "users: must be an array"));
    cases.add(Arguments.of(PresenceBus.QUERY, query().put("users", new JsonArray()), "users: must not be empty"));
    cases.add(Arguments.of(PresenceBus.QUERY, query().put("users", new JsonArray().add("a").add(3)), "users[1]: must be a non-empty string"));
    cases.add(Arguments.of(PresenceBus.QUERY, query().put("users", new JsonArray().add("")), "users[0]: must be a non-empty string"));
    cases.add(Arguments.of(PresenceBus.QUERY, query().put("users", new JsonArray().add(tooLong())), "users[0]: is longer than 256"));
    cases.add(Arguments.of(PresenceBus.QUERY, query().put("users", new JsonArray(new ArrayList<>(Collections.nCopies(1001, "u")))),
        "users: at most 1000 users per request, got 1001"));
    // presence.reachable
    cases.add(Arguments.of(PresenceBus.REACHABLE, without(reachable(), "user"), "user: is required"));
    cases.add(Arguments.of(PresenceBus.REACHABLE, reachable().put("user", 5), "user: must be a string"));
    cases.add(Arguments.of(PresenceBus.REACHABLE, reachable().put("user", ""), "user: must not be empty"));
    cases.add(Arguments.of(PresenceBus.REACHABLE, without(reachable(), "kind"), "kind: is required"));
    cases.add(Arguments.of(PresenceBus.REACHABLE, reachable().put("kind", true), "kind: must be a string"));
    cases.add(Arguments.of(PresenceBus.REACHABLE, reachable().put("kind", "chat.push"), "kind: must be chat.request, chat.message or notify"));
    // presence.roster
    cases.add(Arguments.of(PresenceBus.ROSTER, without(roster(), "role"), "role: is required"));
    cases.add(Arguments.of(PresenceBus.ROSTER, roster().put("role", 1), "role: must be a string"));
    cases.add(Arguments.of(PresenceBus.ROSTER, roster().put("role", "admin"), "role: must be tech or client"));
    cases.add(Arguments.of(PresenceBus.ROSTER, roster().put("status", "online"), "status: must be an array"));
    cases.add(Arguments.of(PresenceBus.ROSTER, roster().put("status", new JsonArray()), "status: must not be empty"));
    cases.add(Arguments.of(PresenceBus.ROSTER, roster().put("status", new JsonArray().add("online").add("busy")), "status[1]: must be online or away"));
    cases.add(Arguments.of(PresenceBus.ROSTER, roster().put("status", new JsonArray().add(2)), "status[0]: must be online or away"));
    cases.add(Arguments.of(PresenceBus.ROSTER, roster().put("status", new JsonArray().add("offline")), "status[0]: offline is not accepted"));
    // presence.deliver
    cases.add(Arguments.of(PresenceBus.DELIVER, without(deliver(), "to"), "to: is required"));
    cases.add(Arguments.of(PresenceBus.DELIVER, deliver().put("to", 1), "to: must be a string"));
    cases.add(Arguments.of(PresenceBus.DELIVER, deliver().put("to", tooLong()), "to: is longer than 256"));
    cases.add(Arguments.of(PresenceBus.DELIVER, without(deliver(), "kind"), "kind: is required"));
    cases.add(Arguments.of(PresenceBus.DELIVER, deliver().put("kind", "email"), "kind: must be chat.request, chat.message or notify"));
    cases.add(Arguments.of(PresenceBus.DELIVER, without(deliver(), "from"), "from: is required"));
    cases.add(Arguments.of(PresenceBus.DELIVER, deliver().put("from", "bot"), "from: must be an object"));
    cases.add(Arguments.of(PresenceBus.DELIVER, deliver().put("from", new JsonObject().put("name", "Bot")), "from.id: is required"));
    cases.add(Arguments.of(PresenceBus.DELIVER, deliver().put("from", new JsonObject().put("id", 9)), "from.id: must be a string"));
    cases.add(Arguments.of(PresenceBus.DELIVER, deliver().put("from", new JsonObject().put("id", "b").put("name", 3)), "from.name: must be a string"));
    cases.add(Arguments.of(PresenceBus.DELIVER, deliver().put("from", new JsonObject().put("id", "b").put("role", false)), "from.role: must be a string"));
    cases.add(Arguments.of(PresenceBus.DELIVER, deliver().put("payload", "hi"), "payload: must be an object"));
    cases.add(Arguments.of(PresenceBus.DELIVER, deliver().put("payload", new JsonArray()), "payload: must be an object"));
    cases.add(Arguments.of(PresenceBus.DELIVER, deliver().put("payload", new JsonObject().put("blob", "x".repeat(70_000))),
        "payload: the delivered frame would be"));
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} {2}")
  @MethodSource("badRequests")
  @DisplayName("a missing, wrong-typed or out-of-set field fails with 400 naming it")
  void refused(String address, Object body, String message) {
    ReplyException e = replyFailure(hub.request(address, body));
    assertEquals(ReplyFailure.RECIPIENT_FAILURE, e.failureType());
    assertEquals(400, e.failureCode(), e.getMessage());
    assertTrue(e.getMessage().startsWith(message), "expected '" + message + "…', got '" + e.getMessage() + "'");
    tech.expectNone(f -> "notify".equals(f.getString("type")), Duration.ZERO);
  }

  @Test
  @DisplayName("after bad requests the consumers still answer, and unknown extra fields are ignored")
  void stillServing() {
    for (int i = 0; i < 5; i++) {
      replyFailure(hub.request(PresenceBus.DELIVER, "garbage"));
    }
    JsonObject reply = await(hub.request(PresenceBus.DELIVER, deliver().put("priority", "high")));
    assertEquals(new JsonObject().put("delivered", 1), reply);
    assertEquals("Bot", tech.next("notify").getJsonObject("from").getString("name"));
  }

  @Test
  @DisplayName("the facade reports a refusal as a PresenceServiceException with the code and the message")
  void facadeRefusals() {
    PresenceServiceException e = assertInstanceOf(PresenceServiceException.class,
        failure(hub.presence().roster("acme", Role.TECH, EnumSet.of(Status.OFFLINE))));
    assertEquals(400, e.failureCode());
    assertTrue(e.getMessage().startsWith("status[0]: offline is not accepted"), e.getMessage());
    e = assertInstanceOf(PresenceServiceException.class, failure(hub.presence().roster("acme", Role.TECH, EnumSet.noneOf(Status.class))));
    assertTrue(e.getMessage().startsWith("status: must not be empty"), e.getMessage());
    e = assertInstanceOf(PresenceServiceException.class, failure(hub.presence().query("", List.of("t-1"))));
    assertTrue(e.getMessage().startsWith("tenant: must not be empty"), e.getMessage());
    e = assertInstanceOf(PresenceServiceException.class, failure(hub.presence().query("acme", List.of())));
    assertTrue(e.getMessage().startsWith("users: must not be empty"), e.getMessage());
    e = assertInstanceOf(PresenceServiceException.class,
        failure(hub.presence().deliver("acme", "t-1", DeliveryKind.NOTIFY, new Sender("", null, null), null)));
    assertTrue(e.getMessage().startsWith("from.id: must not be empty"), e.getMessage());
  }

  private static JsonObject without(JsonObject o, String field) {
    JsonObject copy = o.copy();
    copy.remove(field);
    return copy;
  }
}
