package com.presencehub.api.client.impl;

import com.presencehub.api.client.ChangeSubscription;
import com.presencehub.api.client.NotReachableException;
import com.presencehub.api.client.PresenceBus;
import com.presencehub.api.client.PresenceJson;
import com.presencehub.api.client.PresenceService;
import com.presencehub.api.client.PresenceServiceException;
import com.presencehub.api.client.Reachability;
import com.presencehub.api.client.Sender;
import com.presencehub.delivery.DeliveryQueue;
import com.presencehub.presence.DeliveryKind;
import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.Role;
import com.presencehub.presence.Status;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.internal.logging.Logger;
import io.vertx.core.internal.logging.LoggerFactory;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * {@link PresenceService} over the event bus: JSON requests on the §5 addresses, replies decoded
 * into the presence value types, failures typed.
 */
public final class EventBusPresenceService implements PresenceService {

  private static final Logger LOG = LoggerFactory.getLogger(EventBusPresenceService.class);

  private record Target(String tenant, String user) { }

  private final Vertx vertx;
  private final DeliveryOptions options;
  /**
   * The last delivery sent to each user, while it is unanswered: the next one to that user waits
   * for it. On a cluster the event bus spreads requests over the hub nodes, so two deliveries in
   * flight to one user could overtake each other; one at a time per user cannot.
   */
  private final DeliveryQueue<Target> deliveries = new DeliveryQueue<>();

  public EventBusPresenceService(Vertx vertx, DeliveryOptions options) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.options = new DeliveryOptions(Objects.requireNonNull(options, "options"));
  }

  @Override
  public Future<Map<String, PresenceRecord>> query(String tenant, Collection<String> users) {
    JsonObject req = new JsonObject().put("tenant", tenant).put("users", new JsonArray(new ArrayList<Object>(users)));
    return request(PresenceBus.QUERY, req).map(reply -> {
      JsonObject byUser = reply.getJsonObject("users");
      Map<String, PresenceRecord> out = new LinkedHashMap<>();
      for (String user : byUser.fieldNames()) {
        out.put(user, PresenceJson.record(tenant, byUser.getJsonObject(user)));
      }
      return out;
    });
  }

  @Override
  public Future<Reachability> reachable(String tenant, String user, DeliveryKind kind) {
    JsonObject req = new JsonObject().put("tenant", tenant).put("user", user).put("kind", kind.wire());
    return request(PresenceBus.REACHABLE, req).map(reply -> new Reachability(
        reply.getBoolean("reachable"), PresenceJson.record(tenant, reply.getJsonObject("presence"))));
  }

  @Override
  public Future<List<PresenceRecord>> roster(String tenant, Role role) {
    return roster(new JsonObject().put("tenant", tenant).put("role", role.wire()), tenant);
  }

  @Override
  public Future<List<PresenceRecord>> roster(String tenant, Role role, Set<Status> statuses) {
    JsonArray wanted = new JsonArray();
    for (Status s : statuses) {
      wanted.add(s.wire());
    }
    return roster(new JsonObject().put("tenant", tenant).put("role", role.wire()).put("status", wanted), tenant);
  }

  private Future<List<PresenceRecord>> roster(JsonObject req, String tenant) {
    return request(PresenceBus.ROSTER, req).map(reply -> {
      JsonArray users = reply.getJsonArray("users");
      List<PresenceRecord> out = new ArrayList<>(users.size());
      for (int i = 0; i < users.size(); i++) {
        out.add(PresenceJson.record(tenant, users.getJsonObject(i)));
      }
      return out;
    });
  }

  @Override
  public Future<Integer> deliver(String tenant, String to, DeliveryKind kind, Sender from, JsonObject payload) {
    JsonObject req = new JsonObject().put("tenant", tenant).put("to", to).put("kind", kind.wire())
        .put("from", from.toJson()).put("payload", payload == null ? new JsonObject() : payload);
    Context caller = vertx.getOrCreateContext();
    // Sent from the caller's context, so that the reply comes back there, not to the previous caller's.
    return deliveries.submit(new Target(tenant, to), task -> caller.runOnContext(v -> task.run()),
        () -> request(PresenceBus.DELIVER, req).map(reply -> reply.getInteger("delivered")));
  }

  @Override
  public ChangeSubscription changes(Handler<PresenceRecord> handler) {
    MessageConsumer<Object> consumer = vertx.eventBus().consumer(PresenceBus.CHANGES, msg -> {
      PresenceRecord record;
      try {
        record = PresenceJson.change((JsonObject) msg.body());
      } catch (RuntimeException malformed) {
        LOG.warn("ignoring a malformed presence change: " + msg.body(), malformed);
        return;
      }
      handler.handle(record);
    });
    return new ChangeSubscription() {
      @Override
      public Future<Void> ready() {
        return consumer.completion();
      }

      @Override
      public Future<Void> close() {
        return consumer.unregister();
      }
    };
  }

  private Future<JsonObject> request(String address, JsonObject body) {
    return vertx.eventBus().<JsonObject>request(address, body, options)
        .transform(ar -> ar.succeeded() ? Future.succeededFuture(ar.result().body()) : Future.failedFuture(typed(ar.cause())));
  }

  /** The hub's refusals become typed; the event bus's own failures (no handlers, timeout) stay as they are. */
  static Throwable typed(Throwable cause) {
    if (!(cause instanceof ReplyException re) || re.failureType() != ReplyFailure.RECIPIENT_FAILURE) {
      return cause;
    }
    String message = re.getMessage();
    if (re.failureCode() == PresenceBus.NOT_REACHABLE && message != null && message.startsWith(PresenceBus.NOT_REACHABLE_PREFIX)) {
      int end = message.indexOf(':', PresenceBus.NOT_REACHABLE_PREFIX.length());
      Status status = Status.fromWire(message.substring(PresenceBus.NOT_REACHABLE_PREFIX.length(), end < 0 ? message.length() : end));
      if (status != null) {
        return new NotReachableException(status, message);
      }
    }
    return new PresenceServiceException(re.failureCode(), message);
  }
}
