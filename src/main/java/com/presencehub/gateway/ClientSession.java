package com.presencehub.gateway;

import com.presencehub.config.GatewayOptions;
import com.presencehub.gateway.impl.ConnectionGuard;
import com.presencehub.gateway.impl.DirectWrites;
import com.presencehub.gateway.sockjs.SockJsSocket;
import com.presencehub.logging.LogLimiter;
import com.presencehub.presence.Role;
import com.presencehub.presence.UserKey;
import com.presencehub.protocol.ClientFrames;
import com.presencehub.protocol.ErrorCode;
import com.presencehub.shard.SessionLink;
import com.presencehub.shard.SessionLoop;
import com.presencehub.shard.SharedChanges;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * One SockJS connection, as the socket adapter: reads its frames (size and rate limits, then
 * {@link FrameCommands}), authenticates it ({@link Admission}), hands its requests to {@link
 * SessionRequests} and writes through its {@link SessionWriter} (back-pressure, coalesced presence).
 * Owns the session's timers (auth, token expiry) and liveness ({@link PeerWatch}: every frame, pong
 * and poll proves the peer alive, PROTOCOL.md §4). Lives on the event loop of the socket; the
 * user's state lives on the user's shard, what the session watches in its {@link Watchlist}.
 */
final class ClientSession implements SessionLink {

