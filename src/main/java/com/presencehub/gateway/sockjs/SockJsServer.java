package com.presencehub.gateway.sockjs;

import com.presencehub.gateway.sockjs.SockJsFrames.Format;
import com.presencehub.gateway.sockjs.SockJsPaths.Route;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.ContextInternal;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Serves one SockJS prefix on vertx-core's HTTP server (sockjs-protocol 0.3.3; PROTOCOL.md §4):
 * greeting, {@code /info}, the iframe page, CORS preflights, the raw and framed WebSocket, and the
 * HTTP transports xhr, xhr_send, xhr_streaming, eventsource, htmlfile, jsonp, jsonp_send. One
 * instance per event loop; the instances of a node share one {@link SockJsSessionTable}, and a
 * request of an HTTP session is handed to the context that owns the session (that session's state
 * is never touched from another thread). Bodies are read on the request's own loop first.
 */
public final class SockJsServer implements Handler<HttpServerRequest> {

  private static final String NO_CACHE = "no-store, no-cache, no-transform, must-revalidate, max-age=0";
  private static final String ONE_YEAR = "31536000";
  private static final String PLAIN = "text/plain; charset=UTF-8";

  private final Vertx vertx;
  private final SockJsOptions options;
  private final SockJsSessionTable table;
  private final Handler<SockJsSocket> socketHandler;
  private final Consumer<String> onSessionRequest;
  private final String iframe;
  private final String iframeEtag;

  /**
   * @param socketHandler gets each new session, on the session's context
   * @param onSessionRequest told the session id of every request of a session, on the request's loop
   */
  public SockJsServer(Vertx vertx, SockJsOptions options, SockJsSessionTable table, Handler<SockJsSocket> socketHandler,
      Consumer<String> onSessionRequest) {
    this.vertx = vertx;
    this.options = options;
    this.table = table;
    this.socketHandler = socketHandler;
    this.onSessionRequest = onSessionRequest;
    this.iframe = SockJsFrames.iframe(options.clientUrl());
    this.iframeEtag = "\"" + Integer.toHexString(iframe.hashCode()) + "\"";
  }

  /** True when the request is for this prefix. */
  public boolean serves(HttpServerRequest req) {
    return SockJsPaths.under(options.prefix(), req.path());
  }

  @Override
  public void handle(HttpServerRequest req) {
    Route route = SockJsPaths.parse(options.prefix(), req.path());
    switch (route.kind()) {
      case GREETING -> simple(req, "Welcome to SockJS!\n");
      case INFO -> info(req);
      case IFRAME -> iframe(req);
      case RAW_WEBSOCKET -> webSocket(req, null);
      case SESSION -> session(req, route);
      default -> status(req, 404, "Not found\n");
    }
  }

  private void session(HttpServerRequest req, Route route) {
    onSessionRequest.accept(route.session());
    String t = route.transport();
    if (t.equals("websocket")) {
      webSocket(req, route.session());
      return;
    }
    boolean get = t.equals("eventsource") || t.equals("htmlfile") || t.equals("jsonp");
    HttpMethod expected = get ? HttpMethod.GET : HttpMethod.POST;
    if (req.method() == HttpMethod.OPTIONS && !get) {
      preflight(req, "OPTIONS, POST");
    } else if (req.method() != expected) {
      req.response().setStatusCode(405).putHeader(HttpHeaders.ALLOW, expected.name()).end();
    } else if (t.equals("xhr_send") || t.equals("jsonp_send")) {
      send(req, route.session(), t.equals("jsonp_send"));
    } else {
      receive(req, route.session(), Format.of(t));
    }
  }

  // ---- receiving requests -----------------------------------------------------------------------

