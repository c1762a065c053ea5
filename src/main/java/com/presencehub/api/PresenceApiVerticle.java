package com.presencehub.api;

import com.presencehub.api.impl.PresenceRequests;
import com.presencehub.config.TenantScope;
import com.presencehub.protocol.BusMessages;
import com.presencehub.protocol.FieldError;
import com.presencehub.protocol.RequestFailure;
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

  /** A tenant another cell serves: the facade's {@code PresenceBus.FORBIDDEN}. */
  private static final int FORBIDDEN = 403;

  private final PresenceRequests requests;
  private final TenantScope tenants;

  /** @param requests the operations, over the node's shards and courier (deploy it once those are up) */
  public PresenceApiVerticle(PresenceRequests requests) {
    this(requests, TenantScope.ALL);
  }

  /** @param tenants the tenants this cell serves; a request for another fails with code 403 (docs/cells.md) */
  public PresenceApiVerticle(PresenceRequests requests, TenantScope tenants) {
    this.requests = requests;
    this.tenants = tenants;
  }

  @Override
  public Future<?> start() {
    List<MessageConsumer<Object>> consumers = List.of(
        serve(BusMessages.QUERY, requests::query),
        serve(BusMessages.REACHABLE, requests::reachable),
        serve(BusMessages.ROSTER, requests::roster),
        serve(BusMessages.DELIVER, requests::deliver));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
  }

  private MessageConsumer<Object> serve(String address, Function<Object, Future<JsonObject>> operation) {
    return vertx.eventBus().consumer(address, msg -> {
      String refused = tenants.refusal(msg.body() instanceof JsonObject o ? o.getValue("tenant") : null);
      if (refused != null) {
        msg.fail(FORBIDDEN, refused);
        return;
      }
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
    RequestFailure f = cause instanceof FieldError e ? RequestFailure.badRequest(e)
        : cause instanceof RequestFailure r ? r : null;
    if (f == null) {
      LOG.error("request on " + address + " failed: " + msg.body(), cause);
      f = RequestFailure.internal(String.valueOf(cause));
    }
    msg.fail(f.code(), f.getMessage());
  }
}
