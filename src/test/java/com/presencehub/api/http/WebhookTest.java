package com.presencehub.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.api.ApiHub;
import com.presencehub.api.http.webhook.WebhookSender;
import com.presencehub.testing.SockJsTestClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Webhooks (PROTOCOL.md §8) from a real node to real HTTP receivers started here. */
@Timeout(120)
@DisplayName("webhooks: signed, batched, in order per user, retried, bounded, isolated per endpoint")
class WebhookTest {

  private static final String SECRET = "whsec-0123456789abcdef";
  private static final String OTHER_SECRET = "whsec-fedcba9876543210";

  private Vertx vertx;
  private Vertx receivers;
  private ApiHub hub;

  @BeforeEach
  void vertx() {
    vertx = Vertx.vertx();
    // The receivers run on a Vert.x of their own: a hanging receiver must not be helped (or hurt)
    // by sharing the hub's loops.
    receivers = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    ApiHub.await(vertx.close());
    ApiHub.await(receivers.close());
  }

  private void start(JsonArray hooks, JsonObject more) {
    hub = ApiHub.start(vertx, ApiHub.noIdle().put("webhooks", hooks).put("webhookRetryMinMs", 50)
        .put("webhookRetryMaxMs", 400).put("webhookTimeoutMs", 1_000).put("offlineGraceMs", 200).mergeIn(more));
  }

  private static JsonObject hook(String tenant, WebhookReceiver r, String secret) {
    return new JsonObject().put("tenant", tenant).put("url", r.url()).put("secret", secret);
  }

  /** Each of {@code users} goes online then offline {@code rounds} times; returns the sessions' count. */
  private void churn(String tenant, List<String> users, int rounds) {
    for (int r = 0; r < rounds; r++) {
      List<SockJsTestClient> open = new ArrayList<>();
      for (String u : users) {
        open.add(hub.login(tenant, u, "tech"));
      }
      open.forEach(ApiHub::bye);
    }
  }

