package com.presencehub.gateway.impl;

import io.vertx.core.Vertx;
import io.vertx.core.internal.logging.Logger;
import io.vertx.core.internal.logging.LoggerFactory;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * Closes a SockJS session with a close code on every transport.
 *
 * <p>Why this exists: SockJS carries {@code c[code,"reason"]} on every transport and sockjs-client
 * reports it as the close event's code, but vertx-web 5.0 honours {@link SockJSSocket#close(int,
 * String)} only on the raw-WebSocket transport; its framed session always writes {@code
 * c[3000,"Go away!"]} (a deliberate upstream choice, vert-x3/vertx-web#809). The contract needs
 * 4401/4408/4503 on all transports, so for the framed session this writes the close frame itself
 * through the session's current transport listener, then closes normally (a client stops reading
 * at the first close frame, so the 3000 frame that follows is never seen). When no listener is
 * attached (a polling client between two polls) it waits for the next poll, at most the SockJS
 * session timeout. If the internals ever change shape, it falls back to a plain close and says so
 * once; {@code SockJsCloseCodeTest} pins the behaviour on every transport.
 */
public final class SockJsCloser {

  private static final Logger LOG = LoggerFactory.getLogger(SockJsCloser.class);
  private static final long POLL_MS = 20;

  private static final Field LISTENER;
  private static final Method SEND_FRAME;

  static {
    Field listener = null;
    Method sendFrame = null;
    try {
      Class<?> session = Class.forName("io.vertx.ext.web.handler.sockjs.impl.SockJSSession");
      listener = session.getDeclaredField("listener");
      listener.setAccessible(true);
      Class<?> transportListener = Class.forName("io.vertx.ext.web.handler.sockjs.impl.TransportListener");
      sendFrame = transportListener.getDeclaredMethod("sendFrame", String.class);
      sendFrame.setAccessible(true);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("SockJS close codes fall back to 3000 on framed transports: " + e);
      listener = null;
      sendFrame = null;
    }
    LISTENER = listener;
    SEND_FRAME = sendFrame;
  }

  private SockJsCloser() {
  }

  /** Must be called on the socket's context. */
  public static void close(Vertx vertx, SockJSSocket socket, int code, String reason, long waitForPollMs) {
    if (LISTENER == null || !LISTENER.getDeclaringClass().isInstance(socket)) {
      // Raw WebSocket transport (or unknown internals): the socket's own close does it.
      socket.close(code, reason);
      return;
    }
    String frame = "c[" + code + "," + io.vertx.core.json.Json.encode(reason) + "]";
    attempt(vertx, socket, frame, System.currentTimeMillis() + waitForPollMs);
  }

  private static void attempt(Vertx vertx, SockJSSocket socket, String frame, long giveUpAt) {
    Object listener;
    try {
      listener = LISTENER.get(socket);
      if (listener != null) {
        SEND_FRAME.invoke(listener, frame);
      }
    } catch (ReflectiveOperationException e) {
      LOG.warn("could not write a SockJS close frame: " + e);
      listener = "failed";
    }
    if (listener == null && System.currentTimeMillis() < giveUpAt) {
      vertx.setTimer(POLL_MS, id -> attempt(vertx, socket, frame, giveUpAt));
      return;
    }
    socket.close();
  }
}
