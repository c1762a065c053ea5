package com.presencehub.gateway;

import com.presencehub.gateway.impl.ConnectionGuard;
import com.presencehub.gateway.impl.SockJsCloser;
import com.presencehub.gateway.impl.SockJsTransports;
import com.presencehub.delivery.Delivery;
import com.presencehub.config.HubConfig;
import com.presencehub.logging.LogLimiter;
import com.presencehub.presence.DeliveryKind;
import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.ReachabilityPolicy;
import com.presencehub.presence.Role;
import com.presencehub.presence.UserKey;
import com.presencehub.presence.UserPresence;
import com.presencehub.presence.VisibilityPolicy;
import com.presencehub.protocol.ClientFrames;
import com.presencehub.protocol.ErrorCode;
import com.presencehub.protocol.FieldError;
import com.presencehub.protocol.FieldRules;
import com.presencehub.protocol.RecordJson;
import com.presencehub.shard.Opened;
import com.presencehub.shard.SessionLink;
import com.presencehub.shard.ShardDirectory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;
import io.vertx.core.internal.logging.Logger;
import io.vertx.core.internal.logging.LoggerFactory;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * One SockJS connection: authenticates it, turns its frames into shard operations, and writes
 * presence and deliveries back. Lives on the event loop of the socket; the user's state lives on
 * the user's shard, reached through {@link ShardDirectory}.
 *
 * <p>Subscriptions are answered with a snapshot, then changes. Changes that arrive while a
 * snapshot is still being gathered from the shards are held and written after it, so a watcher
 * never sees a change older than its snapshot.
 *
 * <p>A slow client (its write queue full, {@link SessionWriter}) gets presence coalesced: only the
 * latest record per user is kept until the socket drains, so memory stays bounded by the number of
 * users it watches ({@link WatchedUsers}, at most {@code maxWatchedUsers}); its requests are refused
 * with {@code rate_limited}, a chat delivery to it is refused and not counted as delivered, and it is
 * closed with 4408 when its queue stays full for {@code livenessTimeoutMs} (PROTOCOL.md §4 limits).
 *
 * <p>Liveness (PROTOCOL.md §4): once open, a {@link PeerWatch} closes the session when its peer has
 * not proved itself for {@code livenessTimeoutMs}; every frame proves it, so do WebSocket pongs and
 * (through {@link SessionRegistry#proveAlive}) polls.
 */
final class ClientSession implements SessionLink {

  private static final long DRAIN_POLL_MS = 100;
  private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);
  private static final LogLimiter FAILED_FRAME_LINES = new LogLimiter(5, 10_000);
  /** Large batches (a roster snapshot, an idle storm) are split so no frame grows unbounded. */
  static final int MAX_RECORDS_PER_FRAME = 256;

  private enum Phase { AWAITING_AUTH, VERIFYING, OPEN, CLOSED }

  private final Gateway gw;
  private final HubConfig cfg;
  private final SockJSSocket socket;
  private final ContextInternal context;
  private final Consumer<ClientSession> onGone;
  private final String id = UUID.randomUUID().toString();
  private final RateLimiter rate;

  private Phase phase = Phase.AWAITING_AUTH;
  private Identity identity;
  private UserKey key;
  private Role role;
  private boolean counted;
  private boolean left;
  private long authTimer = -1;
  private long expiryTimer = -1;

  private final WatchedUsers watchedUsers;
  private final EnumSet<Role> watchedRosters = EnumSet.noneOf(Role.class);
  private final Map<Role, Integer> pendingRosters = new EnumMap<>(Role.class);
  private final List<PresenceRecord> held = new ArrayList<>();
  private final LinkedHashMap<String, PresenceRecord> coalesced = new LinkedHashMap<>();
  private final SessionWriter out;
  private SockJsTransports.Path transport;
  private ServerWebSocket webSocket;
  private PeerWatch peer;

  ClientSession(Gateway gw, SockJSSocket socket, Consumer<ClientSession> onGone) {
    this.gw = gw;
    this.cfg = gw.config();
    this.socket = socket;
    this.context = (ContextInternal) Vertx.currentContext();
    this.onGone = onGone;
    this.rate = new RateLimiter(cfg.rateLimitPerSecond(), cfg.rateLimitBurst(), cfg.rateLimitCloseAfter(),
        System.currentTimeMillis());
    this.watchedUsers = new WatchedUsers(cfg.maxWatchedUsers());
    this.out = new SessionWriter(socket, context, cfg.writeQueueMaxChars(), cfg.livenessTimeoutMs(), this::onDrained,
        this::onStuck);
  }

  /** Runs in the socket handler, on the socket's loop. */
  void start() {
    transport = SockJsTransports.pathOf(GatewayVerticle.PREFIX, socket);
    if (transport != null && transport.webSocket()) {
      webSocket = SockJsTransports.webSocket(socket);
    }
    socket.handler(this::onMessage);
    // A client dropping its TCP connection is routine for a presence hub: the close handler does
    // the work, and without this handler Vert.x logs a stack trace per drop.
    socket.exceptionHandler(err -> LOG.debug("session " + id + ": " + err));
    socket.closeHandler(v -> onSocketClosed());
    authTimer = context.setTimer(cfg.authTimeoutMs(), t -> {
      authTimer = -1;
      if (phase == Phase.AWAITING_AUTH || phase == Phase.VERIFYING) {
        sendError(ErrorCode.UNAUTHORIZED, "no auth frame within " + cfg.authTimeoutMs() + " ms", null);
        closeWith(CloseCode.UNAUTHORIZED, "no auth in time");
      }
    });
  }

  // ---- SessionLink (called on the shard's thread) ---------------------------------------------

  @Override
  public UserKey user() {
    return key;
  }

  @Override
  public Role role() {
    return role;
  }

  @Override
  public void deliver(List<PresenceRecord> updates) {
    context.execute(() -> onUpdates(updates));
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
    if (buf.length() > cfg.maxFrameBytes()) {
      sendError(ErrorCode.TOO_LARGE, "frame of " + buf.length() + " bytes exceeds the limit of " + cfg.maxFrameBytes(), null);
      closeWith(CloseCode.POLICY, "frame too large");
      return;
    }
    switch (rate.onFrame(System.currentTimeMillis())) {
      case REFUSE -> {
        sendError(ErrorCode.RATE_LIMITED, "more than " + cfg.rateLimitPerSecond() + " frames/s: frame dropped", null);
        return;
      }
      case CLOSE -> {
        sendError(ErrorCode.RATE_LIMITED, "sustained flood: closing", null);
        closeWith(CloseCode.POLICY, "rate limit");
        return;
      }
      default -> { }
    }
    JsonObject frame;
    try {
      frame = new JsonObject(buf);
    } catch (RuntimeException e) {
      sendError(ErrorCode.BAD_REQUEST, "malformed frame: must be one JSON object", null);
      return;
    }
    Object requestId = null;
    try {
      requestId = FieldRules.requestId(frame);
      dispatch(FieldRules.of(frame), requestId);
    } catch (FieldError e) {
      sendError(ErrorCode.BAD_REQUEST, e.getMessage(), requestId);
    } catch (BadFrameException e) {
      sendError(e.code(), e.getMessage(), requestId);
    } catch (RuntimeException e) {
      // A bug, not the client's fault; but any client can repeat it: a short, rate-limited line, the
      // trace at debug, and no Java text in the reply.
      String suffix = FAILED_FRAME_LINES.admit(System.currentTimeMillis());
      if (suffix != null) {
        LOG.warn("session " + id + ": a frame failed: " + e.getClass().getSimpleName() + suffix);
      }
      LOG.debug("session " + id + ": frame failed", e);
      sendError(ErrorCode.BAD_REQUEST, "frame could not be processed", requestId);
    }
  }

  private void dispatch(FieldRules f, Object requestId) {
    String type = f.requiredString("type");
    if (phase == Phase.AWAITING_AUTH) {
      if (!"auth".equals(type)) {
        sendError(ErrorCode.UNAUTHORIZED, "the first frame must be auth", requestId);
        closeWith(CloseCode.UNAUTHORIZED, "unauthorized");
        return;
      }
      authenticate(f, requestId);
      return;
    }
    if (out.full() && !SessionWriter.servedWhenFull(type, requestId)) {
      refuseFull(type, requestId);
      return;
    }
    switch (type) {
      case "ping" -> write(ClientFrames.pong(requestId));
      case "auth" -> refresh(f, requestId);
      case "activity" -> activity(f, requestId);
      case "presence.set" -> setPresence(f, requestId);
      case "subscribe" -> subscribe(f, requestId);
      case "unsubscribe" -> unsubscribe(f, requestId);
      case "query" -> query(f, requestId);
      case "chat.push" -> chatPush(f, requestId);
      case "bye" -> bye();
      default -> throw BadFrameException.badRequest("type", "unknown frame type '" + type + "'");
    }
  }

  // ---- auth -------------------------------------------------------------------------------------

  private void authenticate(FieldRules f, Object requestId) {
    String token;
    try {
      token = f.requiredString("token");
    } catch (FieldError noToken) {
      // No token is an unauthorized session (§4 close codes), not a frame to correct and resend.
      sendError(ErrorCode.UNAUTHORIZED, noToken.getMessage(), requestId);
      closeWith(CloseCode.UNAUTHORIZED, "unauthorized");
      return;
    }
    JsonObject client = f.optionalObject("client");
    if (client != null && client.getValue("platform") != null && !(client.getValue("platform") instanceof String)) {
      throw BadFrameException.badRequest("client.platform", "must be a string");
    }
    phase = Phase.VERIFYING;
    // Frames sent right behind auth wait until the session is open, in order.
    socket.pause();
    gw.verifier().verify(token).onComplete(ar -> {
      if (phase != Phase.VERIFYING) {
        return;
      }
      if (ar.failed()) {
        sendError(ErrorCode.UNAUTHORIZED, ar.cause().getMessage(), requestId);
        closeWith(CloseCode.UNAUTHORIZED, "unauthorized");
        return;
      }
      identity = ar.result();
      key = identity.key();
      role = identity.role();
      cancelTimer(authTimer);
      authTimer = -1;
      gw.directory().open(this).onComplete(opened -> {
        if (phase != Phase.VERIFYING) {
          return;
        }
        if (opened.failed()) {
          LOG.debug("session " + id + ": open failed", opened.cause());
          sendError(ErrorCode.BAD_REQUEST, "could not open session: node not ready", requestId);
          closeWith(CloseCode.SHUTTING_DOWN, "node not ready");
          return;
        }
        Opened admitted = opened.result();
        if (admitted.refused()) {
          // §3 one role per user: 4401; §4 sessions per user: 4408. The shard registered nothing.
          boolean conflict = admitted.refusal() == Opened.Refusal.ROLE_CONFLICT;
          sendError(conflict ? ErrorCode.UNAUTHORIZED : ErrorCode.TOO_LARGE, admitted.message(), requestId);
          closeWith(conflict ? CloseCode.UNAUTHORIZED : CloseCode.POLICY, conflict ? "role conflict" : "too many sessions");
          return;
        }
        phase = Phase.OPEN;
        counted = true;
        gw.metrics().sessionOpened();
        armExpiry();
        JsonObject user = new JsonObject().put("id", key.user()).put("tenant", key.tenant()).put("role", role.wire());
        if (identity.name() != null) {
          user.put("name", identity.name());
        }
        JsonObject welcome = new JsonObject().put("type", "welcome").put("session", id).put("user", user)
            .put("presence", RecordJson.record(admitted.record())).put("idleTimeoutMs", cfg.idleTimeoutMs())
            .put("pingIntervalMs", LivenessTracker.pingInterval(cfg.livenessTimeoutMs()));
        if (requestId != null) {
          welcome.put("id", requestId);
        }
        write(welcome);
        if (socket.routingContext() != null) {
          // No longer an unauthenticated WebSocket of its address (maxPendingConnectionsPerAddress).
          ConnectionGuard.authenticated(socket.routingContext().request().connection());
        }
        watchPeer();
        socket.resume();
      });
    });
  }

  /** From now on the peer must prove itself (PROTOCOL.md §4 Liveness). */
  private void watchPeer() {
    LivenessTracker tracker = new LivenessTracker(cfg.livenessTimeoutMs(), System.currentTimeMillis());
    peer = new PeerWatch(context, tracker, webSocket, () -> {
      LOG.debug("session " + id + ": no sign of life for " + cfg.livenessTimeoutMs() + " ms, closing");
      closeWith(CloseCode.POLICY, "no sign of life for " + cfg.livenessTimeoutMs() + " ms");
    });
    if (transport != null && transport.sessionId() != null) {
      gw.sessions().track(transport.sessionId(), tracker);
    }
    peer.start();
  }

  private void refresh(FieldRules f, Object requestId) {
    String token = f.requiredString("token");
    gw.verifier().verify(token).onComplete(ar -> {
      if (phase != Phase.OPEN) {
        return;
      }
      if (ar.failed() && TokenVerifier.isMalformedClaim(ar.cause())) {
        // A token with broken claims is an issuer or client bug, not a stale token: end the session.
        sendError(ErrorCode.UNAUTHORIZED, ar.cause().getMessage(), requestId);
        closeWith(CloseCode.UNAUTHORIZED, "unauthorized");
      } else if (ar.failed()) {
        sendError(ErrorCode.UNAUTHORIZED, ar.cause().getMessage() + " (the current token stays in force)", requestId);
      } else if (!ar.result().sameUserAs(identity)) {
        sendError(ErrorCode.UNAUTHORIZED, "the new token is for another user, tenant or role", requestId);
      } else {
        identity = ar.result();
        armExpiry();
        write(ClientFrames.ack(requestId).put("expiresAt", identity.expiresAtMs()));
      }
    });
  }

  private void armExpiry() {
    cancelTimer(expiryTimer);
    long delay = Math.max(1, identity.expiresAtMs() - System.currentTimeMillis());
    expiryTimer = context.setTimer(delay, t -> {
      expiryTimer = -1;
      sendError(ErrorCode.UNAUTHORIZED, "token expired", null);
      closeWith(CloseCode.UNAUTHORIZED, "token expired");
    });
  }

  // ---- presence ---------------------------------------------------------------------------------

  private void activity(FieldRules f, Object requestId) {
    long idleMs = f.optionalNonNegativeLong("idleMs");
    long now = System.currentTimeMillis();
    long at = idleMs < 0 ? now : now - idleMs;
    gw.directory().activity(this, at);
    if (requestId != null) {
      write(ClientFrames.ack(requestId));
    }
  }

  private void setPresence(FieldRules f, Object requestId) {
    if (role != Role.TECH) {
      throw new BadFrameException(ErrorCode.FORBIDDEN, "status", "only techs can set presence; a client's is automatic");
    }
    String status = f.requiredString("status");
    long until = f.optionalNonNegativeLong("until");
    UserKey me = key;
    Future<PresenceRecord> result;
    if ("away".equals(status)) {
      if (until >= 0 && until <= System.currentTimeMillis()) {
        throw BadFrameException.badRequest("until", "must be in the future (epoch ms)");
      }
      long lapse = until < 0 ? UserPresence.NEVER : until;
      result = gw.directory().preferAway(me, lapse);
    } else if ("online".equals(status)) {
      if (f.has("until")) {
        throw BadFrameException.badRequest("until", "only allowed with status away");
      }
      result = gw.directory().clearPreferredAway(me);
    } else {
      throw BadFrameException.badRequest("status", "must be away or online");
    }
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        write(ClientFrames.ack(requestId).put("presence", RecordJson.record(ar.result())));
      } else {
        sendError(ErrorCode.BAD_REQUEST, ar.cause() instanceof BadFrameException ? ar.cause().getMessage()
            : "status: could not be set", requestId);
      }
    });
  }

  private Role rosterField(FieldRules f) {
    Role r = Role.fromWire(f.requiredString("roster"));
    if (r == null) {
      throw BadFrameException.badRequest("roster", "must be tech or client");
    }
    return r;
  }

  private void subscribe(FieldRules f, Object requestId) {
    if (f.has("users") == f.has("roster")) {
      throw BadFrameException.badRequest(null, "subscribe needs exactly one of users or roster");
    }
    if (f.has("roster")) {
      subscribeRoster(rosterField(f), requestId);
    } else {
      subscribeUsers(f.userList("users", cfg.maxUsersPerSubscribe()), requestId);
    }
  }

  private void subscribeRoster(Role roster, Object requestId) {
    if (!VisibilityPolicy.canWatchRoster(role, roster)) {
      throw new BadFrameException(ErrorCode.FORBIDDEN, "roster", "a client may only watch the tech roster");
    }
    pendingRosters.merge(roster, 1, Integer::sum);
    gw.directory().subscribeRoster(this, roster).onComplete(ar -> {
      pendingRosters.computeIfPresent(roster, (r, n) -> n == 1 ? null : n - 1);
      if (phase != Phase.OPEN) {
        return;
      }
      watchedRosters.add(roster);
      sendPresence(ar.result(), requestId);
      releaseHeld();
    });
  }

  private void subscribeUsers(List<String> users, Object requestId) {
    int after = watchedUsers.admit(users);
    if (after >= 0) {
      throw new BadFrameException(ErrorCode.TOO_LARGE, "users", "this subscribe would watch " + after
          + " users on this session, more than the limit of " + watchedUsers.limit() + " (maxWatchedUsers):"
          + " nothing subscribed");
    }
    gw.directory().subscribeUsers(this, users).onComplete(ar -> {
      List<String> forbidden = ar.result().forbidden();
      // The snapshot is refused, like a query, when the queue filled up while it was gathered.
      boolean keep = phase == Phase.OPEN && forbidden.isEmpty() && !out.full();
      List<String> dropped = watchedUsers.settle(users, keep);
      if (phase != Phase.OPEN) {
        return;
      }
      if (!keep) {
        // All or nothing: undo what the shards registered, except earlier subscriptions.
        if (!dropped.isEmpty()) {
          gw.directory().unsubscribeUsers(this, dropped);
        }
        if (!forbidden.isEmpty()) {
          write(ClientFrames.error(ErrorCode.FORBIDDEN, "a client may only watch techs: " + forbidden, requestId)
              .put("users", forbidden));
          gw.metrics().error(ErrorCode.FORBIDDEN);
        } else {
          refuseFull("subscribe", requestId);
        }
        releaseHeld();
        return;
      }
      sendPresence(ar.result().records(), requestId);
      releaseHeld();
    });
  }

  private void unsubscribe(FieldRules f, Object requestId) {
    if (f.has("users") == f.has("roster")) {
      throw BadFrameException.badRequest(null, "unsubscribe needs exactly one of users or roster");
    }
    if (f.has("roster")) {
      Role roster = rosterField(f);
      watchedRosters.remove(roster);
      gw.directory().unsubscribeRoster(this, roster);
    } else {
      List<String> users = f.userList("users", cfg.maxUsersPerSubscribe());
      watchedUsers.remove(users);
      gw.directory().unsubscribeUsers(this, users);
    }
    write(ClientFrames.ack(requestId));
  }

  private void query(FieldRules f, Object requestId) {
    List<String> users = f.userList("users", cfg.maxUsersPerSubscribe());
    gw.directory().lookup(key, role, users).onComplete(ar -> {
      List<String> forbidden = ar.result().forbidden();
      if (!forbidden.isEmpty()) {
        write(ClientFrames.error(ErrorCode.FORBIDDEN, "a client may only ask about techs: " + forbidden, requestId)
            .put("users", forbidden));
        gw.metrics().error(ErrorCode.FORBIDDEN);
        return;
      }
      if (out.full()) {
        refuseFull("query", requestId);
        return;
      }
      sendPresence(ar.result().records(), requestId);
    });
  }

  private void refuseFull(String type, Object requestId) {
    sendError(ErrorCode.RATE_LIMITED, "write queue full (the client is not reading what the hub sent): "
        + type + " refused", requestId);
  }

  // ---- chat -------------------------------------------------------------------------------------

  private void chatPush(FieldRules f, Object requestId) {
    String to = f.requiredId("to");
    DeliveryKind kind = DeliveryKind.fromWire(f.requiredString("kind"));
    if (kind != DeliveryKind.CHAT_REQUEST && kind != DeliveryKind.CHAT_MESSAGE) {
      throw BadFrameException.badRequest("kind", "must be chat.request or chat.message");
    }
    JsonObject payload = f.optionalObject("payload");
    JsonObject from = new JsonObject().put("id", key.user()).put("role", role.wire());
    if (identity.name() != null) {
      from.put("name", identity.name());
    }
    String delivery = new JsonObject().put("type", kind.wire()).put("from", from)
        .put("payload", payload == null ? new JsonObject() : payload).encode();
    UserKey target = new UserKey(key.tenant(), to);
    gw.courier().deliver(target, kind, delivery, r -> VisibilityPolicy.canSee(role, r.role())).onComplete(ar -> {
      if (ar.failed()) {
        LOG.debug("session " + id + ": delivery failed", ar.cause());
        sendError(ErrorCode.BAD_REQUEST, "to: delivery failed", requestId);
        return;
      }
      Delivery d = ar.result();
      switch (d.outcome()) {
        case FORBIDDEN -> sendError(ErrorCode.FORBIDDEN, "a client may only push to techs", requestId);
        case NOT_REACHABLE -> {
          write(ClientFrames.error(ErrorCode.NOT_REACHABLE, to + " is " + d.record().status().wire() + ": " + kind.wire()
              + " not delivered", requestId).put("status", d.record().status().wire()));
          gw.metrics().error(ErrorCode.NOT_REACHABLE);
        }
        case DELIVERED -> write(ClientFrames.ack(requestId).put("delivered", d.delivered()));
      }
    });
  }

  /** Writes a delivery on this session's loop; completes (on the caller's loop) with whether it was written. */
  @Override
  public Future<Boolean> offer(String frame) {
    PromiseInternal<Boolean> written = ((ContextInternal) Vertx.currentContext()).promise();
    context.execute(() -> {
      if (phase != Phase.OPEN || out.full()) {
        written.complete(false);
        return;
      }
      gw.metrics().frameOut();
      out.write(frame).onComplete(ar -> written.complete(ar.succeeded()));
    });
    return written.future();
  }

  // ---- outbound presence ------------------------------------------------------------------------

  private void onUpdates(List<PresenceRecord> updates) {
    if (phase != Phase.OPEN) {
      return;
    }
    List<PresenceRecord> out = new ArrayList<>(updates.size());
    for (PresenceRecord r : updates) {
      if (r.user().equals(key.user())) {
        out.add(r);
      } else if (pending(r)) {
        held.add(r);
      } else if (watched(r)) {
        out.add(r);
      }
    }
    sendChanges(out);
  }

  private boolean pending(PresenceRecord r) {
    return watchedUsers.isPending(r.user()) || (r.role() != null && pendingRosters.containsKey(r.role()));
  }

  private boolean watched(PresenceRecord r) {
    return VisibilityPolicy.canSee(role, r.role())
        && (watchedUsers.isWatched(r.user()) || (r.role() != null && watchedRosters.contains(r.role())));
  }

  /** Writes held changes whose snapshot has been sent, keeps those still waiting for one. */
  private void releaseHeld() {
    if (held.isEmpty()) {
      return;
    }
    List<PresenceRecord> out = new ArrayList<>();
    List<PresenceRecord> keep = new ArrayList<>();
    for (PresenceRecord r : held) {
      if (pending(r)) {
        keep.add(r);
      } else if (watched(r)) {
        out.add(r);
      }
    }
    held.clear();
    held.addAll(keep);
    sendChanges(out);
  }

  private void sendChanges(List<PresenceRecord> records) {
    if (records.isEmpty()) {
      return;
    }
    if (!coalesced.isEmpty() || out.full()) {
      for (PresenceRecord r : records) {
        coalesced.remove(r.user());
        coalesced.put(r.user(), r);
      }
      return;
    }
    sendPresence(records, null);
  }

  /** The socket took what it held: the coalesced changes go out (they may fill it again). */
  private void onDrained() {
    if (phase == Phase.OPEN && !coalesced.isEmpty()) {
      List<PresenceRecord> latest = new ArrayList<>(coalesced.values());
      coalesced.clear();
      sendChanges(latest);
    }
  }

  /** The client has not read for {@code livenessTimeoutMs}: its queue cannot be allowed to stay. */
  private void onStuck() {
    LOG.debug("session " + id + ": write queue full for " + cfg.livenessTimeoutMs() + " ms, closing");
    gw.metrics().error(ErrorCode.RATE_LIMITED);
    closeWith(CloseCode.POLICY, "write queue full for " + cfg.livenessTimeoutMs() + " ms");
  }

  private void sendPresence(List<PresenceRecord> records, Object requestId) {
    if (records.isEmpty()) {
      write(ClientFrames.presence(records, requestId));
      return;
    }
    for (int i = 0; i < records.size(); i += MAX_RECORDS_PER_FRAME) {
      write(ClientFrames.presence(records.subList(i, Math.min(records.size(), i + MAX_RECORDS_PER_FRAME)), requestId));
    }
  }

  private void write(JsonObject frame) {
    gw.metrics().frameOut();
    out.write(frame.encode());
  }

  private void sendError(ErrorCode code, String message, Object requestId) {
    gw.metrics().error(code);
    write(ClientFrames.error(code, message, requestId));
  }

  // ---- ending -----------------------------------------------------------------------------------

  private void bye() {
    phase = Phase.CLOSED;
    end(true);
    socket.close();
  }

  /**
   * A WebSocket whose peer is not reading: its close frame is written only once the socket takes
   * writes again, and if it does not within {@code livenessTimeoutMs}, the TCP connection is dropped
   * (SockJsTransports.abort). Why: a close frame left in Vert.x's outbound queue when the connection
   * ends (the peer leaves, or is dropped) makes Vert.x 5.0.10 complete the close twice once its
   * closing timeout fires (VertxConnection.writeClose on a done CloseChannelPromise), and Netty
   * logs a 30-line WARNING per connection. A peer that reads again in time gets everything, the
   * close frame last. Polls every {@value #DRAIN_POLL_MS} ms: bounded, and no handler of the
   * socket's to take over.
   */
  private Future<Void> closeOnceDrained(int code, String reason, long giveUpAt) {
    PromiseInternal<Void> done = context.promise();
    context.setTimer(DRAIN_POLL_MS, t -> {
      if (!webSocket.writeQueueFull()) {
        SockJsCloser.close(gw.vertx(), socket, code, reason, cfg.sockjsSessionTimeoutMs()).onComplete(done);
      } else if (System.currentTimeMillis() >= giveUpAt) {
        LOG.debug("session " + id + ": " + code + " " + reason + ", peer not reading: connection dropped");
        SockJsTransports.abort(socket);
        done.tryComplete();
      } else {
        closeOnceDrained(code, reason, giveUpAt).onComplete(done);
      }
    });
    return done.future();
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
    if (webSocket != null && webSocket.writeQueueFull()) {
      // A node stop does not wait a whole liveness timeout for a peer that does not read.
      long waitMs = code == CloseCode.SHUTTING_DOWN
          ? Math.min(cfg.livenessTimeoutMs(), cfg.sockjsSessionTimeoutMs()) : cfg.livenessTimeoutMs();
      return closeOnceDrained(code, reason, System.currentTimeMillis() + waitMs);
    }
    return SockJsCloser.close(gw.vertx(), socket, code, reason, cfg.sockjsSessionTimeoutMs());
  }

  /** Closes with 4503 for a node stop; callable from any thread. */
  Future<Void> shutDown() {
    PromiseInternal<Void> done = context.promise();
    context.runOnContext(v -> closeWith(CloseCode.SHUTTING_DOWN, "node shutting down").onComplete(done));
    return done.future();
  }

  private void onSocketClosed() {
    phase = Phase.CLOSED;
    end(false);
  }

  /** Tells the shards, once, that this session is gone, and forgets everything it held. */
  private void end(boolean bye) {
    if (left) {
      return;
    }
    left = true;
    cancelTimer(authTimer);
    cancelTimer(expiryTimer);
    out.stop();
    if (peer != null) {
      peer.stop();
      if (transport != null && transport.sessionId() != null) {
        gw.sessions().untrack(transport.sessionId(), peer.tracker());
      }
    }
    held.clear();
    coalesced.clear();
    if (key != null) {
      ShardDirectory dir = gw.directory();
      dir.close(this, bye);
      Set<String> users = watchedUsers.all();
      watchedUsers.clear();
      dir.unsubscribeUsers(this, users);
      EnumSet<Role> rosters = EnumSet.copyOf(watchedRosters);
      rosters.addAll(pendingRosters.keySet());
      for (Role r : rosters) {
        dir.unsubscribeRoster(this, r);
      }
    }
    if (counted) {
      gw.metrics().sessionClosed();
    }
    onGone.accept(this);
  }

  private void cancelTimer(long timer) {
    if (timer != -1) {
      gw.vertx().cancelTimer(timer);
    }
  }

  String id() {
    return id;
  }
}
