package com.presencehub.deploy;

import com.presencehub.testing.SameLoop;
import io.vertx.core.Context;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.api.client.PresenceBus;
import com.presencehub.testing.FrameMatch;
import com.presencehub.testing.SockJsTestClient;
import com.presencehub.testing.SockJsTestClient.Closed;
import com.presencehub.testing.SockJsTestClient.Transport;
import com.presencehub.testing.TestNode;
import com.presencehub.testing.TestTokens;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Cells (docs/cells.md): two 1-node cells, cell-a serving acme and cell-b serving globex (each its
 * own Vert.x, standalone), behind ONE Debian nginx running the repository's {@code
 * deploy/nginx-cells.conf}. A client of a tenant reaches its cell through {@code /t/<tenant>/presence},
 * a service through {@code /api/v1/tenants/<tenant>/…}; a session, an HTTP request or an event-bus
 * request that lands on the other cell is refused, naming the tenant and the cell.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
@DisplayName("Cells: two clusters with their own tenants behind one nginx (deploy/nginx-cells.conf)")
class CellsNginxTest {

  static final Path CONFIG = Path.of("deploy", "nginx-cells.conf");
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  private final List<Vertx> vertxes = new ArrayList<>();
  private TestNode cellA;
  private TestNode cellB;
  private NginxStickyTest.Nginx nginx;
  private Vertx client;
  private TestTokens tokens;
  private HttpClientAgent http;
  /** The one context the HTTP client is used from (SameLoop). */
  private Context loop;

  @BeforeAll
  void start() throws Exception {
    cellA = startCell("cell-a", "acme,initech");
    cellB = startCell("cell-b", "globex,umbrella");
    nginx = NginxStickyTest.Nginx.start(configForTest());
    client = Vertx.vertx();
    tokens = new TestTokens(client);
    http = client.createHttpClient();
    loop = client.getOrCreateContext();
  }

  private TestNode startCell(String name, String tenants) throws Exception {
    Vertx vertx = Vertx.vertx();
    vertxes.add(vertx);
    // Behind nginx every connection is nginx's: the per-address bound raised as docker-compose.yml does.
    return TestNode.start(vertx, new JsonObject().put("clusterName", name).put("tenants", tenants)
        .put("idleTimeoutMs", 600_000).put("authTimeoutMs", 20_000).put("maxPendingConnectionsPerAddress", 4096))
        .await(60, TimeUnit.SECONDS);
  }

