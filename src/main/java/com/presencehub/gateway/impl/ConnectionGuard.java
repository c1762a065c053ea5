package com.presencehub.gateway.impl;

import com.presencehub.logging.LogLimiter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.util.AttributeKey;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Guards one HTTP server's connections before they carry a request (PROTOCOL.md §4 limits; issue 11
 * §4): a connection that is <em>pending</em> — open, but not serving a request, a stream or a
 * WebSocket — is closed when no whole request header arrives within {@code headerTimeoutMs} of its
 * opening, or {@code idleTimeoutMs} after its previous response (keep-alive); and one source
 * address holds at most {@code maxPendingPerAddress} pending connections (more are closed on
 * accept). A connection serving a request (a poll, a stream, an {@code xhr_send}) or upgraded to a
 * WebSocket is a session's, and its liveness is the session's business; only its request body must
 * have arrived within {@code headerTimeoutMs}.
 *
 * <p>Request framing is strict (RFC 9112 §6.1, §6.3): {@code Content-Length} together with {@code
 * Transfer-Encoding}, or any {@code Transfer-Encoding} other than one {@code chunked}, is answered
 * 400 and the connection closed. Netty's decoder, which Vert.x builds, silently drops such a
 * Content-Length and has no option to refuse it instead, so each connection gets a decoder that
 * refuses (replaced at accept, before a byte is read; the server has h2c off, whose upgrade
 * handler would otherwise hold on to the original decoder).
 *
 * <p>One instance per HTTP server, used on that server's event loop only; the per-address counts
 * ({@link Counts}) are shared by the node's servers.
 */
public final class ConnectionGuard {

