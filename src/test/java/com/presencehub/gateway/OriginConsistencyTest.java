package com.presencehub.gateway;

import com.presencehub.testing.SameLoop;
import io.vertx.core.Context;

import com.presencehub.config.OriginPolicy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * With a restricted allowedOrigins, one {@link OriginPolicy} decides on every route that checks
 * origins: the SockJS endpoint, the client files and the WebJar give the same answer to the same
 * Origin, default ports are the same origin, the hub's own pages are always allowed, and what is
 * not a serialized origin is refused everywhere.
 */
@ExtendWith(VertxExtension.class)
class OriginConsistencyTest {

  private static final List<String> PATHS = List.of("/presence/info", "/presence-client.js", "/presence-client.mjs",
      "/webjars/sockjs-client/1.6.1/dist/sockjs.min.js");

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  @DisplayName("every route answers an Origin alike: listed (any case, default port), the hub's own, or 403")
  void oneAnswerPerOrigin(Vertx vertx) throws Exception {
    LiveHub hub = LiveHub.start(vertx, LiveHub.noIdle().put("allowedOrigins", new JsonArray().add("https://portal.example.com")));
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("https://portal.example.com", "https://portal.example.com");
    expected.put("https://portal.example.com:443", "https://portal.example.com");
    expected.put("HTTPS://Portal.Example.COM", "https://portal.example.com");
    expected.put("http://127.0.0.1:" + hub.port(), "http://127.0.0.1:" + hub.port());
    expected.put("https://portal.example.com/", null);
    expected.put("https://portal.example.com:8443", null);
    expected.put("http://portal.example.com", null);
    expected.put("null", null);
    expected.put("https://evil.example", null);
    HttpClientAgent http = vertx.createHttpClient();
    Context loop = vertx.getOrCreateContext();
    for (Map.Entry<String, String> e : expected.entrySet()) {
      for (String path : PATHS) {
        HttpClientResponse resp = SameLoop.call(loop, () -> http.request(HttpMethod.GET, hub.port(), "127.0.0.1", path)
            .compose(req -> req.putHeader("Origin", e.getKey()).send())
            .compose(r -> r.body().map(b -> r))).await(10, TimeUnit.SECONDS);
        String what = "Origin " + e.getKey() + " on " + path;
        if (e.getValue() == null) {
          assertEquals(403, resp.statusCode(), what);
          assertNull(resp.getHeader("Access-Control-Allow-Origin"), what);
        } else {
          assertEquals(200, resp.statusCode(), what);
          if (!path.startsWith("/presence/")) {
            // SockJS echoes the Origin as sent; the static files answer its canonical form.
            assertEquals(e.getValue(), resp.getHeader("Access-Control-Allow-Origin"), what);
          } else {
            assertFalse(resp.getHeader("Access-Control-Allow-Origin") == null, what);
          }
        }
      }
    }
  }
}