  private static List<String> expected(int rounds) {
    List<String> out = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      out.add("online");
      out.add("offline");
    }
    return out;
  }

  @Test
  @DisplayName("every transition arrives once, signed over timestamp and body, in order per user, only its tenant's")
  void signedAndOrdered() {
    try (WebhookReceiver acme = WebhookReceiver.start(receivers, SECRET);
        WebhookReceiver beta = WebhookReceiver.start(receivers, OTHER_SECRET)) {
      start(new JsonArray().add(hook("acme", acme, SECRET)).add(hook("beta", beta, OTHER_SECRET)), new JsonObject());
      List<String> users = List.of("u1", "u2", "u3");
      churn("acme", users, 3);
      churn("beta", List.of("b1"), 1);
      Awaitility.await().atMost(ApiHub.PATIENCE).until(() -> acme.events().size() == 18 && beta.events().size() == 2);
      for (String u : users) {
        assertEquals(expected(3), acme.statusesOf(u), u);
      }
      assertEquals(0, acme.badSignatures());
      assertTrue(acme.events().stream().allMatch(e -> "acme".equals(e.getString("tenant"))));
      assertTrue(acme.batches().stream().allMatch(b -> "acme".equals(b.getString("tenant"))));
      assertEquals(expected(1), beta.statusesOf("b1"));
      Set<String> ids = new HashSet<>();
      acme.events().forEach(e -> assertTrue(ids.add(e.getString("id")), "ids are unique: " + e));
    }
  }

  @Test
  @DisplayName("a receiver that answers 500 for a while loses nothing and keeps the order; retries are counted")
  void retriedInOrder() {
    try (WebhookReceiver flaky = WebhookReceiver.start(receivers, SECRET).failFirst(4)) {
      start(new JsonArray().add(hook("acme", flaky, SECRET)), new JsonObject().put("webhookBatchMax", 2));
      List<String> users = List.of("u1", "u2");
      churn("acme", users, 4);
      Awaitility.await().atMost(ApiHub.PATIENCE).until(() -> flaky.events().size() == 16);
      for (String u : users) {
        assertEquals(expected(4), flaky.statusesOf(u), u);
      }
      assertTrue(flaky.requests() > flaky.batches().size(), "some requests failed");
      assertTrue(flaky.batches().stream().allMatch(b -> b.getJsonArray("events").size() <= 2), "batches of at most 2");
      String metrics = new ApiCaller(vertx, hub.node().port()).get("/metrics", null).text();
      assertTrue(metrics.matches("(?s).*presence_webhook_retries_total\\{endpoint=\"acme → [^\"]+\"} [1-9].*"), "retries counted");
      assertTrue(metrics.contains("presence_webhook_deliveries_total{endpoint=\"acme → " + flaky.url() + "\",outcome=\"failed\"} 4.0"),
          "4 failed batches");
    }
  }

  @Test
  @DisplayName("a wrong secret on the receiver's side is a failure that is retried, not a silent loss")
  void wrongSecretIsRetried() {
    try (WebhookReceiver strict = WebhookReceiver.start(receivers, OTHER_SECRET)) {
      start(new JsonArray().add(hook("acme", strict, SECRET)), new JsonObject());
      churn("acme", List.of("u1"), 1);
      Awaitility.await().atMost(ApiHub.PATIENCE).until(() -> strict.badSignatures() >= 2);
      assertEquals(0, strict.events().size());
      assertTrue(hub.node().node().httpApi().hub().senders().get(0).depth() > 0, "still queued");
    }
  }

  @Test
  @DisplayName("a receiver that hangs holds up nothing else: the other endpoint of the tenant gets everything")
  void hangingEndpointIsolated() {
    try (WebhookReceiver hanging = WebhookReceiver.start(receivers, SECRET).mode(WebhookReceiver.Mode.HANG);
        WebhookReceiver healthy = WebhookReceiver.start(receivers, SECRET)) {
      start(new JsonArray().add(hook("acme", hanging, SECRET)).add(hook("acme", healthy, SECRET)),
          new JsonObject().put("webhookTimeoutMs", 60_000));
      List<String> users = List.of("u1", "u2", "u3");
      long t0 = System.nanoTime();
      churn("acme", users, 2);
      Awaitility.await().atMost(ApiHub.PATIENCE).until(() -> healthy.events().size() == 12);
      for (String u : users) {
        assertEquals(expected(2), healthy.statusesOf(u));
      }
      assertTrue(Duration.ofNanos(System.nanoTime() - t0).toMillis() < 30_000, "well before the hanging one's timeout");
      assertEquals(1, hanging.requests(), "one batch in flight to the hanging endpoint, nothing more");
      // The node still answers its API while a webhook hangs.
      ApiCaller api = new ApiCaller(vertx, hub.node().port());
      assertEquals(200, api.get("/api/v1/tenants/acme/roster?role=tech", api.serviceToken("acme")).status());
    }
  }

  @Test
  @DisplayName("a full queue drops the oldest waiting events, counts them and says so in the log; the newest get through")
  void fullQueueDropsOldest() {
    try (WebhookReceiver hanging = WebhookReceiver.start(receivers, SECRET).mode(WebhookReceiver.Mode.HANG)) {
      start(new JsonArray().add(hook("acme", hanging, SECRET)),
          new JsonObject().put("webhookQueueMax", 3).put("webhookBatchMax", 1).put("webhookTimeoutMs", 500));
      churn("acme", List.of("u1", "u2", "u3"), 2);
      WebhookSender sender = hub.node().node().httpApi().hub().senders().get(0);
      Awaitility.await().atMost(ApiHub.PATIENCE).until(() -> sender.depth() == 4);
      String metrics = new ApiCaller(vertx, hub.node().port()).get("/metrics", null).text();
      assertTrue(metrics.contains("presence_webhook_dropped_total{endpoint=\"acme → " + hanging.url() + "\"} 8.0"),
          "12 events, 1 in flight, 3 waiting: 8 dropped");
      assertTrue(metrics.contains("presence_webhook_queue_depth{endpoint=\"acme → " + hanging.url() + "\"} 4.0"), "depth");
      // Now the endpoint recovers: the in-flight batch (the very first event) and the 3 newest arrive, in order.
      hanging.mode(WebhookReceiver.Mode.OK);
      Awaitility.await().atMost(ApiHub.PATIENCE).until(() -> hanging.events().size() == 4);
      List<String> got = hanging.events().stream().map(e -> e.getString("user") + ":" + e.getString("status")).toList();
      // §8 orders webhooks per user only: the three users' last transitions go offline on their own shards, so
      // their order relative to each other is whichever shard published first (CI saw u3 before u2).
      assertEquals("u1:online", got.get(0), "the in-flight batch, sent before the queue filled");
      assertEquals(List.of("u1:offline", "u2:offline", "u3:offline"), got.subList(1, 4).stream().sorted().toList(),
          "the 3 newest: every user's last transition");
    }
  }

  @Test
  @DisplayName("a receiver that refuses connections or hangs is logged in the project's words, rate-limited, without Netty's text")
  void failuresInOwnWords() throws Exception {
    int closedPort;
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    try (LogLines log = new LogLines();
        WebhookReceiver hanging = WebhookReceiver.start(receivers, SECRET).mode(WebhookReceiver.Mode.HANG)) {
      String refused = "http://127.0.0.1:" + closedPort + "/hook";
      start(new JsonArray().add(new JsonObject().put("tenant", "acme").put("url", refused).put("secret", SECRET))
          .add(hook("acme", hanging, SECRET)), new JsonObject().put("webhookTimeoutMs", 300));
      churn("acme", List.of("u1"), 1);
      Awaitility.await().atMost(ApiHub.PATIENCE.multipliedBy(3)).until(() ->
          log.lines().stream().anyMatch(l -> l.contains(refused) && l.contains("(connection refused)"))
          && log.lines().stream().anyMatch(l -> l.contains(hanging.url()) && l.contains("(timeout)")));
      for (String line : log.lines()) {
        assertTrue(!line.contains("Exception") && !line.contains("finishConnect"), line);
      }
      log.assertShortLines();
    }
  }
}
