package com.presencehub.api;

import com.presencehub.api.client.PresenceBus;
import com.presencehub.api.impl.ApiFailure;
import com.presencehub.api.impl.PresenceRequests;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.logging.Logger;
import io.vertx.core.internal.logging.LoggerFactory;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Function;

/**
 * The event-bus API of one node (PROTOCOL.md §5): consumers for {@code presence.query},
 * {@code presence.reachable}, {@code presence.roster} and {@code presence.deliver}, answering from
 * this node's view. One instance per node, on purpose: every delivery then leaves from one event
 * loop, which is what keeps deliveries to a user in the order they arrived.
 */
public final class PresenceApiVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(PresenceApiVerticle.class);

  private final PresenceRequests requests;

  /** @param requests the operations, over the node's shards and courier (deploy it once those are up) */
  public PresenceApiVerticle(PresenceRequests requests) {
    this.requests = requests;
  }

  @Override
  public Future<?> start() {
    List<MessageConsumer<Object>> consumers = List.of(
        serve(PresenceBus.QUERY, requests::query),
        serve(PresenceBus.REACHABLE, requests::reachable),
        serve(PresenceBus.ROSTER, requests::roster),
        serve(PresenceBus.DELIVER, requests::deliver));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
  }

  private MessageConsumer<Object> serve(String address, Function<Object, Future<JsonObject>> operation) {
    return vertx.eventBus().consumer(address, msg -> {
      Future<JsonObject> reply;
      try {
        reply = operation.apply(msg.body());
      } catch (RuntimeException e) {
        reply = Future.failedFuture(e);
      }
      reply.onComplete(ar -> {
        if (ar.succeeded()) {
          msg.reply(ar.result());
        } else {
          fail(address, msg, ar.cause());
        }
      });
    });
  }

  private static void fail(String address, Message<Object> msg, Throwable cause) {
    if (cause instanceof ApiFailure f) {
      msg.fail(f.code(), f.getMessage());
      return;
    }
    LOG.error("request on " + address + " failed: " + msg.body(), cause);
    msg.fail(PresenceBus.INTERNAL, "internal: " + cause);
  }
}
