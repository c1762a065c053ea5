package com.presencehub.routing;

import com.presencehub.api.client.NotReachableException;
import com.presencehub.api.client.PresenceService;
import com.presencehub.api.client.PresenceServiceException;
import com.presencehub.api.client.Sender;
import com.presencehub.presence.DeliveryKind;
import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.Role;
import com.presencehub.protocol.FieldError;
import com.presencehub.protocol.FieldRules;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Routes a client's new chat to a tech of its tenant, the way a chat service would, using only the
 * {@link PresenceService} facade (so it can run in any member of the cluster, not only a hub node).
 *
 * <p>Request on {@value #ADDRESS}: {@code {"tenant":"acme","from":{"id":"c-1","name":"Cleo"},
 * "payload":{…}}}. The chat is offered as a {@code chat.request} from the client to the techs that
 * are connected, in {@link OfferOrder} (online before away; least recently offered first), one
 * after the other until one tech's sessions take it. A tech that turned unreachable meanwhile, or
 * whose sessions took nothing (they closed meanwhile), is skipped. Replies:
 * <ul>
 *   <li>{@code {"result":"offered","offeredTo":"t-2","status":"online","delivered":2,"tried":[]}}</li>
 *   <li>{@code {"result":"nobody_reachable","offeredTo":null,"status":null,"delivered":0,"tried":[…]}}:
 *       no tech could take it; fall back (email, ticket)</li>
 * </ul>
 * A bad request fails with 400 naming the field; an unusable presence API with 503.
 */
public final class ChatRoutingVerticle extends VerticleBase {

  public static final String ADDRESS = "chat.route";
  public static final int BAD_REQUEST = 400;
  public static final int UNAVAILABLE = 503;

  private PresenceService presence;
  /** Per tenant; touched on this verticle's event loop only. */
  private final Map<String, OfferOrder> orders = new HashMap<>();

  /** A router that makes its own facade on the Vert.x it is deployed on. */
  public ChatRoutingVerticle() {
  }

  public ChatRoutingVerticle(PresenceService presence) {
    this.presence = presence;
  }

  @Override
  public Future<?> start() {
    if (presence == null) {
      presence = PresenceService.create(vertx);
    }
    MessageConsumer<Object> consumer = vertx.eventBus().consumer(ADDRESS, this::route);
    return consumer.completion();
  }

  private void route(Message<Object> msg) {
    ChatRequest chat;
    try {
      chat = ChatRequest.from(msg.body());
    } catch (FieldError bad) {
      msg.fail(BAD_REQUEST, bad.getMessage());
      return;
    }
    OfferOrder order = orders.computeIfAbsent(chat.tenant(), t -> new OfferOrder());
    presence.roster(chat.tenant(), Role.TECH)
        .compose(techs -> offer(chat, order, order.order(techs), 0, new JsonArray()))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            msg.reply(ar.result());
          } else if (ar.cause() instanceof PresenceServiceException refused && refused.failureCode() == BAD_REQUEST) {
            msg.fail(BAD_REQUEST, refused.getMessage());
          } else {
            msg.fail(UNAVAILABLE, "presence service unavailable: " + ar.cause().getMessage());
          }
        });
  }

  /** Offers the chat to {@code candidates[i]}, then to the next ones until one takes it. */
  private Future<JsonObject> offer(ChatRequest chat, OfferOrder order, List<PresenceRecord> candidates, int i,
      JsonArray tried) {
    if (i == candidates.size()) {
      return Future.succeededFuture(new JsonObject().put("result", "nobody_reachable").putNull("offeredTo")
          .putNull("status").put("delivered", 0).put("tried", tried));
    }
    PresenceRecord tech = candidates.get(i);
    return presence.deliver(chat.tenant(), tech.user(), DeliveryKind.CHAT_REQUEST, chat.from(), chat.payload())
        .recover(e -> e instanceof NotReachableException ? Future.succeededFuture(0) : Future.failedFuture(e))
        .compose(delivered -> {
          if (delivered > 0) {
            order.offered(tech.user());
            return Future.succeededFuture(new JsonObject().put("result", "offered").put("offeredTo", tech.user())
                .put("status", tech.status().wire()).put("delivered", delivered).put("tried", tried));
          }
          order.forget(tech.user());
          tried.add(tech.user());
          return offer(chat, order, candidates, i + 1, tried);
        });
  }

  /** A validated routing request. */
  record ChatRequest(String tenant, Sender from, JsonObject payload) {

    /** @throws FieldError naming the field, with the contract's one set of messages ({@link FieldRules}) */
    static ChatRequest from(Object body) {
      FieldRules json = FieldRules.request(body);
      String tenant = json.requiredNonEmptyId("tenant");
      FieldRules from = json.requiredObject("from");
      String id = from.requiredNonEmptyId("id");
      String name = from.optionalString("name");
      JsonObject payload = json.optionalObject("payload");
      return new ChatRequest(tenant, new Sender(id, "client", name), payload == null ? new JsonObject() : payload);
    }
  }
}