  @AfterAll
  void stop() throws Exception {
    if (nginx != null) {
      nginx.stop();
    }
    if (client != null) {
      client.close().await(30, TimeUnit.SECONDS);
    }
    for (Vertx v : vertxes) {
      v.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("A client of tenant A reaches cell A, one of tenant B reaches cell B (WebSocket and xhr-polling), and each cell's HTTP API answers its own tenant")
  void eachTenantReachesItsCell() throws Exception {
    long aBefore = cellA.node().metrics().sessions();
    long bBefore = cellB.node().metrics().sessions();
    SockJsTestClient acme = open("/t/acme", Transport.SOCKJS_WEBSOCKET);
    JsonObject welcomeA = acme.auth(tokens.token("acme", "a-tech", "tech"));
    assertEquals("acme", welcomeA.getJsonObject("user").getString("tenant"));
    SockJsTestClient globex = open("/t/globex", Transport.XHR_POLLING);
    globex.auth(tokens.token("globex", "g-tech", "tech"));
    SockJsTestClient raw = open("/t/umbrella", Transport.RAW_WEBSOCKET);
    raw.auth(tokens.token("umbrella", "u-tech", "tech"));

    await("cell-a holds the acme session, cell-b the globex and umbrella ones").atMost(PATIENCE).untilAsserted(() -> {
      assertEquals(aBefore + 1, cellA.node().metrics().sessions(), "sessions on cell-a");
      assertEquals(bBefore + 2, cellB.node().metrics().sessions(), "sessions on cell-b");
    });
    // nginx's own account: every /t/acme request went to cell-a's node, every /t/globex one to cell-b's.
    await("nginx's access log").atMost(PATIENCE).untilAsserted(() -> {
      List<NginxStickyTest.Hit> hits = nginx.hits();
      assertTrue(hits.stream().anyMatch(h -> h.uri().startsWith("/t/globex/")), "no /t/globex request logged: " + hits);
      for (NginxStickyTest.Hit h : hits) {
        if (h.uri().startsWith("/t/acme/")) {
          assertEquals(upstream(cellA), h.upstream(), h.toString());
        } else if (h.uri().startsWith("/t/globex/")) {
          assertEquals(upstream(cellB), h.upstream(), h.toString());
        }
      }
    });

    // The HTTP API through the same nginx: acme's user is online on cell A's view, globex's on B's.
    JsonObject a = getJson("/api/v1/tenants/acme/presence?user=a-tech", "acme", 200);
    assertEquals("online", a.getJsonObject("users").getJsonObject("a-tech").getString("status"), a.encode());
    JsonObject g = getJson("/api/v1/tenants/globex/presence?user=g-tech", "globex", 200);
    assertEquals("online", g.getJsonObject("users").getJsonObject("g-tech").getString("status"), g.encode());

    for (SockJsTestClient c : List.of(acme, globex, raw)) {
      c.send(new JsonObject().put("type", "bye"));
      c.awaitClose(PATIENCE);
    }
  }

  @Test
  @DisplayName("A session routed to the wrong cell is refused at auth: unauthorized naming the tenant and the cell, then 4401")
  void sessionOnTheWrongCellIsRefused() throws Exception {
    // acme's token through globex's URL: nginx sends it to cell-b, which does not serve acme.
    SockJsTestClient wrong = open("/t/globex", Transport.SOCKJS_WEBSOCKET);
    wrong.send(new JsonObject().put("type", "auth").put("token", tokens.token("acme", "lost", "tech")));
    JsonObject error = wrong.await(FrameMatch.type("error").or(FrameMatch.type("welcome")), PATIENCE);
    assertEquals("error", error.getString("type"), error.encode());
    assertEquals("unauthorized", error.getString("code"), error.encode());
    String message = error.getString("message");
    assertTrue(message.contains("'acme'") && message.contains("'cell-b'"), message);
    Closed closed = wrong.awaitClose(PATIENCE);
    assertEquals(4401, closed.code(), closed.toString());
  }

  @Test
  @DisplayName("The HTTP API of the wrong cell answers 403 naming the tenant; nginx answers 404 for a tenant no cell serves")
  void httpOnTheWrongCellIsRefused() throws Exception {
    // Straight to cell-b's node, as a wrong nginx map would send it.
    Buffer body = request(cellB.port(), "/api/v1/tenants/acme/presence?user=x", "acme", 403);
    JsonObject refusal = body.toJsonObject();
    assertEquals("forbidden", refusal.getString("code"), refusal.encode());
    assertTrue(refusal.getString("message").contains("'acme'") && refusal.getString("message").contains("'cell-b'"),
        refusal.encode());
    // Its own tenant is served there.
    request(cellB.port(), "/api/v1/tenants/globex/presence?user=x", "globex", 200);
    // A tenant in no cell's map stops at nginx.
    Buffer unknown = request(nginx.port(), "/api/v1/tenants/nobody/presence?user=x", "nobody", 404);
    assertTrue(unknown.toString().contains("no cell"), unknown.toString());
  }

  @Test
  @DisplayName("The event-bus API of a cell refuses another cell's tenant with failure code 403 naming it")
  void eventBusOnTheWrongCellIsRefused() throws Exception {
    Vertx busOfB = cellB.node().vertx();
    Throwable failure = busOfB.eventBus().request(PresenceBus.QUERY,
            new JsonObject().put("tenant", "acme").put("users", new JsonArray().add("x")))
        .map(m -> (Throwable) null).otherwise(e -> e).await(30, TimeUnit.SECONDS);
    ReplyException refused = assertInstanceOf(ReplyException.class, failure);
    assertEquals(PresenceBus.FORBIDDEN, refused.failureCode(), refused.getMessage());
    assertTrue(refused.getMessage().contains("'acme'") && refused.getMessage().contains("'cell-b'"), refused.getMessage());
    Object own = busOfB.eventBus().request(PresenceBus.QUERY,
        new JsonObject().put("tenant", "globex").put("users", new JsonArray().add("x"))).await(30, TimeUnit.SECONDS).body();
    assertTrue(own instanceof JsonObject o && o.containsKey("users"), String.valueOf(own));
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private SockJsTestClient open(String prefix, Transport transport) throws Exception {
    return SockJsTestClient.connect(client, nginx.port(), transport, prefix).await(30, TimeUnit.SECONDS);
  }

  private JsonObject getJson(String path, String tenant, int status) throws Exception {
    return request(nginx.port(), path, tenant, status).toJsonObject();
  }

  private Buffer request(int port, String path, String tenant, int status) throws Exception {
    String token = tokens.token(tenant, "svc", "service");
    HttpClientResponse[] resp = new HttpClientResponse[1];
    Buffer body = SameLoop.call(loop, () -> http.request(new RequestOptions().setMethod(HttpMethod.GET)
            .setHost("127.0.0.1").setPort(port).setURI(path).putHeader("Authorization", "Bearer " + token))
        .compose(req -> req.send())
        .compose(r -> {
          resp[0] = r;
          return r.body();
        }))
        .await(30, TimeUnit.SECONDS);
    assertEquals(status, resp[0].statusCode(), path + " via port " + port + ": " + body);
    return body;
  }

  private static String upstream(TestNode node) {
    return "127.0.0.1:" + node.port();
  }

  /** The repository's file with its node lines and its listen line replaced, as its header says. */
  private String configForTest() throws Exception {
    String config = Files.readString(Path.of("").toAbsolutePath().resolve(CONFIG));
    for (String cell : List.of("a", "b")) {
      TestNode node = cell.equals("a") ? cellA : cellB;
      Matcher servers = Pattern.compile("(?m)^([ \\t]*)server[ \\t]+cell-" + cell + "-node[0-9]+:8080;[ \\t]*\\R")
          .matcher(config);
      StringBuilder out = new StringBuilder();
      int found = 0;
      while (servers.find()) {
        String replacement = found++ > 0 ? "" : servers.group(1) + "server " + upstream(node) + ";\n";
        servers.appendReplacement(out, Matcher.quoteReplacement(replacement));
      }
      servers.appendTail(out);
      assertTrue(found >= 1, CONFIG + " lists no 'server cell-" + cell + "-nodeN:8080;' line, which this test replaces");
      config = out.toString();
    }
    return config;
  }
}
