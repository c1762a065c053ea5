package com.presencehub.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Canary for the Vert.x client bug the HTTP tests work around (vert.x#6038, fixed in 5.0.11):
 * {@code HttpClientResponse.body()} asked for after the connection's loop has processed the end of
 * the response never completes, with neither a body nor an error. A test that sends from the test
 * thread meets it now and then: each request gets a new context, possibly on another loop than the
 * pooled connection's, and its {@code resp.body()} runs late (see {@code OpsEndpointsTest#get}).
 * When this test fails, the Vert.x in use has the fix, and the single-context workaround may go.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Vert.x 5.0.10 client: body() asked for after the response ended never completes (vert.x#6038)")
class ClientBodyRaceTest {

  @Test
  void bodyAskedAfterTheEndNeverCompletes(Vertx vertx) throws Exception {
    HttpServer server = vertx.createHttpServer()
        .requestHandler(req -> req.response().setStatusCode(400).end("{\"error\":\"bad_request\"}"))
        .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    HttpClientAgent http = vertx.createHttpClient();
    // The head is in; the rest of this small response is processed before the timer fires.
    Future<Buffer> body = http.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/")
        .compose(req -> req.send())
        .compose(resp -> {
          assertEquals(400, resp.statusCode());
          return vertx.timer(100).compose(v -> resp.body());
        });
    // Only the absence of the body is asserted: load can delay it, never make it appear.
    vertx.timer(1_000).await(10, TimeUnit.SECONDS);
    assertFalse(body.isComplete(), "body() completed after the end: Vert.x has the #6038 fix, see the class comment");
    http.close().await(10, TimeUnit.SECONDS);
    server.close().await(10, TimeUnit.SECONDS);
  }
}
