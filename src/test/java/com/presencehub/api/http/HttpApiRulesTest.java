package com.presencehub.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.api.http.impl.ChangeLog;
import com.presencehub.api.http.impl.RequestTarget;
import com.presencehub.api.http.impl.TokenBuckets;
import com.presencehub.api.http.webhook.Backoff;
import com.presencehub.config.WebhookEndpoint;
import com.presencehub.api.http.webhook.WebhookQueue;
import com.presencehub.api.http.webhook.WebhookSender;
import com.presencehub.api.http.webhook.WebhookSignature;
import com.presencehub.config.ConfigException;
import com.presencehub.config.HubConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The plain rules under the HTTP API: change log, rate limit, webhook queue, back-off, signature, config. */
@DisplayName("HTTP API rules (plain Java)")
class HttpApiRulesTest {

  @Test
  @DisplayName("change log: replay after an id of this epoch, per tenant; reset on overrun, foreign or future ids")
  void changeLog() {
    ChangeLog log = new ChangeLog("ep", 3);
    ChangeLog.Entry a = log.append("acme", new JsonObject().put("n", 1));
    log.append("beta", new JsonObject().put("n", 2));
    log.append("acme", new JsonObject().put("n", 3));
    assertEquals("ep-1", log.id(a));
    ChangeLog.Resume r = log.resume("acme", "ep-1");
    assertFalse(r.reset());
    assertEquals(List.of(3), r.replay().stream().map(e -> e.change().getInteger("n")).toList());
    assertEquals(List.of(), log.resume("acme", null).replay());
    assertEquals(List.of(), log.resume("acme", "ep-3").replay(), "up to date");
    log.append("acme", new JsonObject().put("n", 4));
    log.append("acme", new JsonObject().put("n", 5));
    assertEquals("buffer_overrun", log.resume("acme", "ep-1").resetReason(), "2..5 needed, 3..5 held");
    assertEquals(List.of(3, 4, 5), log.resume("acme", "ep-2").replay().stream().map(e -> e.change().getInteger("n")).toList());
    assertEquals("unknown_id", log.resume("acme", "other-2").resetReason());
    assertEquals("unknown_id", log.resume("acme", "ep-99").resetReason());
    assertEquals("unknown_id", log.resume("acme", "garbage").resetReason());
    // After a pause of the node, no id given so far resumes exactly; later ones do.
    log.markGap();
    assertEquals("gap", log.resume("acme", "ep-5").resetReason());
    assertEquals("gap", log.resume("acme", "ep-4").resetReason());
    log.append("acme", new JsonObject().put("n", 6));
    log.append("acme", new JsonObject().put("n", 7));
    assertEquals(List.of(7), log.resume("acme", "ep-6").replay().stream().map(e -> e.change().getInteger("n")).toList());
    ChangeLog none = new ChangeLog("ep", 0);
    none.append("acme", new JsonObject());
    none.append("acme", new JsonObject());
    assertEquals("buffer_overrun", none.resume("acme", "ep-1").resetReason(), "a log that holds nothing replays nothing");
  }

  @Test
  @DisplayName("rate limit: burst, then the rate, with Retry-After in whole seconds, per key")
  void tokenBuckets() {
    TokenBuckets b = new TokenBuckets(2, 3);
    long t = 1_000_000_000_000L;
    for (int i = 0; i < 3; i++) {
      assertEquals(0, b.acquire("k", t));
    }
    assertEquals(1, b.acquire("k", t));
    assertEquals(0, b.acquire("other", t));
    assertEquals(0, b.acquire("k", t + 500_000_000L), "one more after 1/rate");
    assertEquals(1, b.acquire("k", t + 500_000_000L));
    b.sweep(t + 10_000_000_000L);
    assertEquals(0, b.size());
  }

  @Test
  @DisplayName("webhook queue: batches from the head, a failed batch again as it was, drops the oldest waiting")
  void queue() {
    WebhookQueue<Integer> q = new WebhookQueue<>(3);
    for (int i = 1; i <= 3; i++) {
      assertNull(q.offer(i));
    }
    assertEquals(List.of(1, 2), q.batch(2));
    assertEquals(List.of(1, 2), q.batch(5), "in flight until sent");
    assertNull(q.offer(4));
    assertNull(q.offer(5));
    assertEquals(3, q.offer(6), "the oldest waiting goes, never the batch in flight");
    assertEquals(1, q.dropped());
    assertEquals(5, q.depth());
    q.sent();
    assertEquals(List.of(4, 5, 6), q.batch(10));
    q.sent();
    assertEquals(List.of(), q.batch(10));
  }

