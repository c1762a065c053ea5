package com.presencehub.api.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.api.ApiHub;
import com.presencehub.testing.SockJsTestClient;
import com.presencehub.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * examples/http-service/service.mjs (Node, no packages) against a real node: it lists the
 * reachable techs over the HTTP API and receives the node's webhooks, verifying their signature.
 */
@Timeout(120)
@DisplayName("the Node example service lists reachable techs and verifies the hub's webhooks")
class HttpServiceExampleTest {

  private static final String SECRET = "whsec-example-0123456789";

  @Test
  void exampleService() throws Exception {
    Vertx vertx = Vertx.vertx();
    int port = TestNode.freePort();
    Process p = null;
    List<JsonObject> lines = new ArrayList<>();
    try {
      JsonArray hooks = new JsonArray().add(new JsonObject().put("tenant", "acme")
          .put("url", "http://127.0.0.1:" + port + "/hooks/presence").put("secret", SECRET));
      ApiHub hub = ApiHub.start(vertx, ApiHub.noIdle().put("webhooks", hooks).put("webhookRetryMinMs", 100)
          .put("webhookRetryMaxMs", 500).put("offlineGraceMs", 200));
      ApiCaller api = new ApiCaller(vertx, hub.node().port());
      SockJsTestClient tech = hub.login("acme", "t-1", "tech");
      hub.login("acme", "c-1", "client");
      hub.login("beta", "t-9", "tech");

      ProcessBuilder pb = new ProcessBuilder("node", "examples/http-service/service.mjs").redirectErrorStream(true);
      pb.environment().putAll(Map.of("HUB_URL", "http://127.0.0.1:" + hub.node().port(),
          "HUB_TOKEN", api.serviceToken("acme"), "TENANT", "acme", "WEBHOOK_SECRET", SECRET, "PORT", Integer.toString(port)));
      p = pb.start();
      Process proc = p;
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            System.out.println("service.mjs: " + line);
            synchronized (lines) {
              try {
                lines.add(new JsonObject(line));
              } catch (RuntimeException notJson) {
                lines.add(new JsonObject().put("event", "text").put("text", line));
              }
            }
          }
        } catch (IOException ignored) {
          // the process ended
        }
      });
      reader.setDaemon(true);
      reader.start();

      JsonObject reachable = awaitLine(lines, "reachable");
      assertEquals(new JsonArray().add(new JsonObject().put("user", "t-1").put("status", "online")),
          reachable.getJsonArray("techs"), "t-1 only: c-1 is a client, t-9 is in beta");
      awaitLine(lines, "listening");

      // A transition: the example prints it once its signature verified.
      ApiHub.bye(tech);
      await().atMost(ApiHub.PATIENCE).until(() -> events(lines, "presence").stream()
          .anyMatch(e -> e.getString("user").equals("t-1") && e.getString("status").equals("offline")));
      // Forged: a wrong signature is refused with 401.
      HttpResponse<String> forged = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port + "/hooks/presence"))
          .header("X-Presence-Timestamp", Long.toString(System.currentTimeMillis() / 1000))
          .header("X-Presence-Signature", "sha256=" + "0".repeat(64))
          .POST(HttpRequest.BodyPublishers.ofString("{\"tenant\":\"acme\",\"events\":[]}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(401, forged.statusCode());
      awaitLine(lines, "refused");
      assertTrue(events(lines, "presence").stream().allMatch(e -> e.getString("tenant").equals("acme")));
    } finally {
      if (p != null) {
        p.destroy();
        p.waitFor(10, TimeUnit.SECONDS);
      }
      ApiHub.await(vertx.close());
    }
  }

  private static List<JsonObject> events(List<JsonObject> lines, String event) {
    synchronized (lines) {
      return lines.stream().filter(l -> event.equals(l.getString("event"))).toList();
    }
  }

  private static JsonObject awaitLine(List<JsonObject> lines, String event) {
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      List<JsonObject> errors = events(lines, "error");
      if (!errors.isEmpty()) {
        throw new AssertionError("service.mjs failed: " + errors);
      }
      return !events(lines, event).isEmpty();
    });
    return events(lines, event).get(0);
  }
}
