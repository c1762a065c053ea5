package com.presencehub.api.http;

import static com.presencehub.testing.FrameMatch.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.api.ApiHub;
import com.presencehub.api.http.ApiCaller.Answer;
import com.presencehub.testing.SockJsTestClient;
import com.presencehub.testing.TestTokens;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The §8 REST endpoints against a real node with SockJS sessions open: every operation, every
 * error status, tenant scoping and token roles. Every answer is checked against openapi.yaml
 * ({@link ApiCaller}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
@DisplayName("HTTP API (PROTOCOL.md §8): endpoints, errors, tenants, roles")
class HttpApiTest {

  private static final String ACME = "/api/v1/tenants/acme";

  private Vertx vertx;
  private ApiHub hub;
  private ApiCaller api;
  private String svc;
  private SockJsTestClient tech;
  private SockJsTestClient client;
  private SockJsTestClient namesake;

  @BeforeAll
  void start() {
    vertx = Vertx.vertx();
    // A small query limit: 1000 users do not fit the 4096-byte request line of a GET.
    hub = ApiHub.start(vertx, ApiHub.noIdle().put("maxUsersPerSubscribe", 50));
    api = new ApiCaller(vertx, hub.node().port());
    svc = api.serviceToken("acme");
    tech = hub.login("acme", "t-1", "tech");
    client = hub.login("acme", "c-1", "client");
    // The same user id in another tenant: never seen from acme.
    namesake = hub.login("beta", "t-2", "tech");
  }

  @AfterAll
  void stop() {
    ApiHub.await(vertx.close());
  }

  @Test
  @DisplayName("GET presence: records in the order asked, unknown users offline, nothing from another tenant")
  void presence() {
    Answer a = api.get(ACME + "/presence?user=c-1&user=t-1&user=ghost&user=t-2", svc);
    assertEquals(200, a.status(), a.toString());
    JsonObject users = a.json().getJsonObject("users");
    assertEquals(List.of("c-1", "t-1", "ghost", "t-2"), List.copyOf(users.fieldNames()));
    assertEquals("online", users.getJsonObject("c-1").getString("status"));
    assertEquals("client", users.getJsonObject("c-1").getString("role"));
    assertEquals("tech", users.getJsonObject("t-1").getString("role"));
    assertEquals("offline", users.getJsonObject("ghost").getString("status"));
    assertEquals("offline", users.getJsonObject("t-2").getString("status"), "t-2 is online in beta only");
    assertEquals(null, users.getJsonObject("t-2").getValue("role"));
  }

  @Test
  @DisplayName("GET reachable: the §2 table, like presence.reachable")
  void reachable() {
    Answer a = api.get(ACME + "/reachable/c-1?kind=chat.request", svc);
    assertEquals(200, a.status(), a.toString());
    assertTrue(a.json().getBoolean("reachable"));
    assertEquals("c-1", a.json().getJsonObject("presence").getString("user"));
    Answer ghost = api.get(ACME + "/reachable/ghost?kind=notify", svc);
    assertFalse(ghost.json().getBoolean("reachable"));
    assertEquals("offline", ghost.json().getJsonObject("presence").getString("status"));
  }

  @Test
  @DisplayName("GET roster: by role, with status filters, ordered by user id, per tenant")
  void roster() {
    Answer techs = api.get(ACME + "/roster?role=tech", svc);
    assertEquals(200, techs.status(), techs.toString());
    JsonArray users = techs.json().getJsonArray("users");
    assertEquals(1, users.size(), techs.toString());
    assertEquals("t-1", users.getJsonObject(0).getString("user"));
    assertEquals(0, api.get(ACME + "/roster?role=tech&status=away", svc).json().getJsonArray("users").size());
    assertEquals(1, api.get(ACME + "/roster?role=client&status=online&status=away", svc).json().getJsonArray("users").size());
    Answer beta = api.get("/api/v1/tenants/beta/roster?role=tech", api.serviceToken("beta"));
    assertEquals("t-2", beta.json().getJsonArray("users").getJsonObject(0).getString("user"));
  }

  @Test
  @DisplayName("POST deliveries: written to the session and counted; 404 with the target's status")
  void deliveries() {
    JsonObject body = new JsonObject().put("to", "t-1").put("kind", "notify")
        .put("from", new JsonObject().put("id", "bot").put("role", "service").put("name", "Bot"))
        .put("payload", new JsonObject().put("text", "3 tickets"));
    Answer a = api.post(ACME + "/deliveries", svc, body);
    assertEquals(200, a.status(), a.toString());
    assertEquals(1, a.json().getInteger("delivered"));
    JsonObject frame = tech.next("notify");
    assertEquals("3 tickets", frame.getJsonObject("payload").getString("text"));
    assertEquals("bot", frame.getJsonObject("from").getString("id"));

    Answer refused = api.post(ACME + "/deliveries", svc, body.copy().put("to", "ghost").put("kind", "chat.request"));
    assertEquals(404, refused.status(), refused.toString());
    assertEquals("not_reachable", refused.json().getString("code"));
    assertEquals("offline", refused.json().getString("status"));
    // t-2 is online in beta, not in acme.
    Answer cross = api.post(ACME + "/deliveries", svc, body.copy().put("to", "t-2"));
    assertEquals(404, cross.status(), cross.toString());
    namesake.expectNone(type("notify"), java.time.Duration.ofMillis(300));
  }

  @Test
  @DisplayName("POST deliveries pipelined on one connection reach the user in the order sent")
  void deliveriesInOrder() {
    HttpClient http = vertx.createHttpClient(new HttpClientOptions().setPipelining(true).setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(1));
    List<Future<Integer>> sent = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      JsonObject body = new JsonObject().put("to", "c-1").put("kind", "chat.message")
          .put("from", new JsonObject().put("id", "bot")).put("payload", new JsonObject().put("n", i));
      sent.add(http.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
              .setPort(hub.node().port()).setURI(ACME + "/deliveries")
              .putHeader("Authorization", "Bearer " + svc).putHeader("Content-Type", "application/json"))
          .compose(req -> req.send(body.encode())).map(r -> r.statusCode()));
    }
    for (Future<Integer> f : sent) {
      assertEquals(200, ApiHub.await(f));
    }
    for (int i = 0; i < 30; i++) {
      assertEquals(i, client.next("chat.message").getJsonObject("payload").getInteger("n"));
    }
  }

  @Test
  @DisplayName("400 names the field: parameters, body fields, §5 rules")
  void badRequests() {
    assertBad(api.get(ACME + "/reachable/c-1", svc), "kind");
    assertBad(api.get(ACME + "/reachable/c-1?kind=call", svc), "kind");
    assertBad(api.get(ACME + "/presence", svc), "user");
    assertBad(api.get(ACME + "/roster?role=boss", svc), "role");
    assertBad(api.get(ACME + "/roster?role=tech&status=offline", svc), "status");
    assertBad(api.get(ACME + "/presence?user=" + "u".repeat(257), svc), "user");
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 51; i++) {
      many.append(i == 0 ? "?" : "&").append("user=u").append(i);
    }
    Answer tooMany = api.get(ACME + "/presence" + many, svc);
    assertBad(tooMany, "user");
    assertTrue(tooMany.json().getString("message").contains("at most 50"), tooMany.toString());
    JsonObject ok = new JsonObject().put("to", "t-1").put("kind", "notify").put("from", new JsonObject().put("id", "bot"));
    assertBad(api.post(ACME + "/deliveries", svc, ok.copy().put("kind", "fax")), "kind");
    assertBad(api.post(ACME + "/deliveries", svc, new JsonObject().put("kind", "notify").put("from", new JsonObject().put("id", "b"))), "to");
    assertBad(api.post(ACME + "/deliveries", svc, ok.copy().put("from", new JsonObject())), "from.id");
    assertBad(api.post(ACME + "/deliveries", svc, ok.copy().put("from", new JsonObject().put("id", 7))), "from.id");
    assertBad(api.post(ACME + "/deliveries", svc, ok.copy().put("payload", "text")), "payload");
    assertBad(api.post(ACME + "/deliveries", svc, ok.copy().put("payload", new JsonObject().put("big", "x".repeat(70_000)))), "payload");
    assertBad(api.post(ACME + "/deliveries", svc, "{not json"), "");
  }

  private static void assertBad(Answer a, String field) {
    assertEquals(400, a.status(), a.toString());
    assertEquals("bad_request", a.json().getString("code"), a.toString());
    assertTrue(a.json().getString("message").startsWith(field), "names " + field + ": " + a);
  }

  @Test
  @DisplayName("401 without a valid token, 403 for portal roles and for another tenant")
  void auth() {
    Answer none = api.get(ACME + "/roster?role=tech", null);
    assertEquals(401, none.status(), none.toString());
    assertEquals("unauthorized", none.json().getString("code"));
    assertEquals("Bearer", none.header("WWW-Authenticate"));
    assertEquals(401, api.get(ACME + "/roster?role=tech", "not-a-jwt").status());
    TestTokens otherKey = new TestTokens(vertx, "another-secret-0123456789abcdef0123456789");
    assertEquals(401, api.get(ACME + "/roster?role=tech", otherKey.sign(new JsonObject().put("sub", "s")
        .put("tenant", "acme").put("role", "service"), new JWTOptions().setExpiresInSeconds(60))).status());
    String expired = api.tokens().sign(new JsonObject().put("sub", "s").put("tenant", "acme").put("role", "service")
        .put("exp", System.currentTimeMillis() / 1000 - 10), new JWTOptions());
    assertEquals(401, api.get(ACME + "/roster?role=tech", expired).status());
    String noExp = api.tokens().sign(new JsonObject().put("sub", "s").put("tenant", "acme").put("role", "service"),
        new JWTOptions());
    assertEquals(401, api.get(ACME + "/roster?role=tech", noExp).status());

    for (String role : new String[] {"tech", "client"}) {
      Answer a = api.get(ACME + "/roster?role=tech", api.token("acme", "x", role));
      assertEquals(403, a.status(), a.toString());
      assertEquals("forbidden", a.json().getString("code"));
    }
    String beta = api.serviceToken("beta");
    for (Answer a : new Answer[] {
        api.get(ACME + "/roster?role=tech", beta),
        api.get(ACME + "/presence?user=t-1", beta),
        api.get(ACME + "/reachable/t-1?kind=notify", beta),
        api.post(ACME + "/deliveries", beta, new JsonObject().put("to", "t-1").put("kind", "notify")
            .put("from", new JsonObject().put("id", "bot"))),
        api.get(ACME + "/changes", beta)}) {
      assertEquals(403, a.status(), a.toString());
      assertTrue(a.json().getString("message").contains("beta"), a.toString());
    }
    tech.expectNone(type("notify"), java.time.Duration.ofMillis(200));
  }

  @Test
  @DisplayName("404 for an unknown path, with the error body")
  void unknownPath() {
    Answer a = api.get("/api/v1/tenants/acme/nothing", svc);
    assertEquals(404, a.status(), a.toString());
    assertEquals("not_found", a.json().getString("code"));
  }

  @Test
  @DisplayName("the OpenAPI document is served without a token")
  void servesContract() {
    Answer a = api.get("/api/v1/openapi.yaml", null);
    assertEquals(200, a.status());
    assertTrue(a.text().startsWith("openapi: 3.1"), a.text().substring(0, 40));
  }

  @Test
  @DisplayName("429 with Retry-After past the per-token rate, per token")
  void rateLimit() {
    Vertx v = Vertx.vertx();
    try {
      ApiHub limited = ApiHub.start(v, ApiHub.noIdle().put("httpApiRateLimitPerSecond", 1).put("httpApiRateLimitBurst", 3));
      ApiCaller c = new ApiCaller(v, limited.node().port());
      String t1 = c.serviceToken("acme");
      for (int i = 0; i < 3; i++) {
        assertEquals(200, c.get(ACME + "/roster?role=tech", t1).status());
      }
      Answer limitedAnswer = c.get(ACME + "/roster?role=tech", t1);
      assertEquals(429, limitedAnswer.status(), limitedAnswer.toString());
      assertEquals("rate_limited", limitedAnswer.json().getString("code"));
      assertNotNull(limitedAnswer.header("Retry-After"));
      assertTrue(Integer.parseInt(limitedAnswer.header("Retry-After")) >= 1);
      // Another token has its own bucket.
      assertEquals(200, c.get(ACME + "/roster?role=tech", c.token("acme", "svc-2", "service")).status());
    } finally {
      ApiHub.await(v.close());
    }
  }

  @Test
  @DisplayName("requests are counted by route and status in /metrics")
  void metrics() {
    api.get(ACME + "/roster?role=tech", svc);
    api.get(ACME + "/roster?role=tech", null);
    Answer m = api.get("/metrics", null);
    assertTrue(m.text().contains("presence_http_requests_total{route=\"roster\",status=\"200\"}"), "roster 200");
    assertTrue(m.text().contains("presence_http_requests_total{route=\"roster\",status=\"401\"}"), "roster 401");
    assertTrue(m.text().contains("presence_sse_clients"), "sse gauge");
    assertTrue(ApiCaller.VALIDATED.get() > 0);
  }
}