  @Test
  @DisplayName("back-off: doubles from min, capped at max, jitter within the upper half of each step")
  void backoff() {
    Backoff low = new Backoff(100, 1_000, () -> 0.0);
    Backoff high = new Backoff(100, 1_000, () -> 0.999_999);
    assertEquals(50, low.delayMs(1));
    assertEquals(99, high.delayMs(1));
    assertEquals(100, low.delayMs(2));
    assertEquals(400, low.delayMs(4));
    assertEquals(500, low.delayMs(5), "capped at 1000, half of it");
    assertEquals(500, low.delayMs(100));
  }

  @Test
  @DisplayName("signature: HMAC-SHA256 over timestamp.body, hex; a changed body, timestamp or secret fails")
  void signature() {
    byte[] body = "{\"tenant\":\"acme\",\"events\":[]}".getBytes(StandardCharsets.UTF_8);
    String sig = WebhookSignature.sign("whsec-0123456789abcdef", 1_700_000_000L, body);
    // Computed independently: printf '1700000000.{"tenant":"acme","events":[]}' | openssl dgst -sha256 -hmac whsec-0123456789abcdef
    assertEquals("sha256=" + OpenSslReference.HEX, sig);
    assertTrue(WebhookSignature.verify("whsec-0123456789abcdef", 1_700_000_000L, body, sig));
    assertFalse(WebhookSignature.verify("whsec-0123456789abcdef", 1_700_000_001L, body, sig));
    assertFalse(WebhookSignature.verify("whsec-0123456789abcdeX", 1_700_000_000L, body, sig));
    assertFalse(WebhookSignature.verify("whsec-0123456789abcdef", 1_700_000_000L, "{}".getBytes(), sig));
  }

  /** The expected HMAC, from openssl (see {@link #signature}). */
  static final class OpenSslReference {
    static final String HEX = "620d66424d28dd24399fa96b09b620a8eba0c2f1fd19ce1c4253dfc1697ab4f1";
  }

  @Test
  @DisplayName("config: webhooks from the file, from PRESENCE_WEBHOOKS as JSON, or the three simple keys; errors name the key")
  void config() {
    JsonObject base = new JsonObject().put("jwtSecret", "s".repeat(40));
    JsonArray list = new JsonArray().add(new JsonObject().put("tenant", "acme").put("url", "https://h.example/x")
        .put("secret", "0123456789abcdef"));
    assertEquals(1, HubConfig.fromJson(base.copy().put("webhooks", list)).webhooks().size());
    HubConfig env = HubConfig.fromLayers(base, Map.of("PRESENCE_WEBHOOKS", list.encode(),
        "PRESENCE_WEBHOOK_TENANT", "beta", "PRESENCE_WEBHOOK_URL", "http://127.0.0.1:9/h",
        "PRESENCE_WEBHOOK_SECRET", "fedcba9876543210"), Map.of());
    assertEquals(List.of("acme", "beta"), env.webhooks().stream().map(WebhookEndpoint::tenant).toList());
    assertEquals(List.of(), HubConfig.fromJson(base).webhooks());

    assertError("webhooks[0].url", base.copy().put("webhooks", new JsonArray().add(list.getJsonObject(0).copy().put("url", "ftp://x/y"))));
    assertError("webhooks[0].secret", base.copy().put("webhooks", new JsonArray().add(list.getJsonObject(0).copy().put("secret", "short"))));
    assertError("webhooks[0].tenant", base.copy().put("webhooks", new JsonArray().add(list.getJsonObject(0).copy().put("tenant", 5))));
    assertError("webhooks[0].tenant: must be a non-empty id", base.copy().put("webhooks", new JsonArray().add(list.getJsonObject(0).copy().put("tenant", ""))));
    // the one id rule's message (FieldRules.idProblem), as the other edges word it
    assertError("webhooks[0].tenant: is longer than 256 characters",
        base.copy().put("webhooks", new JsonArray().add(list.getJsonObject(0).copy().put("tenant", "t".repeat(257)))));
    assertError("webhooks[0].tenant: must not contain control characters (U+0007 at character 2)",
        base.copy().put("webhooks", new JsonArray().add(list.getJsonObject(0).copy().put("tenant", "a\u0007"))));
    assertError("webhooks[0].colour", base.copy().put("webhooks", new JsonArray().add(list.getJsonObject(0).copy().put("colour", "red"))));
    assertError("webhooks[1]", base.copy().put("webhooks", list.copy().add("x")));
    assertError("webhookTenant, webhookUrl, webhookSecret", base.copy().put("webhookUrl", "http://h/x"));
    assertError("webhookSecret", base.copy().put("webhookUrl", "http://h/x").put("webhookTenant", "t").put("webhookSecret", "short"));
    assertError("webhookRetryMaxMs", base.copy().put("webhookRetryMinMs", 1000).put("webhookRetryMaxMs", 500));
    assertError("webhooks", base.copy().put("webhooks", "not json"));
  }

