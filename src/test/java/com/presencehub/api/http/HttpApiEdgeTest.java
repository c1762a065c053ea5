package com.presencehub.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.api.ApiHub;
import com.presencehub.api.http.RawHttp.Reply;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * What a tester threw at the HTTP API (PROTOCOL.md §8) with raw bytes on a socket: malformed
 * escapes and UTF-8, repeated parameters, request lines at the documented limit, odd
 * Last-Event-IDs, broken tokens. Every refusal is JSON {@code {"code","message"}} naming the field,
 * and nothing a client sends puts a stack trace in the log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
@DisplayName("HTTP API edges: bad escapes, repeats, long lines, Last-Event-ID, token messages")
class HttpApiEdgeTest {

  private static final String ACME = "/api/v1/tenants/acme";

  private Vertx vertx;
  private ApiHub hub;
  private ApiCaller api;
  private String svc;
  private int port;

  @BeforeAll
  void start() {
    vertx = Vertx.vertx();
    hub = ApiHub.start(vertx, ApiHub.noIdle());
    api = new ApiCaller(vertx, hub.node().port());
    port = hub.node().port();
    svc = api.serviceToken("acme");
  }

  @AfterAll
  void stop() {
    ApiHub.await(vertx.close());
  }

  private static void assertBad(Reply r, int status, String code, String field) {
    assertEquals(status, r.status(), r.toString());
    assertTrue(String.valueOf(r.contentType()).startsWith("application/json"), "JSON: " + r.head());
    JsonObject e = r.json();
    assertEquals(code, e.getString("code"), r.toString());
    assertTrue(e.getString("message").startsWith(field), "message names " + field + ": " + r);
  }

  @Test
  @DisplayName("a raw non-ASCII byte, a bad percent-escape or invalid UTF-8 in the query or path: JSON 400 naming it, no stack trace, few lines")
  void badEscapes() {
    try (LogLines log = new LogLines()) {
      for (int i = 0; i < 20; i++) {
        assertBad(RawHttp.get(port, ACME + "/presence?user=%zz", svc), 400, "bad_request", "user:");
      }
      assertBad(RawHttp.get(port, ACME + "/presence?user=ok&user=a%2", svc), 400, "bad_request", "user:");
      assertBad(RawHttp.get(port, ACME + "/presence?user=%ff%fe", svc), 400, "bad_request", "user:");
      // Raw bytes on the wire (RawHttp writes ISO-8859-1, one byte per char): UTF-8 "ü" unencoded, 0xff.
      assertBad(RawHttp.get(port, ACME + "/presence?user=\u00c3\u00bc", svc), 400, "bad_request", "user: has a raw byte");
      assertBad(RawHttp.get(port, ACME + "/presence?user=a\u00ff", svc), 400, "bad_request", "user: has a raw byte");
      assertBad(RawHttp.get(port, "/api/v1/tenants/\u00c3\u00bcn/roster?role=tech", svc), 400, "bad_request", "tenant: has a raw byte");
      assertBad(RawHttp.get(port, ACME + "/presence?us%zzer=x", svc), 400, "bad_request", "query:");
      assertBad(RawHttp.get(port, ACME + "/roster?role=tech&status=%c3", svc), 400, "bad_request", "status:");
      assertBad(RawHttp.get(port, "/api/v1/tenants/ac%zzme/roster?role=tech", svc), 400, "bad_request", "tenant:");
      // vertx-web cannot normalise such a path, so it is refused before the token is looked at.
      assertBad(RawHttp.get(port, "/api/v1/tenants/ac%zzme/roster?role=tech", null), 400, "bad_request", "tenant:");
      // Still answered normally, U+00E9 well-formed.
      Reply ok = RawHttp.get(port, ACME + "/presence?user=caf%C3%A9", svc);
      assertEquals(200, ok.status(), ok.toString());
      assertTrue(ok.json().getJsonObject("users").containsKey("café"), ok.toString());
      log.assertShortLines();
      List<String> lines = log.lines();
      assertTrue(lines.size() <= 5, "rate-limited: " + lines);
    }
  }

  @Test
  @DisplayName("every other way to the failure path answers JSON without a stack trace")
  void failurePaths() {
    try (LogLines log = new LogLines()) {
      byte[] notJson = "{\"to\":".getBytes(StandardCharsets.UTF_8);
      assertBad(RawHttp.send(port, "POST", ACME + "/deliveries", svc, "application/json", notJson), 400,
          "bad_request", "request: the body is not valid JSON");
      byte[] form = "--b\r\nContent-Disposition: form-data; name=\"to\"\r\n\r\nu1\r\n--b--\r\n".getBytes(StandardCharsets.UTF_8);
      assertBad(RawHttp.send(port, "POST", ACME + "/deliveries", svc, "multipart/form-data; boundary=b", form), 400,
          "bad_request", "Content-Type: must be application/json");
      byte[] badUtf8 = {'{', '"', 't', 'o', '"', ':', '"', (byte) 0xff, '"', '}'};
      assertBad(RawHttp.send(port, "POST", ACME + "/deliveries", svc, "application/json", badUtf8), 400,
          "bad_request", "request:");
      assertBad(RawHttp.send(port, "POST", ACME + "/deliveries", svc, "text/plain", "hi".getBytes()), 400,
          "bad_request", "Content-Type:");
      assertBad(RawHttp.send(port, "POST", ACME + "/deliveries", svc, null, "{}".getBytes()), 400,
          "bad_request", "Content-Type:");
      assertBad(RawHttp.send(port, "POST", ACME + "/deliveries", svc, "application/json", "[1]".getBytes()), 400,
          "bad_request", "request:");
      // Headers beyond the server's limit never reach the router: the server's own 431.
      Reply huge = RawHttp.get(port, ACME + "/roster?role=tech", svc, "X-Big: " + "a".repeat(20_000));
      assertEquals(431, huge.status(), huge.toString());
      log.assertShortLines();
    }
  }

