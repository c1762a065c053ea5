package com.presencehub.cluster;

import com.presencehub.protocol.ReplicationEnvelope.Chunk;
import com.presencehub.protocol.ReplicationEnvelope;
import com.presencehub.protocol.ReplicationEnvelope.FullState;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A full state between two nodes (README "Replication"), streamed (issue 17): the asker's request
 * on {@code presence.repl.sync.<id>} says it takes parts of at most {@code chunks} bytes; the
 * answer is then the state taken at that moment, in parts of at most that size, one at a time: each
 * part is a reply the asker acknowledges by replying to it, which asks for the next (no part leaves
 * before the previous one arrived: back-pressure), each with {@code clusterSyncTimeoutMs}. A
 * request without {@code chunks} (a node of an earlier version) gets the whole state as one reply,
 * and a whole state in answer (from such a node) is taken as it is. So no event-bus message grows
 * with the number of users.
 */
final class FullStateTransfer {

  private static final Logger LOG = LoggerFactory.getLogger(FullStateTransfer.class);

  /** The largest part of a full state sent or asked for (bytes of JSON). */
  static final int MAX_CHUNK_BYTES = 256 * 1024;

  private final EventBus bus;
  private final String self;
  private final DeliveryOptions options;
  private final int chunkBytes;

  FullStateTransfer(EventBus bus, String self, long timeoutMs, int chunkBytes) {
    this.bus = bus;
    this.self = self;
    this.options = new DeliveryOptions().setSendTimeout(timeoutMs);
    this.chunkBytes = Math.min(chunkBytes, MAX_CHUNK_BYTES);
  }

  /** Answers the request {@code m} with {@code state} (taken now), in parts when the asker takes them. */
  void serve(Message<JsonObject> m, FullState state) {
    int max = ReplicationEnvelope.chunkBytes(m.body());
    if (max <= 0) {
      JsonObject whole = ReplicationEnvelope.fullState(self, state.seq(), state.contributions(), state.preferences(),
          state.marks());
      BusFaults.safely("full state", () -> m.reply(whole));
      return;
    }
    send(m, ReplicationEnvelope.chunks(self, state.seq(), state.contributions(), state.preferences(), state.marks(),
        Math.min(max, MAX_CHUNK_BYTES)), 0);
  }

  private void send(Message<?> to, List<JsonObject> parts, int i) {
    JsonObject part = parts.get(i);
    LOG.trace("sending full-state part {} of {}", i, parts.size());
    if (i == parts.size() - 1) {
      BusFaults.safely("full state", () -> to.reply(part));
      return;
    }
    BusFaults.safely("full state", () -> to.<JsonObject>replyAndRequest(part, options)
        // A failure: the asker gave up (timeout), left, or failed on a part; it asks again.
        .onSuccess(ack -> send(ack, parts, i + 1)));
  }

  /**
   * Asks {@code peer} for its full state ({@code withLedger} false: without its publish marks);
   * completes with the whole of it, or fails (no answer, a part missing or unreadable: ask again later).
   *
   * @throws IllegalStateException as Vert.x 5.0's clustered event bus may on a write to a departed peer
   */
  Future<FullState> fetch(String peer, boolean withLedger) {
    Promise<FullState> done = Promise.promise();
    FullStateAssembly parts = new FullStateAssembly();
    bus.<JsonObject>request(ReplicationVerticle.syncAddress(peer), ReplicationEnvelope.syncRequest(self, chunkBytes, withLedger),
            options)
        .onComplete(ar -> receive(ar, parts, done));
    return done.future();
  }

  private void receive(AsyncResult<Message<JsonObject>> ar, FullStateAssembly parts, Promise<FullState> done) {
    if (ar.failed()) {
      done.fail(ar.cause());
      return;
    }
    try {
      Chunk c = ReplicationEnvelope.chunk(ar.result().body());
      if (c != null && LOG.isTraceEnabled()) {
        LOG.trace("full-state part {} of {}: {} shares, {} marks", c.index(), c.origin(), c.contributions().size(),
            c.marks().size());
      }
      FullState whole = c == null ? ReplicationEnvelope.fullState(ar.result().body()) : parts.add(c);
      if (whole != null) {
        done.complete(whole);
        return;
      }
      ar.result().<JsonObject>replyAndRequest(ReplicationEnvelope.ack(c.index()), options)
          .onComplete(next -> receive(next, parts, done));
    } catch (RuntimeException e) {
      done.fail(e);
    }
  }
}
