package com.presencehub.gateway;

import com.presencehub.gateway.impl.ConnectionGuard;
import com.presencehub.gateway.impl.SockJsBodies;
import com.presencehub.gateway.impl.SockJsSessionGate;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
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

  /** Shared by every instance: the requests of one polling session may reach any of them. */
  private static final SockJsSessionGate SESSION_GATE = new SockJsSessionGate("/presence");

  private final Gateway gateway;
  private final Consumer<Router> extraRoutes;
  private final ConnectionGuard.Counts pendingConnections;
  private HttpServer server;

  public GatewayVerticle(Gateway gateway, Consumer<Router> extraRoutes) {
    this(gateway, extraRoutes, new ConnectionGuard.Counts());
  }

  /** @param pendingConnections shared by every gateway instance of the node (the per-address cap) */
  public GatewayVerticle(Gateway gateway, Consumer<Router> extraRoutes, ConnectionGuard.Counts pendingConnections) {
    this.gateway = gateway;
    this.extraRoutes = extraRoutes;
    this.pendingConnections = pendingConnections;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    mountSockJs(router);
    extraRoutes.accept(router);
    HttpServerOptions options = serverOptions();
    var cfg = gateway.config();
    ConnectionGuard guard = new ConnectionGuard(vertx, options, pendingConnections, cfg.httpHeaderTimeoutMs(),
        cfg.httpIdleTimeoutMs(), cfg.maxPendingConnectionsPerAddress());
    server = vertx.createHttpServer(options);
    return server
        .connectionHandler(guard::onConnection)
        .invalidRequestHandler(ConnectionGuard::onInvalidRequest)
        .requestHandler(req -> {
          if (guard.onRequest(req)) {
            router.handle(req);
          }
        })
        .listen();
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
        .setHeartbeatInterval(cfg.heartbeatIntervalMs())
        .setSessionTimeout(cfg.sockjsSessionTimeoutMs())
        .setRegisterWriteHandler(false);
    // The POST transports (xhr_send) need a body; its limit leaves room for SockJS's JSON
    // escaping so that an oversized frame still reaches us and gets a too_large error.
    OriginPolicy origins = new OriginPolicy(cfg.allowedOrigins());
    if (!origins.anyOrigin()) {
      // Before SockJS: an unlisted page gets 403 and no CORS headers (SockJS would echo its origin
      // with credentials allowed), and no WebSocket.
      router.route("/presence/*").handler(rc -> {
        String origin = rc.request().getHeader(HttpHeaders.ORIGIN);
        if (origins.allows(origin, rc.request().getHeader(HttpHeaders.HOST))) {
          rc.next();
          return;
        }
        rc.response().setStatusCode(403).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
            .putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE).end("origin not allowed: see allowedOrigins\n");
      });
    }
    router.post("/presence/*").handler(BodyHandler.create(false).setBodyLimit(transportLimit()));
    router.post("/presence/:server/:session/xhr_send").handler(GatewayVerticle::checkSendBody);
    router.post("/presence/:server/:session/jsonp_send").handler(GatewayVerticle::checkSendBody);
    // vertx-web closes the connection after every xhr-polling response (vert-x3/vertx-web#2862)
    // without saying so; saying it keeps keep-alive clients and proxies off a dying connection.
    router.post("/presence/:server/:session/xhr").handler(rc -> {
      rc.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
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

  /** A send body whose elements are not all strings: 400 naming the element, instead of a SockJS failure. */
  private static void checkSendBody(RoutingContext rc) {
    String body = rc.body().asString();
    String ct = rc.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (body != null && ct != null && ct.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
      List<String> d = new QueryStringDecoder(body, false).parameters().get("d");
      body = d == null || d.isEmpty() ? null : d.get(0);
    }
    String problem = body == null ? null : SockJsBodies.problem(body);
    if (problem == null) {
      rc.next();
      return;
    }
    rc.response().setStatusCode(400).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8").end(problem + "\n");
  }

  private HttpServerOptions serverOptions() {
    int limit = transportLimit();
    return new HttpServerOptions()
        .setHost(gateway.config().httpHost())
        .setPort(gateway.config().httpPort())
        .setMaxWebSocketFrameSize(limit)
        .setMaxWebSocketMessageSize(limit)
        .setTcpNoDelay(true)
        // HTTP/1.1 only: SockJS clients never use HTTP/2, and h2c upgrades would bypass the
        // connection guard's framing checks.
        .setHttp2ClearTextEnabled(false);
  }

  /** The largest frame a transport accepts before refusing it outright. */
  private int transportLimit() {
    return gateway.config().maxFrameBytes() * 6 + 1024;
  }
}
