package com.presencehub.cluster;

import com.presencehub.protocol.FullStateParts;
import com.presencehub.protocol.ReplicationEnvelope.Chunk;
import com.presencehub.protocol.ReplicationEnvelope;
import com.presencehub.protocol.ReplicationEnvelope.FullState;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A full state between two nodes (README "Replication"), streamed (issue 17): the asker's request
 * on {@code presence.repl.sync.<id>} says it takes parts of at most {@code chunks} bytes; the
 * answer is then the state taken at that moment, in parts of at most that size, so that no
 * event-bus message grows with the number of users. Two ways, both with back-pressure and a wait
 * per part ({@code clusterSyncTimeoutMs}, longer after timeouts: {@link FetchBackoff}):
 * <ul>
 *   <li><em>Windowed</em>, when the request carries {@code "window"} and {@code "transfer"} (this
 *       version): part 0 answers the request, the others are sent to the asker's own sync address,
 *       and the asker acknowledges every part there; at most {@code window} parts are unacknowledged.
 *       Under load a part's round trip took 0.1-0.6 s (bench/join.mjs), and the parts of a joiner's
 *       full states came one round trip apart; now a few travel at once.
 *   <li><em>One at a time</em> (a node of an earlier version): each part is a reply the asker
 *       acknowledges by replying to it, which asks for the next.
 * </ul>
 * A request without {@code chunks} (an earlier version still) gets the whole state as one reply,
 * and a whole state in answer is taken as it is.
 *
 * <p>Not thread-safe: used on the replication event loop.
 */
final class FullStateTransfer {

  private static final Logger LOG = LoggerFactory.getLogger(FullStateTransfer.class);

  /** The largest part of a full state sent or asked for (bytes of JSON). */
  static final int MAX_CHUNK_BYTES = 256 * 1024;
  /** Parts of a windowed transfer in flight, unacknowledged, at most. */
  static final int WINDOW = 4;
  /** Room in a part for the windowed transfer's fields ({@code "transfer"}, {@code "window"}). */
  private static final int WINDOW_FIELDS_BYTES = 64;

  private final Vertx vertx;
  private final String self;
  private final long timeoutMs;
  private final DeliveryOptions options;
  private final int chunkBytes;
  /** Windowed answers in flight, by asker and transfer id. */
  private final Map<String, OutgoingFullState> serving = new HashMap<>();
  /** Windowed full states on their way here, by transfer id. */
  private final Map<Long, Fetching> fetching = new HashMap<>();
  private final FetchBackoff backoff;
  private long transfers;

  FullStateTransfer(Vertx vertx, String self, long timeoutMs, int chunkBytes) {
    this.vertx = vertx;
    this.self = self;
    this.timeoutMs = timeoutMs;
    this.options = new DeliveryOptions().setSendTimeout(timeoutMs);
    this.chunkBytes = Math.min(chunkBytes, MAX_CHUNK_BYTES);
    this.backoff = new FetchBackoff(timeoutMs);
  }

  // ---- serving ---------------------------------------------------------------------------------

  /** Answers the request {@code m} with {@code state} (taken now), in parts when the asker takes them. */
  void serve(Message<JsonObject> m, FullState state) {
    JsonObject request = m.body();
    int max = Math.min(ReplicationEnvelope.chunkBytes(request), MAX_CHUNK_BYTES);
    if (max <= 0) {
      JsonObject whole = ReplicationEnvelope.fullState(self, state.seq(), state.contributions(), state.preferences(),
          state.marks());
      BusFaults.safely("full state", () -> m.reply(whole));
      return;
    }
    int window = Math.min(ReplicationEnvelope.window(request), WINDOW);
    Long id = ReplicationEnvelope.transfer(request);
    String asker = request.getValue("from") instanceof String from ? from : null;
    boolean windowed = window > 0 && id != null && asker != null && max > 2 * WINDOW_FIELDS_BYTES;
    if (!windowed) {
      sendChained(m, ReplicationEnvelope.chunks(self, state.seq(), state.contributions(), state.preferences(),
          state.marks(), max), 0);
      return;
    }
    // Each part made on a loop turn of its own as the window opens, not all at once (issue 17).
    FullStateParts parts = new FullStateParts(self, state.seq(), state.contributions(), state.preferences(),
        state.marks(), max - WINDOW_FIELDS_BYTES);
    JsonObject first = ReplicationEnvelope.windowed(parts.next(), window, id);
    LOG.trace("sending full-state part 0, {} at a time", window);
    BusFaults.safely("full state", () -> m.reply(first));
    if (parts.hasNext()) {
      OutgoingFullState s = new OutgoingFullState(vertx, serving, timeoutMs * FetchBackoff.MAX_BACKOFF, asker, id,
          parts, window);
      OutgoingFullState before = serving.put(s.key(), s);
      if (before != null) {
        // The same asker and id again (its transfer ids restart with its replication verticle).
        before.cancel();
      }
      s.schedule();
    }
  }

