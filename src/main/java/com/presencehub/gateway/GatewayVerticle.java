package com.presencehub.gateway;

import com.presencehub.gateway.impl.SockJsSessionGate;
import com.presencehub.gateway.impl.SockJsTransports;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import java.util.function.Consumer;

/**
 * The HTTP face of a node: the SockJS endpoint {@code /presence} plus whatever routes the node
 * mounts beside it (health, metrics). Deployed once per event loop that serves sockets; all
 * instances share the port.
 */
public final class GatewayVerticle extends VerticleBase {

  /** The SockJS endpoint (PROTOCOL.md §4). */
  static final String PREFIX = "/presence";

  /** Shared by every instance: the requests of one polling session may reach any of them. */
  private static final SockJsSessionGate SESSION_GATE = new SockJsSessionGate(PREFIX);

  private final Gateway gateway;
  private final Consumer<Router> extraRoutes;
  private HttpServer server;

  public GatewayVerticle(Gateway gateway, Consumer<Router> extraRoutes) {
    this.gateway = gateway;
    this.extraRoutes = extraRoutes;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    mountSockJs(router);
    extraRoutes.accept(router);
    server = vertx.createHttpServer(serverOptions());
    return server.requestHandler(router).listen();
  }

  /**
   * Closes every session of the node with 4503 so clients reconnect elsewhere at once, then the
   * server, once the close frames are out: closing connections first would cut them (a polling
   * client between two polls is waited for, at most the SockJS session timeout).
   */
  @Override
  public Future<?> stop() {
    return gateway.sessions().closeAll().transform(done -> server == null ? Future.succeededFuture() : server.close());
  }

  private void mountSockJs(Router router) {
    var cfg = gateway.config();
    SockJSHandlerOptions options = new SockJSHandlerOptions()
        .setHeartbeatInterval(heartbeatIntervalMs(cfg))
        .setSessionTimeout(cfg.sockjsSessionTimeoutMs())
        .setRegisterWriteHandler(false);
    // The POST transports (xhr_send) need a body; its limit leaves room for SockJS's JSON
    // escaping so that an oversized frame still reaches us and gets a too_large error.
    router.post("/presence/*").handler(BodyHandler.create(false).setBodyLimit(transportLimit()));
    // vertx-web closes the connection after every xhr-polling response (vert-x3/vertx-web#2862)
    // without saying so; saying it keeps keep-alive clients and proxies off a dying connection.
    router.post("/presence/:server/:session/xhr").handler(rc -> {
      rc.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
      rc.next();
    });
    // Every request of a SockJS session (a poll above all) proves its peer alive (§4 Liveness).
    router.route("/presence/*").handler(rc -> {
      SockJsTransports.Path path = SockJsTransports.parse(PREFIX, rc.normalizedPath());
      if (path != null && path.sessionId() != null) {
        gateway.sessions().proveAlive(path.sessionId(), System.currentTimeMillis());
      }
      rc.next();
    });
    router.route("/presence/*").handler(SESSION_GATE);
    router.route("/presence/*").subRouter(SockJSHandler.create(vertx, options).socketHandler(socket -> {
      SessionRegistry sessions = gateway.sessions();
      ClientSession session = new ClientSession(gateway, socket, sessions::remove);
      boolean accepted = sessions.add(session);
      session.start();
      if (!accepted) {
        session.closeWith(CloseCode.SHUTTING_DOWN, "node shutting down");
      }
    }));
  }

  private HttpServerOptions serverOptions() {
    int limit = transportLimit();
    return new HttpServerOptions()
        .setHost(gateway.config().httpHost())
        .setPort(gateway.config().httpPort())
        .setMaxWebSocketFrameSize(limit)
        .setMaxWebSocketMessageSize(limit)
        .setTcpNoDelay(true)
        // A peer that stops acknowledging (cable, sleep) with data in flight: the kernel drops the
        // connection after this long instead of retransmitting for ~15 min (native epoll only;
        // ignored by the NIO transport). PROTOCOL.md §4 Liveness.
        .setTcpUserTimeout((int) Math.min(Integer.MAX_VALUE, gateway.config().livenessTimeoutMs()));
  }

  /**
   * The SockJS heartbeat answers a held poll: at most the liveness ping interval, so that a polling
   * client polls again before its liveness deadline (PROTOCOL.md §4 Liveness).
   */
  static long heartbeatIntervalMs(com.presencehub.ops.HubConfig cfg) {
    return Math.min(cfg.heartbeatIntervalMs(), LivenessTracker.pingInterval(cfg.livenessTimeoutMs()));
  }

  /** The largest frame a transport accepts before refusing it outright. */
  private int transportLimit() {
    return gateway.config().maxFrameBytes() * 6 + 1024;
  }
}