  private void receive(HttpServerRequest req, String id, Format format) {
    String callback = null;
    if (format == Format.JSONP || format == Format.HTMLFILE) {
      callback = req.getParam("c");
      String problem = SockJsFrames.callbackProblem(callback);
      if (problem != null) {
        status(req, 500, problem);
        return;
      }
    }
    HttpServerResponse resp = req.response();
    resp.putHeader(HttpHeaders.CONTENT_TYPE, SockJsFrames.contentType(format));
    resp.putHeader(HttpHeaders.CACHE_CONTROL, NO_CACHE);
    cors(req);
    cookie(req);
    if (format.streaming()) {
      if (req.version() == io.vertx.core.http.HttpVersion.HTTP_1_0) {
        // No chunked encoding in HTTP/1.0: the end of the stream is the end of the connection.
        resp.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
        resp.bodyEndHandler(v -> req.connection().close());
      }
      resp.setChunked(true);
      resp.write(SockJsFrames.prelude(format, callback));
    }
    HttpReceiver receiver = new HttpReceiver(resp, format, callback, options.responseLimitBytes());
    attach(req, id, format, receiver, 0);
  }

  private void attach(HttpServerRequest req, String id, Format format, HttpReceiver receiver, int attempt) {
    HttpSession s = table.get(id);
    if (s == null) {
      ContextInternal here = (ContextInternal) vertx.getOrCreateContext();
      HttpSession created = new HttpSession(table, id, format.transport(), here, options);
      s = table.putIfAbsent(id, created);
      if (s == null) {
        s = created;
        socketHandler.handle(created);
      }
    }
    HttpSession session = s;
    req.response().closeHandler(v -> session.owner().runOnContext(x -> session.connectionClosed(receiver)));
    Runnable run = () -> {
      if (!session.attach(receiver)) {
        if (attempt < 3) {
          attach(req, id, format, receiver, attempt + 1);
        } else {
          receiver.end();
        }
      }
    };
    if (session.owner() == ContextInternal.current()) {
      run.run();
    } else {
      table.hopped();
      session.owner().runOnContext(v -> run.run());
    }
  }

  // ---- sending requests -------------------------------------------------------------------------