  /** One part at a time, each the reply to the asker's acknowledgement of the one before. */
  private void sendChained(Message<?> to, List<JsonObject> parts, int i) {
    JsonObject part = parts.get(i);
    LOG.trace("sending full-state part {} of {}", i, parts.size());
    if (i == parts.size() - 1) {
      BusFaults.safely("full state", () -> to.reply(part));
      return;
    }
    BusFaults.safely("full state", () -> to.<JsonObject>replyAndRequest(part, options)
        // A failure: the asker gave up (timeout), left, or failed on a part; it asks again.
        .onSuccess(ack -> sendChained(ack, parts, i + 1)));
  }

  // ---- fetching --------------------------------------------------------------------------------

  /**
   * Asks {@code peer} for its full state ({@code withShares} false: its publish marks alone; {@code
   * withLedger} false: without them); completes with the whole of it, or fails (no answer, a part
   * missing or unreadable, or not even sent: ask again later). Not sent: Vert.x 5.0's clustered
   * event bus may throw "Promise already completed" (BusFaults) on a write to a peer whose
   * connection just closed; that is a failed fetch too, retried like any other, not one left
   * "syncing" for good.
   */
  Future<FullState> fetch(String peer, boolean withShares, boolean withLedger) {
    String kind = kind(peer, withShares, withLedger);
    Fetching f = new Fetching(peer, ++transfers, backoff.waitMs(kind, System.currentTimeMillis()));
    fetching.put(f.id, f);
    JsonObject request = ReplicationEnvelope.windowed(
        ReplicationEnvelope.syncRequest(self, chunkBytes, withShares, withLedger), WINDOW, f.id);
    try {
      vertx.eventBus().<JsonObject>request(ReplicationVerticle.syncAddress(peer), request,
          new DeliveryOptions().setSendTimeout(f.waitMs)).onComplete(ar -> first(ar, f));
    } catch (IllegalStateException e) {
      f.fail(e);
    }
    return f.done.future().andThen(ar -> backoff(kind, ar));
  }

  /** How long a fetch of {@code peer}'s state of this kind waits for its first part, then for each next one (ms). */
  long waitMs(String peer, boolean withShares, boolean withLedger) {
    return backoff.waitMs(kind(peer, withShares, withLedger), System.currentTimeMillis());
  }

  /** Every fetch's wait starts afresh (a split healed, this process was paused): see {@link FetchBackoff}. */
  void resetWaits() {
    backoff.reset();
  }

  private static String kind(String peer, boolean withShares, boolean withLedger) {
    return peer + (withShares ? withLedger ? " whole" : " shares" : " ledger");
  }

  /** A success ends the backoff, a timeout doubles the next wait; other failures (no handler, not sent) change nothing. */
  private void backoff(String kind, AsyncResult<FullState> ar) {
    if (ar.succeeded()) {
      backoff.succeeded(kind);
    } else if (ar.cause() instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT) {
      backoff.timedOut(kind, System.currentTimeMillis());
    }
  }

  /** The answer to the request: a whole state, the first part of a windowed one, or of one sent a part at a time. */
  private void first(AsyncResult<Message<JsonObject>> ar, Fetching f) {
    if (ar.failed()) {
      f.fail(ar.cause());
      return;
    }
    JsonObject body = ar.result().body();
    if (body == null) {
      f.fail(new IllegalStateException("an empty answer to a full-state request"));
      return;
    }
    if (body.containsKey("k") && ReplicationEnvelope.transfer(body) != null) {
      f.part(body); // read (and any fault reported) there, once
      return;
    }
    // An earlier version's answer.
    fetching.remove(f.id);
    receiveChained(ar, new FullStateAssembly(), f.done);
  }

