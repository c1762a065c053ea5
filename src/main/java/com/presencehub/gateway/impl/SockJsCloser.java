package com.presencehub.gateway.impl;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 * once; the gateway's integration tests ({@code AuthenticationTest}, {@code FrameLimitsTest},
 * {@code ShutdownTest}) pin the close codes on every transport.
 */
public final class SockJsCloser {

  private static final Logger LOG = LoggerFactory.getLogger(SockJsCloser.class);
  private static final long POLL_MS = 20;

  private static final Field LISTENER;
  private static final Field TRANSPORT_CONTEXT;
  private static final Method SEND_FRAME;

  static {
    Field listener = null;
    Field transportContext = null;
    Method sendFrame = null;
    try {
      Class<?> session = Class.forName("io.vertx.ext.web.handler.sockjs.impl.SockJSSession");
      listener = session.getDeclaredField("listener");
      listener.setAccessible(true);
      transportContext = session.getDeclaredField("transportCtx");
      transportContext.setAccessible(true);
      Class<?> transportListener = Class.forName("io.vertx.ext.web.handler.sockjs.impl.TransportListener");
      sendFrame = transportListener.getDeclaredMethod("sendFrame", String.class);
      sendFrame.setAccessible(true);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("SockJS close codes fall back to 3000 on framed transports: " + e);
      listener = null;
      transportContext = null;
      sendFrame = null;
    }
    LISTENER = listener;
    TRANSPORT_CONTEXT = transportContext;
    SEND_FRAME = sendFrame;
  }

  private SockJsCloser() {
  }

  /**
   * Must be called on the socket's context. The future completes once the close frame has been
   * written (or given up on), so that a stopping server can wait for it before closing connections.
   */
  public static Future<Void> close(Vertx vertx, SockJSSocket socket, int code, String reason, long waitForPollMs) {
    if (LISTENER == null || !LISTENER.getDeclaringClass().isInstance(socket)) {
      // Raw WebSocket transport (or unknown internals): the socket's own close does it.
      socket.close(code, reason);
      return Future.succeededFuture();
    }
    String frame = "c[" + code + "," + io.vertx.core.json.Json.encode(reason) + "]";
    Attempt attempt = new Attempt(vertx.getOrCreateContext(), socket, frame, System.currentTimeMillis() + waitForPollMs);
    attempt.run();
    return attempt.written.future();
  }

  /**
   * Closes a session's socket with a close code: at once ({@link #close(Vertx, SockJSSocket, int,
   * String, long)}), or, for a WebSocket ({@code webSocket} non-null) whose peer is not reading,
   * once it drains, waiting at most {@code drainWaitMs} ({@link #closeOnceDrained}). Must be called
   * on the socket's context; {@code session} names it in the debug line.
   */
  public static Future<Void> close(ContextInternal context, SockJSSocket socket, ServerWebSocket webSocket, int code,
      String reason, long drainWaitMs, long waitForPollMs, String session) {
    if (webSocket != null && webSocket.writeQueueFull()) {
      return closeOnceDrained(context, socket, webSocket, code, reason, System.currentTimeMillis() + drainWaitMs,
          waitForPollMs, session);
    }
    return close(context.owner(), socket, code, reason, waitForPollMs);
  }

  /** How often a close waiting for a peer that does not read checks the socket again, ms. */
  private static final long DRAIN_POLL_MS = 100;

  /**
   * Closes a WebSocket whose peer is not reading: its close frame is written only once the socket
   * takes writes again, and if it does not by {@code giveUpAt} (epoch ms), the TCP connection is
   * dropped (SockJsTransports.abort). Why: a close frame left in Vert.x's outbound queue when the
   * connection ends (the peer leaves, or is dropped) makes Vert.x 5.0.10 complete the close twice
   * once its closing timeout fires (VertxConnection.writeClose on a done CloseChannelPromise), and
   * Netty logs a 30-line WARNING per connection. A peer that reads again in time gets everything,
   * the close frame last. Polls every {@value #DRAIN_POLL_MS} ms: bounded, and no handler of the
   * socket's to take over. Must be called on the socket's context; {@code session} names it in the
   * debug line.
   */
  public static Future<Void> closeOnceDrained(ContextInternal context, SockJSSocket socket, ServerWebSocket webSocket,
      int code, String reason, long giveUpAt, long waitForPollMs, String session) {
    PromiseInternal<Void> done = context.promise();
    context.setTimer(DRAIN_POLL_MS, t -> {
      if (!webSocket.writeQueueFull()) {
        close(context.owner(), socket, code, reason, waitForPollMs).onComplete(done);
      } else if (System.currentTimeMillis() >= giveUpAt) {
        LOG.debug("session " + session + ": " + code + " " + reason + ", peer not reading: connection dropped");
        SockJsTransports.abort(socket);
        done.tryComplete();
      } else {
        closeOnceDrained(context, socket, webSocket, code, reason, giveUpAt, waitForPollMs, session).onComplete(done);
      }
    });
    return done.future();
  }

  /** Tries to write the close frame until a transport listener is there to take it. */
  private static final class Attempt {
    /**
     * The session's own context: retries are timed from it, because a timer set on another
     * verticle's context is cancelled when that verticle is undeployed (during a node stop).
     */
    private final Context home;
    private final SockJSSocket socket;
    private final String frame;
    private final long giveUpAt;
    private final Promise<Void> written = Promise.promise();

    Attempt(Context home, SockJSSocket socket, String frame, long giveUpAt) {
      this.home = home;
      this.socket = socket;
      this.frame = frame;
      this.giveUpAt = giveUpAt;
    }

    /**
     * Runs on the session's current transport context (a polling client's requests may each land
     * on a different event loop): the session flushes queued writes there, so hopping there first
     * puts the close frame behind an error frame written just before it, and reads the listener on
     * the thread that sets it.
     */
    void run() {
      Context transport = transportContext(socket);
      if (transport != null && transport != Vertx.currentContext()) {
        transport.runOnContext(v -> runHere());
      } else {
        runHere();
      }
    }

    private void runHere() {
      Object listener;
      try {
        listener = LISTENER.get(socket);
        if (listener != null) {
          Object write = SEND_FRAME.invoke(listener, frame);
          if (write instanceof Future<?> f) {
            f.onComplete(ar -> written.tryComplete());
          } else {
            written.tryComplete();
          }
        }
      } catch (ReflectiveOperationException e) {
        LOG.warn("could not write a SockJS close frame: " + e);
        listener = "failed";
      }
      if (listener == null && System.currentTimeMillis() < giveUpAt) {
        home.runOnContext(v -> home.owner().setTimer(POLL_MS, id -> run()));
        return;
      }
      socket.close();
      written.tryComplete();
    }
  }

  private static Context transportContext(SockJSSocket socket) {
    try {
      return (Context) TRANSPORT_CONTEXT.get(socket);
    } catch (ReflectiveOperationException e) {
      return null;
    }
  }
}
