package com.presencehub.portal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
@DisplayName("Portal routes: the browser client always, the demo portal only with dev tokens")
class PortalRoutesTest {

  /** An HTTP answer, read whole. */
  record Answer(int status, String contentType, String body) {
  }

  private static final List<String> DEMO = List.of("/", "/index.html", "/demo.js", "/demo.css");

  private static Future<Answer> get(HttpClientAgent http, int port, String uri) {
    return http.request(HttpMethod.GET, port, "127.0.0.1", uri)
        .compose(req -> req.send())
        .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), resp.getHeader("content-type"), b.toString())));
  }

  private static Future<Answer> getFrom(HttpClientAgent http, int port, String uri, String origin) {
    return http.request(HttpMethod.GET, port, "127.0.0.1", uri)
        .compose(req -> req.putHeader("Origin", origin).send())
        .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(),
            String.valueOf(resp.getHeader("Access-Control-Allow-Origin")), b.toString())));
  }

  @Test
  @DisplayName("the client files and the WebJar answer a portal origin of allowedOrigins with CORS headers, and no other origin")
  void corsForAllowedOrigins(Vertx vertx, VertxTestContext ctx) {
    HttpClientAgent http = vertx.createHttpClient();
    String portal = "https://portal.example.com";
    List<String> uris = List.of("/presence-client.mjs", "/presence-client.js", "/webjars/sockjs-client/1.6.1/dist/sockjs.min.js");
    TestNode.start(vertx, new JsonObject().put("allowedOrigins", "https://other.example.com, " + portal))
        .compose(n -> Future.all(List.of(
            Future.all(uris.stream().map(u -> getFrom(http, n.port(), u, portal)).toList()),
            getFrom(http, n.port(), "/presence-client.mjs", "https://evil.example.com"))))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          io.vertx.core.CompositeFuture allowed = all.resultAt(0);
          for (int i = 0; i < uris.size(); i++) {
            Answer a = allowed.resultAt(i);
            assertEquals(200, a.status(), uris.get(i));
            assertEquals(portal, a.contentType(), uris.get(i) + ": Access-Control-Allow-Origin");
          }
          Answer refused = all.resultAt(1);
          assertTrue(!refused.contentType().equals("https://evil.example.com") && !refused.contentType().equals("*"),
              "no CORS grant for an origin not in allowedOrigins: " + refused);
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("with the default allowedOrigins (\"*\") any portal origin may import /presence-client.mjs")
  void corsAnyOriginByDefault(Vertx vertx, VertxTestContext ctx) {
    HttpClientAgent http = vertx.createHttpClient();
    node(vertx, false).compose(n -> getFrom(http, n.port(), "/presence-client.mjs", "http://127.0.0.1:1"))
        .onComplete(ctx.succeeding(a -> ctx.verify(() -> {
          assertEquals(200, a.status());
          assertEquals("*", a.contentType(), "Access-Control-Allow-Origin");
          ctx.completeNow();
        })));
  }

  private static Future<TestNode> node(Vertx vertx, boolean devTokens) {
    return TestNode.start(vertx, new JsonObject().put("devTokens", devTokens));
  }

  @Test
  @DisplayName("/presence-client.js, /presence-client.mjs and the sockjs-client they load are served with dev tokens off")
  void clientLibraryAlwaysServed(Vertx vertx, VertxTestContext ctx) {
    HttpClientAgent http = vertx.createHttpClient();
    node(vertx, false).compose(n -> get(http, n.port(), "/presence-client.js").compose(js -> {
      ctx.verify(() -> {
        assertEquals(200, js.status(), js.toString());
        assertTrue(js.contentType().startsWith("text/javascript"), js.contentType());
        assertTrue(js.body().contains("var PresenceClient = (() => {"), "an IIFE that defines window.PresenceClient");
        assertTrue(js.body().startsWith("// @presence-hub/client "), "the build of clients/js");
      });
      // The WebJar path the library loads sockjs-client from must exist (it names the version).
      Matcher m = Pattern.compile("SOCKJS_PATH = \"([^\"]+)\"").matcher(js.body());
      ctx.verify(() -> assertTrue(m.find(), "SOCKJS_PATH not found in presence-client.js"));
      return Future.all(get(http, n.port(), "/" + m.group(1)), get(http, n.port(), "/presence-client.mjs"));
    })).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      Answer sockjs = all.resultAt(0);
      Answer mjs = all.resultAt(1);
      assertEquals(200, sockjs.status());
      assertTrue(sockjs.contentType().startsWith("text/javascript"), sockjs.contentType());
      assertTrue(sockjs.body().contains("SockJS"), "sockjs-client's dist file");
      assertEquals(200, mjs.status());
      assertTrue(mjs.contentType().startsWith("text/javascript"), "a module script needs a JavaScript MIME type: " + mjs.contentType());
      assertTrue(Pattern.compile("export \\{[^}]*\\bconnect\\b").matcher(mjs.body()).find(), "exports connect");
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("the demo portal (/, /index.html, /demo.js, /demo.css) is not served with dev tokens off (the default)")
  void demoOffWithoutDevTokens(Vertx vertx, VertxTestContext ctx) {
    HttpClientAgent http = vertx.createHttpClient();
    node(vertx, false).compose(n -> Future.all(DEMO.stream().map(uri -> get(http, n.port(), uri)).toList()))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          for (int i = 0; i < DEMO.size(); i++) {
            assertEquals(404, all.<Answer>resultAt(i).status(), DEMO.get(i));
          }
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("with dev tokens on, / is the demo page, which loads presence-client.js, demo.js and demo.css")
  void demoWithDevTokens(Vertx vertx, VertxTestContext ctx) {
    HttpClientAgent http = vertx.createHttpClient();
    node(vertx, true).compose(n -> Future.all(DEMO.stream().map(uri -> get(http, n.port(), uri)).toList()))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          for (int i = 0; i < DEMO.size(); i++) {
            assertEquals(200, all.<Answer>resultAt(i).status(), DEMO.get(i));
          }
          Answer page = all.resultAt(0);
          assertTrue(page.contentType().startsWith("text/html"), page.contentType());
          for (String asset : List.of("src=\"presence-client.js\"", "src=\"demo.js\"", "href=\"demo.css\"")) {
            assertTrue(page.body().contains(asset), "index.html refers to " + asset);
          }
          assertTrue(all.<Answer>resultAt(2).contentType().startsWith("text/javascript"));
          assertTrue(all.<Answer>resultAt(3).contentType().startsWith("text/css"));
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("nothing else of the classpath is reachable: not the demo through dot segments, not other WebJars or resources")
  void nothingElse(Vertx vertx, VertxTestContext ctx) {
    HttpClientAgent http = vertx.createHttpClient();
    List<String> uris = List.of("/webjars/sockjs-client/../../../webroot/demo.js", "/presence-client.js/../demo.js",
        "/webroot/demo.js", "/META-INF/MANIFEST.MF", "/webjars/sockjs-client/1.6.1/../../../../com/presencehub/ops/Main.class",
        "/demo.jsx", "/presence-client.json");
    node(vertx, false).compose(n -> Future.all(uris.stream().map(uri -> get(http, n.port(), uri)).toList()))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          for (int i = 0; i < uris.size(); i++) {
            assertEquals(404, all.<Answer>resultAt(i).status(), uris.get(i));
          }
          ctx.completeNow();
        })));
  }
}