  private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);
  private static final LogLimiter LINES = new LogLimiter(5, 10_000);
  private static final String FRAMING_CONFLICT = "Content-Length together with Transfer-Encoding";

  /** Pending connections per source address, for every server of a node. */
  public static final class Counts {
    private final ConcurrentHashMap<String, AtomicInteger> byAddress = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();

    /** Connections the node's guards track now (every open one; a leak shows here). */
    public int open() {
      return open.get();
    }

    boolean tryAcquire(String address, int max) {
      AtomicInteger n = byAddress.computeIfAbsent(address, a -> new AtomicInteger());
      if (n.incrementAndGet() > max) {
        release(address);
        return false;
      }
      return true;
    }

    void release(String address) {
      byAddress.computeIfPresent(address, (a, n) -> n.decrementAndGet() <= 0 ? null : n);
    }

    /** Pending connections from {@code address} now. */
    public int pending(String address) {
      AtomicInteger n = byAddress.get(address);
      return n == null ? 0 : n.get();
    }
  }

  private final Vertx vertx;
  private final HttpServerOptions options;
  private final Counts counts;
  private final long headerTimeoutMs;
  private final long idleTimeoutMs;
  private final int maxPendingPerAddress;
  private final Map<HttpConnection, Tracked> tracked = new HashMap<>();

  public ConnectionGuard(Vertx vertx, HttpServerOptions options, Counts counts, long headerTimeoutMs, long idleTimeoutMs,
      int maxPendingPerAddress) {
    this.vertx = vertx;
    this.options = options;
    this.counts = counts;
    this.headerTimeoutMs = headerTimeoutMs;
    this.idleTimeoutMs = idleTimeoutMs;
    this.maxPendingPerAddress = maxPendingPerAddress;
  }

  private final class Tracked {
    final HttpConnection conn;
    final String address;
    boolean pending;
    boolean upgraded;
    /** A WebSocket whose session has not authenticated yet: it holds one of the address's places. */
    boolean unauthenticated;
    boolean closed;
    int inFlight;
    long timer = -1;

    Tracked(HttpConnection conn, String address) {
      this.conn = conn;
      this.address = address;
    }

    /** Waits for a request header; false when the address already holds its share. */
    boolean becomePending(long timeoutMs, String what) {
      if (!counts.tryAcquire(address, maxPendingPerAddress)) {
        return false;
      }
      pending = true;
      timer = vertx.setTimer(timeoutMs, t -> {
        timer = -1;
        if (pending && !closed) {
          note("closing a connection from " + address + ": " + what + " within " + timeoutMs + " ms");
          conn.close();
        }
      });
      return true;
    }

    void authenticated() {
      if (unauthenticated) {
        unauthenticated = false;
        counts.release(address);
      }
    }

    void leavePending() {
      if (pending) {
        pending = false;
        counts.release(address);
      }
      if (timer != -1) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }
  }

  private static final AttributeKey<Runnable> AUTHENTICATED = AttributeKey.valueOf("presence-hub.authenticated");

  /**
   * The session on the WebSocket of {@code conn} (the upgraded request's connection) has
   * authenticated: the connection no longer counts against its address's place limit. Call on the
   * connection's loop; nothing happens for a connection that is not a guarded WebSocket.
   */
  public static void authenticated(HttpConnection conn) {
    if (conn instanceof ConnectionBase base) {
      Runnable r = base.channel().attr(AUTHENTICATED).getAndSet(null);
      if (r != null) {
        r.run();
      }
    }
  }

  /** True when the connection closes after this exchange (RFC 9112 §9.3: {@code Connection: close} either way, or HTTP/1.0 without keep-alive). */
  private static boolean lastExchange(HttpServerRequest req) {
    String asked = req.getHeader(HttpHeaders.CONNECTION);
    String answered = req.response().headers().get(HttpHeaders.CONNECTION);
    if ("close".equalsIgnoreCase(asked) || "close".equalsIgnoreCase(answered)) {
      return true;
    }
    return req.version() == io.vertx.core.http.HttpVersion.HTTP_1_0 && !"keep-alive".equalsIgnoreCase(asked);
  }

  /** For {@link io.vertx.core.http.HttpServer#connectionHandler}: called at accept, on the connection's loop. */
  public void onConnection(HttpConnection conn) {
    strictDecoder(conn);
    String address = conn.remoteAddress() == null ? "unknown" : conn.remoteAddress().hostAddress();
    Tracked t = new Tracked(conn, address);
    if (!t.becomePending(headerTimeoutMs, "no request header")) {
      note("refusing a connection from " + address + ": it already holds " + maxPendingPerAddress
          + " connections without a request (maxPendingConnectionsPerAddress)");
      conn.close();
      return;
    }
    tracked.put(conn, t);
    counts.open.incrementAndGet();
    // Forgotten when the socket closes, whatever serves it by then. Not conn.closeHandler: a
    // WebSocket upgrade swaps the connection's Netty handler for the WebSocket's
    // (ServerWebSocketHandshaker, vert.x 5.0.10), after which the HTTP connection never hears of
    // the close, and this map kept every upgraded connection, its WebSocket and its session on
    // the heap. The channel's close future always completes, on this connection's event loop.
    Runnable forget = () -> {
      t.closed = true;
      t.leavePending();
      t.authenticated();
      if (tracked.remove(conn) != null) {
        counts.open.decrementAndGet();
      }
    };
    if (conn instanceof ConnectionBase base) {
      base.channel().closeFuture().addListener(f -> forget.run());
    } else {
      conn.closeHandler(v -> forget.run());
    }
  }

  /**
   * For the server's request handler, before routing.
   *
   * @return false when the request was refused (answered 400, connection closing)
   */
  public boolean onRequest(HttpServerRequest req) {
    Tracked t = tracked.get(req.connection());
    if (t != null) {
      t.leavePending();
      t.inFlight++;
      if (req.headers().contains(HttpHeaders.UPGRADE)) {
        // A WebSocket from here on (or a refused upgrade, which closes): never pending again. Until
        // its session authenticates it still holds one of the address's places: a WebSocket that
        // sends nothing costs a session for authTimeoutMs, as a silent connection costs a socket.
        t.upgraded = true;
        if (!counts.tryAcquire(t.address, maxPendingPerAddress)) {
          note("refusing a WebSocket from " + t.address + ": it already holds " + maxPendingPerAddress
              + " connections without a request or an authenticated session (maxPendingConnectionsPerAddress)");
          req.response().setStatusCode(429).putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE)
              .putHeader(HttpHeaders.RETRY_AFTER, "1")
              .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
              .end("too many unauthenticated connections from this address (maxPendingConnectionsPerAddress)\n");
          req.connection().close();
          return false;
        }
        t.unauthenticated = true;
        if (t.conn instanceof ConnectionBase base) {
          base.channel().attr(AUTHENTICATED).set(t::authenticated);
        }
      }
      // A body trickled as slowly as a header is the same attack: the whole request within the
      // header timeout too (upgrades and streams have read theirs long before; an upgrade arms no
      // timer at all, issue 15: one less timer per WebSocket set-up).
      if (!t.upgraded) {
        vertx.setTimer(headerTimeoutMs, id -> {
          if (!t.closed && !t.upgraded && !req.isEnded()) {
            note("closing a connection from " + t.address + ": request body not received within " + headerTimeoutMs + " ms");
            t.conn.close();
          }
        });
      }
      req.response().endHandler(v -> {
        t.inFlight--;
        // A connection whose last response this was is closing: it does not hold a pending place
        // meanwhile (its close reaches the count later, on its own loop, after another loop may
        // already have refused a new connection from the same address for it).
        if (t.inFlight == 0 && !t.upgraded && !t.closed && !lastExchange(req)
            && !t.becomePending(idleTimeoutMs, "no new request")) {
          t.conn.close();
        }
      });
    }
    var te = req.headers().getAll(HttpHeaders.TRANSFER_ENCODING);
    if (!te.isEmpty() && (te.size() > 1 || !te.get(0).trim().equalsIgnoreCase("chunked"))) {
      refuse(req, "Transfer-Encoding: only chunked is accepted");
      return false;
    }
    return true;
  }

  /** For {@link io.vertx.core.http.HttpServer#invalidRequestHandler}: what Netty could not decode. */
  public static void onInvalidRequest(HttpServerRequest req) {
    Throwable cause = req.decoderResult().cause();
    LOG.debug("invalid request", cause);
    String problem = cause != null && FRAMING_CONFLICT.equals(cause.getMessage()) ? FRAMING_CONFLICT
        : "malformed HTTP request";
    int status = 400;
    if (cause instanceof io.netty.handler.codec.http.TooLongHttpLineException) {
      status = 414;
      problem = "request line too long";
    } else if (cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException) {
      status = 431;
      problem = "request header too large";
    }
    req.response().setStatusCode(status).putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8").end(problem + "\n");
    req.connection().close();
  }

  private static void refuse(HttpServerRequest req, String problem) {
    req.response().setStatusCode(400).putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8").end(problem + "\n");
    req.connection().close();
  }

  /**
   * Swaps Vert.x's request decoder for one that refuses Content-Length with Transfer-Encoding.
   * Internal API (the connection's Netty channel): should it move, the framing test fails.
   */
  private void strictDecoder(HttpConnection conn) {
    if (!(conn instanceof ConnectionBase base)) {
      return;
    }
    ChannelPipeline pipeline = base.channel().pipeline();
    if (pipeline.get("httpDecoder") instanceof VertxHttpRequestDecoder && !(pipeline.get("httpDecoder") instanceof StrictDecoder)) {
      pipeline.replace("httpDecoder", "httpDecoder", new StrictDecoder(options));
    }
  }

  private static final class StrictDecoder extends VertxHttpRequestDecoder {
    StrictDecoder(HttpServerOptions options) {
      super(options);
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
      // Netty turns this into an invalid request, which the invalid-request handler answers 400.
      throw new IllegalArgumentException(FRAMING_CONFLICT);
    }
  }

  private static void note(String line) {
    String suffix = LINES.admit(System.currentTimeMillis());
    if (suffix != null) {
      LOG.info(line + suffix);
    } else {
      LOG.debug(line);
    }
  }
}
