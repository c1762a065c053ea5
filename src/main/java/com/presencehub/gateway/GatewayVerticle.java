package com.presencehub.gateway;

import com.presencehub.config.GatewayOptions;
import com.presencehub.config.OriginPolicy;
import com.presencehub.gateway.impl.ConnectionGuard;
import com.presencehub.gateway.sockjs.SockJsOptions;
import com.presencehub.gateway.sockjs.SockJsServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;
import com.presencehub.logging.LogLimiter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

/**
 * The HTTP face of a node: the SockJS endpoint {@code /presence} plus whatever routes the node
 * mounts beside it (health, metrics). Deployed once per event loop that serves sockets; all
 * instances share the port.
 */
public final class GatewayVerticle extends VerticleBase {

  /** The SockJS endpoint (PROTOCOL.md §4). */
  static final String PREFIX = "/presence";

  private final Gateway gateway;
  private final MountedRoutes routes;
  private final ConnectionGuard.Counts pendingConnections;
  private HttpServer server;

  public GatewayVerticle(Gateway gateway, MountedRoutes routes) {
    this(gateway, routes, new ConnectionGuard.Counts());
  }

  /** @param pendingConnections shared by every gateway instance of the node (the per-address cap) */
  public GatewayVerticle(Gateway gateway, MountedRoutes routes, ConnectionGuard.Counts pendingConnections) {
    this.gateway = gateway;
    this.routes = routes;
    this.pendingConnections = pendingConnections;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    SockJsServer sockJs = sockJsServer();
    OriginPolicy origins = new OriginPolicy(gateway.options().allowedOrigins());
    routes.mount().accept(router);
    // Last resort for a handler that fails (vertx-web would log a stack trace per request): the
    // status it asked for, or 500, with a short body; one rate-limited line, the trace at debug.
    router.route().failureHandler(rc -> onRouteFailure(rc, rc.statusCode()));
    // What no route handles (no match, bad path encoding) reaches these; without one for its
    // status vertx-web logs "Unhandled exception in router" at ERROR, per request.
    for (int status : new int[] {400, 403, 404, 405, 406, 413, 414, 415, 431, 500, 501, 503}) {
      router.errorHandler(status, rc -> onRouteFailure(rc, status));
    }
    HttpServerOptions options = serverOptions();
    GatewayOptions cfg = gateway.options();
    ConnectionGuard guard = new ConnectionGuard(vertx, options, pendingConnections, cfg.httpHeaderTimeoutMs(),
        cfg.httpIdleTimeoutMs(), cfg.maxPendingConnectionsPerAddress());
    server = vertx.createHttpServer(options);
    return server
        .connectionHandler(guard::onConnection)
        .invalidRequestHandler(ConnectionGuard::onInvalidRequest)
        .requestHandler(req -> {
          if (!guard.onRequest(req)) {
            return;
          }
          if (!sockJs.serves(req)) {
            router.handle(req);
          } else if (!originRefused(origins, req)) {
            sockJs.handle(req);
          }
        })
        .listen();
  }

  /**
   * Closes every session of the node with 4503 so clients reconnect elsewhere at once, then the
   * server, once the close frames are out: closing connections first would cut them (a polling
   * client between two polls is waited for, at most the SockJS session timeout). The wait is
   * bounded whatever a session does: a stop that hangs on one peer would keep the node from leaving
   * the cluster.
   */
  @Override
  public Future<?> stop() {
    long boundMs = gateway.options().sockjsSessionTimeoutMs() + STOP_MARGIN_MS;
    return gateway.sessions().closeAll().timeout(boundMs, TimeUnit.MILLISECONDS)
        .transform(done -> server == null ? Future.succeededFuture() : server.close());
  }

  /** Beyond the SockJS session timeout, how long a stop waits for close frames to be written. */
  private static final long STOP_MARGIN_MS = 2_000;