  @Test
  @DisplayName("a presence request line fits the HTTP limit of users of 256 characters; one more user is refused by name")
  void requestLineLimit() {
    StringBuilder q = new StringBuilder(ACME + "/presence?");
    for (int i = 0; i < HttpApi.MAX_USERS_PER_REQUEST; i++) {
      String id = String.format("%04d", i) + "x".repeat(252);
      q.append(i == 0 ? "" : "&").append("user=").append(id);
    }
    Reply all = RawHttp.get(port, q.toString(), svc);
    assertEquals(200, all.status(), all.head());
    assertEquals(HttpApi.MAX_USERS_PER_REQUEST, all.json().getJsonObject("users").size());
    Reply oneMore = RawHttp.get(port, q + "&user=" + "y".repeat(256), svc);
    assertBad(oneMore, 400, "bad_request", "user: at most " + HttpApi.MAX_USERS_PER_REQUEST
        + " users per request, got " + (HttpApi.MAX_USERS_PER_REQUEST + 1));
    Reply tooLong = RawHttp.get(port, ACME + "/presence?user=" + "z".repeat(HttpApi.MAX_REQUEST_LINE), svc);
    assertEquals(414, tooLong.status(), tooLong.head());
  }

  @Test
  @DisplayName("any unusable Last-Event-ID gets the reset event with reason unknown_id, never a refusal")
  void lastEventIds() {
    for (String id : new String[] {"garbage", "12345", "-1", "1.5", "{\"a\":1}", "[1]", "a\tb", "%00", "%zz",
        "x".repeat(101), "x".repeat(4000), "true", "null"}) {
      try (SseReader sse = SseReader.open(vertx, port, ACME + "/changes", svc, id)) {
        assertEquals(200, sse.response().statusCode(), "Last-Event-ID " + id);
        assertEquals("unknown_id", sse.await(e -> e.type().equals("reset")).json().getString("reason"), id);
      }
    }
  }

  @Test
  @DisplayName("a repeated single-valued parameter is refused by name")
  void repeats() {
    assertBad(RawHttp.get(port, ACME + "/roster?role=tech&role=client", svc), 400, "bad_request", "role:");
    assertBad(RawHttp.get(port, ACME + "/reachable/c-1?kind=notify&kind=chat.request", svc), 400, "bad_request", "kind:");
    assertEquals(200, RawHttp.get(port, ACME + "/roster?role=tech&status=online&status=away", svc).status());
  }

  @Test
  @DisplayName("401 messages are the project's own, and a malformed claim is refused like at the socket edge")
  void tokenMessages() {
    for (String token : new String[] {"abc", "a.b.c", "x.y"}) {
      Reply r = RawHttp.get(port, ACME + "/roster?role=tech", token);
      assertBad(r, 401, "unauthorized", "Authorization: token rejected");
      assertFalse(r.body().contains("Invalid"), r.toString());
    }
    String expired = api.tokens().sign(new JsonObject().put("sub", "s").put("tenant", "acme").put("role", "service")
        .put("exp", System.currentTimeMillis() / 1000 - 10), new JWTOptions());
    Reply r = RawHttp.get(port, ACME + "/roster?role=tech", expired);
    assertBad(r, 401, "unauthorized", "Authorization: token expired");
    assertFalse(r.body().contains("Invalid"), r.toString());
    String badExp = api.tokens().sign(new JsonObject().put("sub", "s").put("tenant", "acme").put("role", "service")
        .put("exp", "soon"), new JWTOptions());
    assertBad(RawHttp.get(port, ACME + "/roster?role=tech", badExp), 401, "unauthorized",
        "Authorization: token claim exp:");
    String badSub = api.tokens().sign(new JsonObject().put("sub", 7).put("tenant", "acme").put("role", "service"),
        new JWTOptions().setExpiresInSeconds(60));
    assertBad(RawHttp.get(port, ACME + "/roster?role=tech", badSub), 401, "unauthorized",
        "Authorization: token claim sub:");
    String badRole = api.tokens().sign(new JsonObject().put("sub", "s").put("tenant", "acme").put("role", 1),
        new JWTOptions().setExpiresInSeconds(60));
    assertBad(RawHttp.get(port, ACME + "/roster?role=tech", badRole), 401, "unauthorized",
        "Authorization: token claim role:");
    // A portal token is well-formed: 403, as before.
    assertBad(RawHttp.get(port, ACME + "/roster?role=tech", api.token("acme", "t-1", "tech")), 403, "forbidden",
        "Authorization: role tech");
  }
}
