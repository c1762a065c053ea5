package com.presencehub.cluster;

import com.presencehub.delivery.Courier;
import com.presencehub.delivery.RemoteSessions;
import com.presencehub.protocol.BusMessages;
import com.presencehub.protocol.FieldError;
import com.presencehub.protocol.RequestFailure;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

/**
 * This node's own delivery address, {@code presence.node.<id>.deliver}: other nodes write to the
 * sessions connected here through it (one clustered consumer per node, none per socket). The
 * reply counts the sessions that took the frame.
 */
public final class NodeDeliveryVerticle extends VerticleBase {

  static String address(String node) {
    return BusMessages.nodeAddress(node);
  }

  private final String self;
  private final Courier courier;
  private MessageConsumer<JsonObject> consumer;

  public NodeDeliveryVerticle(String self, Courier courier) {
    this.self = self;
    this.courier = courier;
  }

  @Override
  public Future<?> start() {
    // Replies to a departed asker can fail twice inside Vert.x (see BusFaults.uncaught).
    context.exceptionHandler(BusFaults::uncaught);
    consumer = vertx.eventBus().consumer(address(self), this::onDeliver);
    return consumer.completion();
  }

  private void onDeliver(Message<JsonObject> m) {
    BusMessages.NodeDelivery d;
    try {
      d = BusMessages.nodeDelivery(m.body());
    } catch (FieldError bad) {
      m.fail(RequestFailure.BAD_REQUEST, bad.getMessage());
      return;
    }
    courier.deliverLocal(d.user(), d.frame()).onComplete(ar -> {
      try {
        if (ar.succeeded()) {
          m.reply(BusMessages.delivered(ar.result()));
        } else {
          m.fail(RequestFailure.INTERNAL, String.valueOf(ar.cause().getMessage()));
        }
      } catch (IllegalStateException departed) {
        BusFaults.uncaught(departed);
      }
    });
  }

  /** The sending side: a request to the node that holds the sessions. */
  public static RemoteSessions remoteSessions(EventBus bus, long timeoutMs) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(timeoutMs);
    return (node, user, frame) -> bus.<JsonObject>request(address(node), BusMessages.nodeDelivery(user, frame), options)
        .map(reply -> BusMessages.delivered(reply.body()))
        .recover(e -> e instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS
            ? Future.succeededFuture(0) : Future.failedFuture(e));
  }
}