  private void send(HttpServerRequest req, String id, boolean jsonp) {
    Buffer body = Buffer.buffer();
    boolean[] refused = {false};
    req.handler(chunk -> {
      if (refused[0]) {
        return;
      }
      if (body.length() + chunk.length() > options.maxBodyBytes()) {
        refused[0] = true;
        req.response().setStatusCode(413).putHeader(HttpHeaders.CONTENT_TYPE, PLAIN)
            .putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE).end("Payload too large.\n");
        req.connection().close();
        return;
      }
      body.appendBuffer(chunk);
    });
    req.endHandler(v -> {
      if (!refused[0]) {
        sendBody(req, id, jsonp, body.toString());
      }
    });
  }

  private void sendBody(HttpServerRequest req, String id, boolean jsonp, String body) {
    HttpSession s = table.get(id);
    if (s == null) {
      status(req, 404, "Not found\n");
      return;
    }
    String ct = req.getHeader(HttpHeaders.CONTENT_TYPE);
    if (jsonp && ct != null && ct.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
      List<String> d = new QueryStringDecoder(body, false).parameters().get("d");
      body = d == null || d.isEmpty() ? "" : d.get(0);
    }
    if (body.isEmpty()) {
      status(req, 500, "Payload expected.");
      return;
    }
    List<String> messages;
    try {
      messages = SockJsBodies.parse(body);
    } catch (IllegalArgumentException e) {
      String problem = SockJsBodies.problem(body);
      if (problem != null) {
        status(req, 400, problem + "\n");
      } else {
        status(req, 500, "Broken JSON encoding.");
      }
      return;
    }
    HttpServerResponse resp = req.response();
    resp.putHeader(HttpHeaders.CACHE_CONTROL, NO_CACHE);
    cors(req);
    cookie(req);
    if (!messages.isEmpty()) {
      if (s.owner() == ContextInternal.current()) {
        s.deliver(messages);
      } else {
        table.hopped();
        s.owner().runOnContext(v -> s.deliver(messages));
      }
    }
    if (jsonp) {
      resp.putHeader(HttpHeaders.CONTENT_TYPE, PLAIN).end("ok");
    } else {
      resp.setStatusCode(204).putHeader(HttpHeaders.CONTENT_TYPE, PLAIN).end();
    }
  }

  // ---- WebSocket --------------------------------------------------------------------------------

  private void webSocket(HttpServerRequest req, String id) {
    if (!options.webSocket()) {
      status(req, 404, "Not found\n");
      return;
    }
    if (req.method() != HttpMethod.GET) {
      req.response().setStatusCode(405).putHeader(HttpHeaders.ALLOW, "GET").end();
      return;
    }
    String upgrade = req.getHeader(HttpHeaders.UPGRADE);
    if (upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
      status(req, 400, "Can \"Upgrade\" only to \"WebSocket\".");
      return;
    }
    String conn = req.getHeader(HttpHeaders.CONNECTION);
    if (conn == null || !conn.toLowerCase(Locale.ROOT).contains("upgrade")) {
      status(req, 400, "\"Connection\" must be \"Upgrade\".");
      return;
    }
    ContextInternal here = ContextInternal.current();
    var connection = req.connection();
    req.toWebSocket().onSuccess(ws -> {
      WebSocketSocket socket = new WebSocketSocket(ws, id, here, options.heartbeatMs(), connection);
      // The open frame first: the application may write or close at once.
      socket.start();
      socketHandler.handle(socket);
    });
  }

  // ---- static answers ---------------------------------------------------------------------------

  private void info(HttpServerRequest req) {
    if (req.method() == HttpMethod.OPTIONS) {
      preflight(req, "OPTIONS, GET");
      return;
    }
    if (req.method() != HttpMethod.GET) {
      req.response().setStatusCode(405).putHeader(HttpHeaders.ALLOW, "GET, OPTIONS").end();
      return;
    }
    cors(req);
    long entropy = java.util.concurrent.ThreadLocalRandom.current().nextLong(1L << 32);
    req.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=UTF-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, NO_CACHE)
        .end("{\"websocket\":" + options.webSocket() + ",\"origins\":[\"*:*\"],\"cookie_needed\":"
            + options.cookieNeeded() + ",\"entropy\":" + entropy + "}");
  }

  private void iframe(HttpServerRequest req) {
    HttpServerResponse resp = req.response();
    if (iframeEtag.equals(req.getHeader(HttpHeaders.IF_NONE_MATCH))) {
      resp.setStatusCode(304).end();
      return;
    }
    cacheForAYear(resp);
    resp.putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=UTF-8").putHeader(HttpHeaders.ETAG, iframeEtag)
        .end(iframe);
  }

  private void preflight(HttpServerRequest req, String methods) {
    HttpServerResponse resp = req.response().setStatusCode(204);
    cacheForAYear(resp);
    cors(req);
    resp.putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_METHODS, methods)
        .putHeader(HttpHeaders.ACCESS_CONTROL_MAX_AGE, ONE_YEAR).end();
  }

  private static void cacheForAYear(HttpServerResponse resp) {
    resp.putHeader(HttpHeaders.CACHE_CONTROL, "public, max-age=" + ONE_YEAR)
        .putHeader(HttpHeaders.EXPIRES, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
            java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusYears(1)));
  }

  /** The page's origin with credentials, or {@code *} without (sockjs-node's CORS). */
  private static void cors(HttpServerRequest req) {
    HttpServerResponse resp = req.response();
    String origin = req.getHeader(HttpHeaders.ORIGIN);
    if (origin == null || origin.isEmpty()) {
      resp.putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    } else {
      resp.putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, origin)
          .putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
    }
    String asked = req.getHeader(HttpHeaders.ACCESS_CONTROL_REQUEST_HEADERS);
    if (asked != null && !asked.isEmpty()) {
      resp.putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_HEADERS, asked);
    }
  }

  /** JSESSIONID for sticky load balancers, when configured: the client's own, or {@code dummy}. */
  private void cookie(HttpServerRequest req) {
    if (!options.cookieNeeded()) {
      return;
    }
    var c = req.getCookie("JSESSIONID");
    req.response().putHeader(HttpHeaders.SET_COOKIE, "JSESSIONID=" + (c == null ? "dummy" : c.getValue()) + "; path=/");
  }

  private static void simple(HttpServerRequest req, String body) {
    if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
      req.response().setStatusCode(405).putHeader(HttpHeaders.ALLOW, "GET").end();
      return;
    }
    req.response().putHeader(HttpHeaders.CONTENT_TYPE, PLAIN).end(body);
  }

  private static void status(HttpServerRequest req, int status, String body) {
    req.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, PLAIN).end(body);
  }
}