  /**
   * The SockJS endpoint on the hub's own session layer ({@link SockJsServer}): a request of a
   * polling session is handed to the event loop that owns the session, so any number of gateway
   * instances serve one session safely (issue 15).
   */
  private SockJsServer sockJsServer() {
    GatewayOptions cfg = gateway.options();
    // The send bodies' limit leaves room for SockJS's JSON escaping so that an oversized frame
    // still reaches the session and gets a too_large error.
    SockJsOptions options = new SockJsOptions(PREFIX, heartbeatIntervalMs(cfg), cfg.sockjsSessionTimeoutMs(), true, false,
        transportLimit(), SockJsOptions.DEFAULT_RESPONSE_LIMIT, SockJsOptions.DEFAULT_CLIENT_URL);
    SessionRegistry sessions = gateway.sessions();
    return new SockJsServer(vertx, options, sessions.sockJs(), socket -> {
      ClientSession session = new ClientSession(gateway, socket, sessions::remove);
      boolean accepted = sessions.add(session);
      session.start();
      if (!accepted) {
        session.closeWith(CloseCode.SHUTTING_DOWN, "node shutting down");
      }
    // Every request of a SockJS session (a poll above all) proves its peer alive (§4 Liveness).
    }, id -> sessions.proveAlive(id, System.currentTimeMillis()));
  }

  /**
   * Before SockJS: with {@code allowedOrigins} set, an unlisted page gets 403 and no CORS headers
   * (SockJS would echo its origin with credentials allowed), and no WebSocket.
   */
  private static boolean originRefused(OriginPolicy origins, HttpServerRequest req) {
    if (origins.anyOrigin() || origins.allows(req.getHeader(HttpHeaders.ORIGIN), req.getHeader(HttpHeaders.HOST))) {
      return false;
    }
    req.response().setStatusCode(403).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
        .putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE).end("origin not allowed: see allowedOrigins\n");
    return true;
  }

  private static final LogLimiter FAILURE_LINES = new LogLimiter(5, 10_000);
  private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);

  private void onRouteFailure(RoutingContext rc, int statusCode) {
    int status = statusCode >= 400 ? statusCode : 500;
    if (status >= 500) {
      String suffix = FAILURE_LINES.admit(System.currentTimeMillis());
      if (suffix != null) {
        LOG.warn(rc.request().method() + " " + rc.normalizedPath() + " failed: "
            + (rc.failure() == null ? "status " + status : rc.failure().getClass().getSimpleName()) + suffix);
      }
    }
    LOG.debug("request failed", rc.failure());
    if (routes.owns(rc.request().path())) {
      routes.failures().accept(rc, status);
      return;
    }
    if (!rc.response().ended() && !rc.response().headWritten()) {
      rc.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
          .end(io.netty.handler.codec.http.HttpResponseStatus.valueOf(status).reasonPhrase() + "\n");
    } else if (!rc.response().ended()) {
      rc.response().reset();
    }
  }

  private HttpServerOptions serverOptions() {
    int limit = transportLimit();
    return new HttpServerOptions()
        .setHost(gateway.options().httpHost())
        .setPort(gateway.options().httpPort())
        .setMaxWebSocketFrameSize(limit)
        .setMaxWebSocketMessageSize(limit)
        // The HTTP API's GET …/presence carries its users in the request line (414 beyond).
        .setMaxInitialLineLength(routes.maxRequestLine())
        .setTcpNoDelay(true)
        // No WebSocket compression (issue 15, memory per session): browsers offer permessage-deflate,
        // and each session that accepted it would keep a zlib window and state (~100-300 KiB) for
        // frames of a few hundred bytes.
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false)
        // A peer that stops acknowledging (cable, sleep) with data in flight: the kernel drops the
        // connection after this long instead of retransmitting for ~15 min (native epoll only;
        // ignored by the NIO transport). PROTOCOL.md §4 Liveness.
        .setTcpUserTimeout((int) Math.min(Integer.MAX_VALUE, gateway.options().livenessTimeoutMs()))
        // HTTP/1.1 only: SockJS clients never use HTTP/2, and h2c upgrades would bypass the
        // connection guard's framing checks.
        .setHttp2ClearTextEnabled(false);
  }

  /**
   * The SockJS heartbeat answers a held poll: at most the liveness ping interval, so that a polling
   * client polls again before its liveness deadline (PROTOCOL.md §4 Liveness).
   */
  static long heartbeatIntervalMs(GatewayOptions cfg) {
    return Math.min(cfg.heartbeatIntervalMs(), LivenessTracker.pingInterval(cfg.livenessTimeoutMs()));
  }

  /** The largest frame a transport accepts before refusing it outright. */
  private int transportLimit() {
    return gateway.options().maxFrameBytes() * 6 + 1024;
  }
}