  private void receiveChained(AsyncResult<Message<JsonObject>> ar, FullStateAssembly parts, Promise<FullState> done) {
    if (ar.failed()) {
      done.tryFail(ar.cause());
      return;
    }
    try {
      Chunk c = ReplicationEnvelope.chunk(ar.result().body());
      trace(c);
      FullState whole = c == null ? ReplicationEnvelope.fullState(ar.result().body()) : parts.add(c);
      if (whole != null) {
        done.tryComplete(whole);
        return;
      }
      ar.result().<JsonObject>replyAndRequest(ReplicationEnvelope.ack(c.index()), options)
          .onComplete(next -> receiveChained(next, parts, done));
    } catch (RuntimeException e) {
      done.tryFail(e);
    }
  }

  /**
   * A message of a windowed transfer on this node's sync address: a part of a state on its way
   * here, or an acknowledgement of one this node sends. False: it is not one (a sync request).
   */
  boolean handle(JsonObject m) {
    Long id = ReplicationEnvelope.transfer(m);
    if (id == null || !(m.containsKey("ack") || m.containsKey("k"))) {
      return false; // a sync request (which names its transfer too)
    }
    // A peer's message of the wrong shape is dropped here: the transfer it names times out.
    if (m.getValue("ack") instanceof Number ack && m.getValue("from") instanceof String from) {
      OutgoingFullState s = serving.get(OutgoingFullState.key(from, id));
      if (s != null) {
        s.acked(ack.intValue());
      }
    } else if (m.getValue("o") instanceof String origin) {
      Fetching f = fetching.get(id);
      // The peer too: a transfer id is this node's own, and a stray part (a peer's restart) is not one of them.
      if (f != null && f.peer.equals(origin)) {
        f.part(m);
      }
    }
    return true;
  }

  private static void trace(Chunk c) {
    if (c != null && LOG.isTraceEnabled()) {
      LOG.trace("full-state part {} of {}: {} shares, {} marks", c.index(), c.origin(), c.contributions().size(),
          c.marks().size());
    }
  }

  /** A windowed full state on its way here: parts put in order, each acknowledged once taken. */
  private final class Fetching {
    final String peer;
    final long id;
    final long waitMs;
    final Promise<FullState> done = Promise.promise();
    final FullStateAssembly assembly = new FullStateAssembly();
    /** Parts that came before the one due (none in practice: one connection keeps them in order). */
    final TreeMap<Integer, Chunk> early = new TreeMap<>();
    long timer = -1;

    Fetching(String peer, long id, long waitMs) {
      this.peer = peer;
      this.id = id;
      this.waitMs = waitMs;
    }

    void part(JsonObject m) {
      try {
        Chunk c = ReplicationEnvelope.chunk(m);
        if (c == null || c.index() < assembly.parts() || early.size() > WINDOW) {
          throw new IllegalStateException("full-state part " + (c == null ? "?" : c.index()) + " unexpected, "
              + assembly.parts() + " taken");
        }
        early.put(c.index(), c);
        for (Chunk due; (due = early.remove(assembly.parts())) != null; ) {
          trace(due);
          FullState whole = assembly.add(due);
          if (whole != null) {
            finish();
            done.tryComplete(whole);
            return;
          }
          JsonObject ack = ReplicationEnvelope.ack(due.index()).put("from", self);
          BusFaults.safely("full-state ack", () -> vertx.eventBus().send(ReplicationVerticle.syncAddress(peer),
              ReplicationEnvelope.windowed(ack, WINDOW, id)));
        }
        vertx.cancelTimer(timer);
        timer = vertx.setTimer(waitMs, t -> fail(new ReplyException(ReplyFailure.TIMEOUT,
            "no full-state part for " + waitMs + " ms after part " + (assembly.parts() - 1))));
      } catch (RuntimeException e) {
        fail(e);
      }
    }

    void fail(Throwable cause) {
      finish();
      done.tryFail(cause);
    }

    private void finish() {
      vertx.cancelTimer(timer);
      fetching.remove(id);
    }
  }
}
