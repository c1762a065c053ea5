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
        assertTrue(js.body().contains("root.PresenceClient = api"), "defines window.PresenceClient");
      });
      // The WebJar path the library loads sockjs-client from must exist (it names the version).
      Matcher m = Pattern.compile("SOCKJS_PATH = '([^']+)'").matcher(js.body());
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
      assertTrue(mjs.body().contains("export const { connect"), mjs.body());
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
