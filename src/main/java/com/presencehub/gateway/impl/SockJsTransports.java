package com.presencehub.gateway.impl;

import io.vertx.core.http.ServerWebSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import java.lang.reflect.Field;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the gateway needs to know about the transport behind a {@link SockJSSocket} for liveness
 * (PROTOCOL.md §4): its name, its SockJS session id, and, on the two WebSocket transports, the
 * {@link ServerWebSocket} itself, so that the hub can ping the peer and hear its pongs.
 *
 * <p>Why reflection: vertx-web 5.0 (checked against 5.0.10 and 5.0.12) gives no access to the
 * WebSocket behind a SockJS socket, and it sends no WebSocket pings of its own. The raw transport's
 * socket and the framed session's WebSocket listener each hold it in a field named {@code ws}.
 * If the internals ever change shape, {@link #webSocket} answers null, the hub says so once in a
 * WARN line, and WebSocket peers must then prove themselves with frames ({@code ping}) as on the
 * streaming transports; {@code LivenessTest} pins the WebSocket case on both transports.
 */
public final class SockJsTransports {

  private static final Logger LOG = LoggerFactory.getLogger(SockJsTransports.class);
  private static final Pattern SESSION_PATH = Pattern.compile("/[^/.]+/([^/.]+)/([^/]+)$");

  private static final Field SESSION_LISTENER = field("io.vertx.ext.web.handler.sockjs.impl.SockJSSession", "listener");
  private static final Field LISTENER_WS =
      field("io.vertx.ext.web.handler.sockjs.impl.WebSocketTransport$WebSocketListener", "ws");
  private static final Field RAW_WS =
      field("io.vertx.ext.web.handler.sockjs.impl.RawWebSocketTransport$RawWSSockJSSocket", "ws");
  private static volatile boolean warned;

  private SockJsTransports() {
  }

  /** A transport and SockJS session as a request path names them; {@code sessionId} is null on the raw WebSocket. */
  public record Path(String transport, String sessionId) {
    public boolean webSocket() {
      return "websocket".equals(transport);
    }
  }

  /**
   * Reads a SockJS request path such as {@code /presence/123/abc/xhr_streaming} or
   * {@code /presence/websocket}.
   *
   * @param prefix the endpoint, such as {@code /presence}
   * @return the transport and session, or null when the path is not a session's request
   */
  public static Path parse(String prefix, String path) {
    if (path == null || !path.startsWith(prefix)) {
      return null;
    }
    String rest = path.substring(prefix.length());
    if (rest.equals("/websocket")) {
      return new Path("websocket", null);
    }
    Matcher m = SESSION_PATH.matcher(rest);
    if (!m.matches()) {
      return null;
    }
    return new Path(m.group(2), m.group(1));
  }

  /**
   * The transport's name in metrics ({@code GatewayMetrics.TRANSPORTS}): the path's own name, or
   * {@code raw_websocket} for the raw endpoint, {@code unknown} without a path.
   */
  public static String metricName(Path p) {
    if (p == null) {
      return "unknown";
    }
    return p.webSocket() && p.sessionId() == null ? "raw_websocket" : p.transport();
  }

  /** The transport of a socket, read from the request that opened it. */
  public static Path pathOf(String prefix, SockJSSocket socket) {
    return socket.routingContext() == null ? null : parse(prefix, socket.routingContext().normalizedPath());
  }

  /**
   * The WebSocket behind a socket of the raw or the SockJS WebSocket transport; null on the other
   * transports, or when vertx-web's internals are not as expected. Call it on the socket's context
   * from its socket handler (the framed session has its listener by then).
   */
  public static ServerWebSocket webSocket(SockJSSocket socket) {
    try {
      if (RAW_WS != null && RAW_WS.getDeclaringClass().isInstance(socket)) {
        return (ServerWebSocket) RAW_WS.get(socket);
      }
      if (SESSION_LISTENER != null && LISTENER_WS != null && SESSION_LISTENER.getDeclaringClass().isInstance(socket)) {
        Object listener = SESSION_LISTENER.get(socket);
        if (LISTENER_WS.getDeclaringClass().isInstance(listener)) {
          return (ServerWebSocket) LISTENER_WS.get(listener);
        }
        return null;
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      warnOnce("could not reach the WebSocket behind a SockJS socket: " + e);
      return null;
    }
    warnOnce("the WebSocket behind SockJS sockets is out of reach (" + socket.getClass().getName() + ")");
    return null;
  }

  /**
   * Drops the TCP connection under a WebSocket socket at once, without a close handshake, when it
   * is still open; false when the socket is not on a WebSocket (or its connection is out of reach).
   * Closing from the head of the pipeline skips Vert.x's close handshake (nothing more is queued
   * behind unread data); the connection's close handlers still run. Internal API (the Netty channel
   * of the upgraded request's connection); {@code StuckClientCloseTest} pins it. Call on the
   * socket's loop.
   */
  public static boolean abort(SockJSSocket socket) {
    try {
      if (socket.routingContext() != null
          && socket.routingContext().request().connection() instanceof io.vertx.core.net.impl.ConnectionBase base) {
        if (!base.channel().isActive()) {
          return true;
        }
        io.netty.channel.ChannelHandlerContext first = base.channel().pipeline().firstContext();
        if (first != null) {
          first.close();
        } else {
          base.channel().close();
        }
        return true;
      }
    } catch (RuntimeException e) {
      LOG.debug("could not abort a WebSocket: " + e);
    }
    return false;
  }

  /** True when the hub can reach the WebSocket of both WebSocket transports. */
  public static boolean webSocketsReachable() {
    return SESSION_LISTENER != null && LISTENER_WS != null && RAW_WS != null;
  }

  private static Field field(String className, String name) {
    try {
      Field f = Class.forName(className).getDeclaredField(name);
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      warnOnce("vertx-web internals changed (" + className + "." + name + ": " + e + ")");
      return null;
    }
  }

  private static void warnOnce(String why) {
    if (!warned) {
      warned = true;
      LOG.warn(why + "; WebSocket peers are not pinged by the hub and must send ping frames to stay open"
          + " (PROTOCOL.md §4 Liveness)");
    }
  }
}
