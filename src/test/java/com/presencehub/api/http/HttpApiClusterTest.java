package com.presencehub.api.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.api.ApiHub;
import com.presencehub.testing.HubCluster;
import com.presencehub.testing.HubProcess;
import com.presencehub.testing.SockJsTestClient;
import com.presencehub.testing.SockJsTestClient.Transport;
import com.presencehub.testing.TestTokens;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Webhooks and the change stream across a 2-node cluster (processes of their own): with a healthy
 * publisher each transition is POSTed once (the publisher's local consumer only), every node's
 * SSE sees every transition; after {@code kill -9} of the publisher, the survivor publishes the
 * crashed node's offlines and sends them, and a stream resumed on the survivor gets a reset.
 */
@Timeout(300)
@DisplayName("HTTP API across a cluster: one webhook per transition, SSE everywhere, a publisher crash")
class HttpApiClusterTest {

  private static final String SECRET = "whsec-0123456789abcdef";

  @Test
  @DisplayName("one delivery per transition with a healthy publisher; the survivor takes over after a crash")
  void webhooksAndSseAcrossTheCluster() {
    Vertx vertx = Vertx.vertx();
    try (WebhookReceiver receiver = WebhookReceiver.start(vertx, SECRET)) {
      JsonArray hooks = new JsonArray().add(new JsonObject().put("tenant", "acme").put("url", receiver.url())
          .put("secret", SECRET));
      Map<String, Object> config = new HashMap<>();
      config.put("idleTimeoutMs", 600_000);
      config.put("webhooks", hooks.encode());
      config.put("webhookRetryMinMs", 100);
      config.put("webhookRetryMaxMs", 1_000);
      config.put("changeStreamHeartbeatMs", 1_000);
      try (HubCluster cluster = new HubCluster("HttpApiClusterTest", 2, config).startAll()) {
        HubProcess n0 = cluster.node(0);
        HubProcess n1 = cluster.node(1);
        ApiCaller api1 = new ApiCaller(vertx, n1.httpPort());
        String svc = api1.serviceToken("acme");
        SseReader sse0 = SseReader.open(vertx, n0.httpPort(), "/api/v1/tenants/acme/changes", svc, null);
        SseReader sse1 = SseReader.open(vertx, n1.httpPort(), "/api/v1/tenants/acme/changes", svc, null);
        TestTokens tokens = new TestTokens(vertx);

        // Healthy: users on both nodes come and go.
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          String u = "u" + i;
          users.add(u);
          HubProcess at = i % 2 == 0 ? n0 : n1;
          SockJsTestClient s = SockJsTestClient.open(vertx, at.httpPort(), Transport.RAW_WEBSOCKET);
          s.auth(tokens.token("acme", u, "tech"));
          ApiHub.bye(s);
        }
        await("every transition POSTed").atMost(Duration.ofSeconds(20))
            .until(() -> users.stream().allMatch(u -> receiver.statusesOf(u).size() >= 2));
        // No duplicate arrives later either.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
            .until(() -> receiver.events().size() == 12);
        for (String u : users) {
          assertEquals(List.of("online", "offline"), receiver.statusesOf(u), u);
          assertEquals(List.of("online", "offline"), statuses(sse0, u), "n0's stream, " + u);
          assertEquals(List.of("online", "offline"), statuses(sse1, u), "n1's stream, " + u);
        }

        // Users that stay: on n0 only (they go offline with it) and on n1.
        List<String> onN0 = List.of("c0", "c1", "c2");
        for (String u : onN0) {
          SockJsTestClient s = SockJsTestClient.open(vertx, n0.httpPort(), Transport.RAW_WEBSOCKET);
          s.auth(tokens.token("acme", u, "client"));
        }
        SockJsTestClient stay = SockJsTestClient.open(vertx, n1.httpPort(), Transport.RAW_WEBSOCKET);
        stay.auth(tokens.token("acme", "t-stay", "tech"));
        await().atMost(Duration.ofSeconds(20)).until(() ->
            onN0.stream().allMatch(u -> receiver.statusesOf(u).equals(List.of("online"))));
        // n1 answers about users connected to n0, from its own view.
        await().atMost(Duration.ofSeconds(10)).until(() -> api1.get("/api/v1/tenants/acme/presence?user=c0", svc)
            .json().getJsonObject("users").getJsonObject("c0").getString("status").equals("online"));
        String lastOnN0 = sse0.events().get(sse0.events().size() - 1).id();

        // Crash the publisher (n0, the oldest member).
        long killedAt = System.currentTimeMillis();
        n0.kill();
        await("the survivor publishes and POSTs the crashed node's offlines").atMost(Duration.ofSeconds(20))
            .until(() -> onN0.stream().allMatch(u -> receiver.statusesOf(u).contains("offline")));
        System.out.println("publisher crash to last offline webhook: " + (System.currentTimeMillis() - killedAt) + " ms");
        for (String u : onN0) {
          assertEquals(List.of("online", "offline"), receiver.statusesOf(u), u);
          assertEquals(List.of("online", "offline"), statuses(sse1, u), "n1's stream, " + u);
        }
        assertEquals(List.of("online"), receiver.statusesOf("t-stay"), "t-stay never left");
        // A client of n0's stream resuming on n1: n1 never issued that id, so a reset.
        try (SseReader resumed = SseReader.open(vertx, n1.httpPort(), "/api/v1/tenants/acme/changes", svc, lastOnN0)) {
          assertEquals("unknown_id", resumed.await(e -> e.type().equals("reset")).json().getString("reason"));
        }
        assertEquals(0, receiver.badSignatures());
        sse0.close();
        sse1.close();
      }
    } finally {
      ApiHub.await(vertx.close());
    }
  }

  private static List<String> statuses(SseReader sse, String user) {
    return sse.changesOf(user).stream().map(c -> c.getString("status")).toList();
  }

}
