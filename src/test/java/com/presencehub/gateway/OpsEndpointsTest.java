package com.presencehub.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.testing.SockJsTestClient;
import com.presencehub.testing.SockJsTestClient.Transport;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
@DisplayName("Operations endpoints: health, metrics, dev tokens (PROTOCOL.md §7)")
class OpsEndpointsTest {

  /** An HTTP answer, read whole. */
  record Answer(int status, String contentType, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  private Vertx vertx;
  private LiveHub hub;
  private HttpClientAgent http;
  /** The one event-loop context every request of a test is sent from (see {@link #get}). */
  private Context client;

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
    this.hub = LiveHub.start(vertx, LiveHub.noIdle());
    this.http = vertx.createHttpClient();
    this.client = vertx.getOrCreateContext();
  }

  /**
   * GETs {@code uri} and reads the whole answer. Sent from {@link #client}, not from the test
   * thread: there each call gets a new context on another event loop, and the pool may hand the
   * request a connection of a different loop; then {@code resp.body()} is asked for on the
   * request's loop after the connection's loop may already have processed the end of a small
   * response, and with Vert.x 5.0.10 that body future never completes (vert.x#6038, fixed in
   * 5.0.11): the test hung, answer received, now and then on a loaded machine. On one context
   * the connections live on its loop and {@code body()} runs before the end is handled.
   */
  private Future<Answer> get(int port, String uri) {
    Promise<Answer> answer = Promise.promise();
    client.runOnContext(v -> http.request(HttpMethod.GET, port, "127.0.0.1", uri)
        .compose(req -> req.send())
        .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), resp.getHeader("content-type"), b.toString())))
        .onComplete(answer));
    return answer.future();
  }

  @Test
  @DisplayName("/health/live and /health/ready answer 200 UP on a started node")
  void healthEndpoints(VertxTestContext ctx) {
    var checkpoint = ctx.checkpoint(2);
    for (String uri : new String[] {"/health/live", "/health/ready"}) {
      get(hub.port(), uri).onComplete(ctx.succeeding(a -> ctx.verify(() -> {
        assertEquals(200, a.status(), uri + ": " + a);
        assertEquals("UP", a.json().getString("status"), uri + ": " + a.body());
        checkpoint.flag();
      })));
    }
  }

  @Test
  @DisplayName("/metrics is Prometheus text with presence_sessions, presence_transitions_total and presence_errors_total that follow the traffic")
  void metricsFollowTraffic(VertxTestContext ctx) {
    SockJsTestClient c = hub.login(Transport.RAW_WEBSOCKET, "acme", "t-1", "tech");
    c.sendRaw("not json");
    c.await(com.presencehub.testing.FrameMatch.error("bad_request"));

    get(hub.port(), "/metrics").onComplete(ctx.succeeding(a -> ctx.verify(() -> {
      assertEquals(200, a.status());
      assertTrue(a.contentType() != null && a.contentType().startsWith("text/plain"), "content-type " + a.contentType());
      assertTrue(a.body().contains("# TYPE presence_sessions gauge"), a.body());
      assertEquals(1.0, sample(a.body(), "presence_sessions", ""));
      assertTrue(sample(a.body(), "presence_transitions_total", "to=\"online\"") >= 1.0, a.body());
      assertEquals(1.0, sample(a.body(), "presence_errors_total", "code=\"bad_request\""));
      assertEquals(0.0, sample(a.body(), "presence_errors_total", "code=\"too_large\""));
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("presence_transport_sessions counts the open sessions by transport, raw WebSocket apart")
  void sessionsByTransport(VertxTestContext ctx) {
    hub.login(Transport.RAW_WEBSOCKET, "acme", "t-raw", "tech");
    hub.login(Transport.SOCKJS_WEBSOCKET, "acme", "t-ws", "tech");
    hub.login(Transport.XHR_POLLING, "acme", "t-xp", "tech");
    get(hub.port(), "/metrics").onComplete(ctx.succeeding(a -> ctx.verify(() -> {
      String body = a.body();
      assertEquals(1.0, sample(body, "presence_transport_sessions", "transport=\"raw_websocket\""), body);
      assertEquals(1.0, sample(body, "presence_transport_sessions", "transport=\"websocket\""), body);
      assertEquals(0.0, sample(body, "presence_transport_sessions", "transport=\"xhr_streaming\""), body);
      assertEquals(1.0, sample(body, "presence_transport_sessions", "transport=\"xhr\""), body);
      assertEquals(0.0, sample(body, "presence_transport_sessions", "transport=\"eventsource\""), body);
      assertEquals(0.0, sample(body, "presence_transport_sessions", "transport=\"unknown\""), body);
      assertEquals(3.0, sample(body, "presence_sessions", ""), body);
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("presence_sessions drops back when a session ends")
  void sessionGaugeFollowsSessions(VertxTestContext ctx) {
    SockJsTestClient c = hub.login(Transport.XHR_POLLING, "acme", "t-1", "tech");
    c.send(new JsonObject().put("type", "bye"));
    c.awaitClose();
    // The hub counts the session out once it has processed the bye; poll /metrics until it has.
    pollUntilZero(ctx, 0);
  }

  private void pollUntilZero(VertxTestContext ctx, int attempt) {
    get(hub.port(), "/metrics").onComplete(ctx.succeeding(a -> {
      double sessions = sample(a.body(), "presence_sessions", "");
      if (sessions == 0.0) {
        ctx.completeNow();
      } else if (attempt > 200) {
        ctx.failNow("presence_sessions stays at " + sessions);
      } else {
        vertx.setTimer(25, t -> pollUntilZero(ctx, attempt + 1));
      }
    }));
  }

  @Test
  @DisplayName("/dev/token mints a token that opens a session for that tenant, user, role and name")
  void devTokenOpensASession(VertxTestContext ctx) {
    get(hub.port(), "/dev/token?tenant=acme&user=t-dev&role=tech&name=Dev%20Tech").onComplete(ctx.succeeding(a -> ctx.verify(() -> {
      assertEquals(200, a.status(), a.body());
      String token = a.json().getString("token");
      vertx.executeBlocking(() -> hub.connect(Transport.SOCKJS_WEBSOCKET).auth(token)).onComplete(ctx.succeeding(welcome -> ctx.verify(() -> {
        assertEquals(new JsonObject().put("id", "t-dev").put("tenant", "acme").put("role", "tech").put("name", "Dev Tech"),
            welcome.getJsonObject("user"));
        ctx.completeNow();
      })));
    })));
  }

  @Test
  @DisplayName("/dev/token refuses a request missing tenant, user or a valid role with 400 bad_request")
  void devTokenValidates(VertxTestContext ctx) {
    String[] bad = {"/dev/token?user=u&role=tech", "/dev/token?tenant=t&role=tech", "/dev/token?tenant=t&user=u&role=admin",
        "/dev/token?tenant=t&user=u&role=tech&ttl=abc", "/dev/token?tenant=t&user=u&role=tech&ttl=0"};
    var checkpoint = ctx.checkpoint(bad.length);
    for (String uri : bad) {
      get(hub.port(), uri).onComplete(ctx.succeeding(a -> ctx.verify(() -> {
        assertEquals(400, a.status(), uri + ": " + a);
        assertEquals("bad_request", a.json().getString("error"), uri);
        checkpoint.flag();
      })));
    }
  }

  @Test
  @DisplayName("/dev/token does not exist unless devTokens is on")
  void devTokenIsOffByConfig(VertxTestContext ctx) {
    LiveHub prod = LiveHub.start(vertx, LiveHub.noIdle().put("devTokens", false));
    get(prod.port(), "/dev/token?tenant=acme&user=u&role=tech").onComplete(ctx.succeeding(a -> ctx.verify(() -> {
      assertEquals(404, a.status(), a.body());
      assertTrue(!a.body().contains("token\""), a.body());
      ctx.completeNow();
    })));
  }

  /** The value of the first sample of {@code metric} whose labels contain {@code label}. */
  static double sample(String text, String metric, String label) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(metric) + "(\\{[^}]*\\})? (\\S+)$").matcher(text);
    while (m.find()) {
      String labels = m.group(1) == null ? "" : m.group(1);
      if (labels.contains(label)) {
        return Double.parseDouble(m.group(2));
      }
    }
    throw new AssertionError("no sample " + metric + "{" + label + "} in:\n" + text);
  }
}