  private static void assertError(String key, JsonObject file) {
    ConfigException e = assertThrows(ConfigException.class, () -> HubConfig.fromJson(file));
    assertTrue(e.getMessage().startsWith(key), key + ": " + e.getMessage());
  }

  @Test
  @DisplayName("RequestTarget: raw non-ASCII bytes, bad escapes and invalid UTF-8 are named by field; repeats of role and kind refused")
  void requestTarget() {
    String acme = "/api/v1/tenants/acme/presence";
    assertNull(RequestTarget.problem(acme, null));
    assertNull(RequestTarget.problem(acme, "user=a&user=caf%C3%A9&user=a+b&user=%2B&&user"));
    assertTrue(RequestTarget.problem(acme, "user=%zz").startsWith("user: has a bad percent-escape"));
    assertTrue(RequestTarget.problem(acme, "user=a%2").startsWith("user: has a bad percent-escape"));
    assertTrue(RequestTarget.problem(acme, "user=a%").startsWith("user: has a bad percent-escape"));
    assertTrue(RequestTarget.problem(acme, "user=%ff%fe").startsWith("user: is not valid UTF-8"));
    assertTrue(RequestTarget.problem(acme, "user=%ed%a0%80").startsWith("user: is not valid UTF-8"), "a surrogate");
    assertTrue(RequestTarget.problem(acme, "u%zz=1").startsWith("query: a parameter name has a bad percent-escape"));
    // Raw bytes as Netty hands them over, one char per byte: UTF-8 "ü" unencoded, and 0xff.
    assertTrue(RequestTarget.problem(acme, "user=\u00c3\u00bc").startsWith("user: has a raw byte outside printable ASCII (0xc3)"));
    assertTrue(RequestTarget.problem(acme, "user=a\u00ff").startsWith("user: has a raw byte"));
    assertTrue(RequestTarget.problem("/api/v1/tenants/\u00c3\u00bcn/roster", "role=tech").startsWith("tenant: has a raw byte"));
    assertTrue(RequestTarget.problem("/api/v1/tenants/a%zz/roster", "role=tech").startsWith("tenant: "));
    assertTrue(RequestTarget.problem("/api/v1/tenants/a/reachable/%c3", "kind=notify").startsWith("user: is not valid UTF-8"));
    assertEquals("role: give it once", RequestTarget.problem("/api/v1/tenants/a/roster", "role=tech&role=client"));
    assertEquals("kind: give it once", RequestTarget.problem("/api/v1/tenants/a/reachable/u", "kind=notify&k%69nd=notify"));
    assertNull(RequestTarget.problem("/api/v1/tenants/a/roster", "role=tech&status=online&status=away"));
  }

  @Test
  @DisplayName("WebhookSender.why: a failed POST in the hub's words, not Netty's")
  void webhookWhy() {
    assertEquals("connection refused", WebhookSender.why(new java.net.ConnectException("finishConnect(..) failed: Connection refused")));
    assertEquals("timeout", WebhookSender.why(new java.util.concurrent.TimeoutException("The timeout period of 5000ms has been exceeded")));
    assertEquals("timeout", WebhookSender.why(new io.netty.channel.ConnectTimeoutException("connection timed out")));
    assertEquals("unknown host", WebhookSender.why(new RuntimeException(new java.net.UnknownHostException("x"))));
    assertEquals("I/O error (IllegalStateException)", WebhookSender.why(new IllegalStateException("boom")));
  }
}
