package com.presencehub.gateway.sockjs;

import com.presencehub.testing.TestPorts;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.List;

/**
 * The four services sockjs-protocol's test suite expects ({@code /echo}, {@code /close}, {@code
 * /disabled_websocket_echo}, {@code /cookie_needed_echo}) on the hub's SockJS layer, served by
 * {@code loops} event loops that share one session table per service, so that the requests of a
 * session hop between loops as they do in the hub. Test-only.
 */
final class SockJsEchoServer {

  /** The suite's server settings (sockjs-node's test server): 4 KiB streaming responses. */
  static final int RESPONSE_LIMIT = 4096;

  private final int port;
  private final List<SockJsSessionTable> tables = List.of(new SockJsSessionTable(), new SockJsSessionTable(),
      new SockJsSessionTable(), new SockJsSessionTable());

  private SockJsEchoServer(int port) {
    this.port = port;
  }

  static SockJsEchoServer start(Vertx vertx, int loops) throws Exception {
    SockJsEchoServer s = new SockJsEchoServer(TestPorts.next());
    vertx.deployVerticle(() -> s.new Loop(), new DeploymentOptions().setInstances(loops)).await();
    return s;
  }

  int port() {
    return port;
  }

  /** Requests handed to another loop's session, over every service. */
  long hops() {
    return tables.stream().mapToLong(SockJsSessionTable::hops).sum();
  }

  private final class Loop extends VerticleBase {
    @Override
    public Future<?> start() {
      List<SockJsServer> servers = List.of(
          new SockJsServer(vertx, options("/echo", true, false), tables.get(0), SockJsEchoServer::echo, id -> { }),
          new SockJsServer(vertx, options("/close", true, false), tables.get(1), SockJsSocket::close, id -> { }),
          new SockJsServer(vertx, options("/disabled_websocket_echo", false, false), tables.get(2),
              SockJsEchoServer::echo, id -> { }),
          new SockJsServer(vertx, options("/cookie_needed_echo", true, true), tables.get(3), SockJsEchoServer::echo,
              id -> { }));
      HttpServer server = vertx.createHttpServer();
      return server.requestHandler(req -> {
        for (SockJsServer s : servers) {
          if (s.serves(req)) {
            s.handle(req);
            return;
          }
        }
        req.response().setStatusCode(404).end();
      }).listen(port, "127.0.0.1");
    }
  }

  private static SockJsOptions options(String prefix, boolean webSocket, boolean cookie) {
    return new SockJsOptions(prefix, 25_000, 5_000, webSocket, cookie, 1 << 20, RESPONSE_LIMIT, "/sockjs.min.js");
  }

  private static void echo(SockJsSocket socket) {
    socket.handler(buf -> socket.write(buf.toString()));
  }

}
