package com.presencehub.api;

import com.presencehub.api.client.PresenceBus;
import com.presencehub.api.impl.ApiFailure;
import com.presencehub.api.impl.PresenceRequests;
import com.presencehub.config.TenantScope;
import com.presencehub.node.HubNode;
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
  private final TenantScope tenants;

  public PresenceApiVerticle(PresenceRequests requests) {
    this(requests, TenantScope.ALL);
  }

  /** @param tenants the tenants this cell serves; a request for another fails with code 403 (docs/cells.md) */
  public PresenceApiVerticle(PresenceRequests requests, TenantScope tenants) {
    this.requests = requests;
    this.tenants = tenants;
  }

  /**
   * Deploys the API on {@code node}, whose shards and courier must be up (so: after its gateways).
   * Completes with the deployment id once every consumer is registered cluster-wide.
   */
  public static Future<String> deploy(HubNode node) {
    if (node.courier() == null) {
      return Future.failedFuture(new IllegalStateException("deploy the event-bus API after the node's gateways"));
    }
    PresenceRequests requests = new PresenceRequests(node.directory(), node.courier(),
        node.config().maxUsersPerSubscribe(), node.config().maxFrameBytes());
    return node.vertx().deployVerticle(new PresenceApiVerticle(requests, node.config().tenantScope()));
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
        String refused = tenants.refusal(msg.body() instanceof JsonObject o ? o.getValue("tenant") : null);
        reply = refused != null ? Future.failedFuture(ApiFailure.forbidden(refused)) : operation.apply(msg.body());
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