  private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);
  private static final LogLimiter FAILED_FRAME_LINES = new LogLimiter(5, 10_000);

  private enum Phase { AWAITING_AUTH, VERIFYING, OPEN, CLOSED }

  private final Gateway gw;
  private final GatewayOptions opts;
  private final SockJsSocket socket;
  private final ContextInternal context;
  private final Consumer<ClientSession> onGone;
  private final String id = UUID.randomUUID().toString();
  private final RateLimiter rate;
  private final FrameCommands commands;
  private final SessionWriter out;

  private Phase phase = Phase.AWAITING_AUTH;
  private Identity identity;
  private boolean counted;
  private boolean left;
  /** On the loop's own timer queue ({@link LoopTimer}); null once not needed. */
  private LoopTimer authTimer;
  private LoopTimer expiryTimer;
  private SessionRequests requests;
  private ServerWebSocket webSocket;
  private PeerWatch peer;

  ClientSession(Gateway gw, SockJsSocket socket, Consumer<ClientSession> onGone) {
    this.gw = gw;
    this.opts = gw.options();
    this.socket = socket;
    this.context = (ContextInternal) Vertx.currentContext();
    this.onGone = onGone;
    this.rate = new RateLimiter(opts.rateLimitPerSecond(), opts.rateLimitBurst(), opts.rateLimitCloseAfter(),
        System.currentTimeMillis());
    this.commands = new FrameCommands(opts.maxUsersPerSubscribe());
    this.out = new SessionWriter(socket, context, gw.metrics(), opts.writeQueueMaxChars(), opts.livenessTimeoutMs(),
        () -> {
          // The client has not read for livenessTimeoutMs: its queue cannot be allowed to stay.
          LOG.debug("session " + id + ": write queue full for " + opts.livenessTimeoutMs() + " ms, closing");
          closeWith(CloseCode.POLICY, "write queue full for " + opts.livenessTimeoutMs() + " ms");
        });
  }

  /** Runs in the socket handler, on the socket's loop. */
  void start() {
    webSocket = socket.webSocket();
    if (webSocket != null) {
      // Issue 15: its connections drop Vert.x's outbound MPSC queues (~9.6 KiB); it writes only on its loop.
      DirectWrites.apply(socket.connection());
    }
    socket.handler(this::onMessage);
    socket.closeHandler(v -> {
      phase = Phase.CLOSED;
      end(false);
    });
    authTimer = new LoopTimer(context, () -> {
      if (phase == Phase.AWAITING_AUTH || phase == Phase.VERIFYING) {
        out.error(ErrorCode.UNAUTHORIZED, "no auth frame within " + opts.authTimeoutMs() + " ms", null);
        closeWith(CloseCode.UNAUTHORIZED, "no auth in time");
      }
    });
    authTimer.arm(opts.authTimeoutMs());
  }

  // ---- SessionLink (called on the shard's thread) ---------------------------------------------

  @Override
  public UserKey user() {
    return identity == null ? null : identity.key();
  }

  /** Fixed once verified: a refreshed token must be for the same user and role. */
  @Override
  public Role role() {
    return identity == null ? null : identity.role();
  }

  @Override
  public SessionLoop loop() {
    return out.loop();
  }

  /** Changes from the shards, on this loop ({@link GatewayLoop}): {@code shared} encodes them once for its sessions. */
  void changes(SharedChanges shared) {
    if (phase == Phase.OPEN) {
      out.changes(requests.changes(shared.records()), shared);
    }
  }

  /** Writes a delivery on this session's loop; completes (on the caller's loop) with whether it was written. */
  @Override
  public Future<Boolean> offer(String frame) {
    return out.offer(frame, () -> phase == Phase.OPEN);
  }

  // ---- inbound ----------------------------------------------------------------------------------

  private void onMessage(Buffer buf) {
    if (phase == Phase.CLOSED) {
      return;
    }
    if (peer != null) {
      peer.proof();
    }
    gw.metrics().frameIn();
    if (buf.length() > opts.maxFrameBytes()) {
      out.error(ErrorCode.TOO_LARGE, "frame of " + buf.length() + " bytes exceeds the limit of " + opts.maxFrameBytes(), null);
      closeWith(CloseCode.POLICY, "frame too large");
      return;
    }
    switch (rate.onFrame(System.currentTimeMillis())) {
      case REFUSE -> {
        out.error(ErrorCode.RATE_LIMITED, "more than " + opts.rateLimitPerSecond() + " frames/s: frame dropped", null);
        return;
      }
      case CLOSE -> {
        out.error(ErrorCode.RATE_LIMITED, "sustained flood: closing", null);
        closeWith(CloseCode.POLICY, "rate limit");
        return;
      }
      default -> { }
    }
    JsonObject frame;
    try {
      frame = new JsonObject(buf);
    } catch (RuntimeException e) {
      out.error(ErrorCode.BAD_REQUEST, "malformed frame: must be one JSON object", null);
      return;
    }
    ClientCommand command = null;
    try {
      command = phase == Phase.AWAITING_AUTH ? commands.first(frame)
          : commands.decode(frame, role(), System.currentTimeMillis());
      dispatch(command);
    } catch (RuntimeException e) {
      // A bug, but any client can repeat it: a short, rate-limited line, trace at debug, no Java text in the reply.
      String suffix = FAILED_FRAME_LINES.admit(System.currentTimeMillis());
      if (suffix != null) {
        LOG.warn("session " + id + ": a frame failed: " + e.getClass().getSimpleName() + suffix);
      }
      LOG.debug("session " + id + ": frame failed", e);
      out.error(ErrorCode.BAD_REQUEST, "frame could not be processed", command == null ? null : command.requestId());
    }
  }

  private void dispatch(ClientCommand c) {
    Object requestId = c.requestId();
    boolean unread = c instanceof ClientCommand.Refused r && r.type() == null;
    if (phase != Phase.AWAITING_AUTH && !unread && out.full() && !SessionWriter.servedWhenFull(c.type(), requestId)) {
      out.refuseFull(c.type(), requestId);
    } else if (c instanceof ClientCommand.Refused r) {
      out.error(r.code(), r.message(), requestId);
      if (r.endsSession()) {
        closeWith(CloseCode.UNAUTHORIZED, "unauthorized");
      }
    } else if (c instanceof ClientCommand.Auth a) {
      if (phase == Phase.AWAITING_AUTH) {
        authenticate(a);
      } else {
        refresh(a);
      }
    } else if (c instanceof ClientCommand.Ping) {
      out.write(ClientFrames.pong(requestId));
    } else if (c instanceof ClientCommand.Bye) {
      bye();
    } else {
      requests.run(c, identity);
    }
  }

  // ---- auth -------------------------------------------------------------------------------------

  private void authenticate(ClientCommand.Auth a) {
    phase = Phase.VERIFYING;
    // Frames sent right behind auth wait until the session is open, in order.
    socket.pause();
    gw.admission().admit(a.token(), this, id, a.requestId(), this::verified).onComplete(ar -> {
      Admission.Outcome o = ar.result();
      if (phase != Phase.VERIFYING || o == null) {
        return;
      }
      if (!o.admitted()) {
        refuse(o, a.requestId());
        return;
      }
      phase = Phase.OPEN;
      counted = true;
      gw.metrics().sessionOpened(socket.transport());
      armExpiry();
      out.write(o.reply());
      if (socket.connection() != null) {
        // No longer an unauthenticated WebSocket of its address (maxPendingConnectionsPerAddress).
        ConnectionGuard.authenticated(socket.connection());
      }
      watchPeer();
      socket.resume();
    });
  }

  /** The token is verified: the session is this user's from now on (the shard asks who it is). */
  private boolean verified(Identity who) {
    if (phase != Phase.VERIFYING) {
      return false;
    }
    identity = who;
    authTimer = LoopTimer.cancel(authTimer);
    requests = new SessionRequests(gw, this, id, out, () -> phase == Phase.OPEN);
    return true;
  }

  private void refresh(ClientCommand.Auth a) {
    gw.admission().refresh(a.token(), () -> identity, a.requestId()).onComplete(ar -> {
      Admission.Outcome o = ar.result();
      if (phase != Phase.OPEN) {
        return;
      } else if (!o.admitted()) {
        refuse(o, a.requestId());
        return;
      }
      identity = o.identity();
      armExpiry();
      out.write(o.reply());
    });
  }

  private void refuse(Admission.Outcome o, Object requestId) {
    out.error(o.error(), o.message(), requestId);
    if (o.closeCode() != 0) {
      closeWith(o.closeCode(), o.closeReason());
    }
  }

  private void armExpiry() {
    if (expiryTimer == null) {
      expiryTimer = new LoopTimer(context, () -> {
        out.error(ErrorCode.UNAUTHORIZED, "token expired", null);
        closeWith(CloseCode.UNAUTHORIZED, "token expired");
      });
    }
    expiryTimer.arm(identity.expiresAtMs() - System.currentTimeMillis());
  }

  /** From now on the peer must prove itself (PROTOCOL.md §4 Liveness). */
  private void watchPeer() {
    peer = PeerWatch.start(context, opts.livenessTimeoutMs(), webSocket, gw.sessions(),
        socket.sessionId(), () -> {
          LOG.debug("session " + id + ": no sign of life for " + opts.livenessTimeoutMs() + " ms, closing");
          closeWith(CloseCode.POLICY, "no sign of life for " + opts.livenessTimeoutMs() + " ms");
        });
  }

  // ---- ending -----------------------------------------------------------------------------------

  private void bye() {
    phase = Phase.CLOSED;
    end(true);
    socket.close();
  }

  /**
   * The hub ends the session with a close code (4401, 4408, 4503); presence gets the grace. Completes
   * once the close frame is written (a polling client may first have to come back for it).
   */
  Future<Void> closeWith(int code, String reason) {
    if (phase == Phase.CLOSED) {
      return Future.succeededFuture();
    }
    phase = Phase.CLOSED;
    end(false);
    // A peer that does not read gets its close frame once it reads again; a node stop waits less for it.
    long drainWaitMs = code == CloseCode.SHUTTING_DOWN
        ? Math.min(opts.livenessTimeoutMs(), opts.sockjsSessionTimeoutMs()) : opts.livenessTimeoutMs();
    return socket.close(code, reason, drainWaitMs);
  }

  /** Closes with 4503 for a node stop; callable from any thread. */
  Future<Void> shutDown() {
    PromiseInternal<Void> done = context.promise();
    context.runOnContext(v -> closeWith(CloseCode.SHUTTING_DOWN, "node shutting down").onComplete(done));
    return done.future();
  }

  /** Tells the shards, once, that this session is gone, and forgets everything it held. */
  private void end(boolean bye) {
    if (left) {
      return;
    }
    left = true;
    authTimer = LoopTimer.cancel(authTimer);
    expiryTimer = LoopTimer.cancel(expiryTimer);
    out.stop();
    if (peer != null) {
      peer.stop();
    }
    if (requests != null) {
      requests.end(bye);
    }
    if (counted) {
      gw.metrics().sessionClosed(socket.transport());
    }
    onGone.accept(this);
  }
}
