package com.presencehub.api.client.impl;

import com.presencehub.api.client.ChangeSubscription;
import com.presencehub.api.client.NotReachableException;
import com.presencehub.api.client.PresenceService;
import com.presencehub.api.client.PresenceServiceException;
import com.presencehub.api.client.Reachability;
import com.presencehub.api.client.Sender;
import com.presencehub.ordering.DeliveryQueue;
import com.presencehub.presence.DeliveryKind;
import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.Role;
import com.presencehub.presence.Status;
import com.presencehub.protocol.BusMessages;
import com.presencehub.protocol.RecordJson;
import com.presencehub.protocol.RequestFailure;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * {@link PresenceService} over the event bus: JSON requests on the §5 addresses, replies decoded
 * into the presence value types, failures typed.
 */
public final class EventBusPresenceService implements PresenceService {

  // The JDK's System.Logger keeps the client free of a logging dependency: it goes to
  // java.util.logging, which the hub bridges to SLF4J/Logback (jul-to-slf4j).
  private static final System.Logger LOG = System.getLogger(EventBusPresenceService.class.getName());

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
    return request(BusMessages.QUERY, BusMessages.query(tenant, users)).map(reply -> BusMessages.queryReply(tenant, reply));
  }

  @Override
  public Future<Reachability> reachable(String tenant, String user, DeliveryKind kind) {
    return request(BusMessages.REACHABLE, BusMessages.reachable(tenant, user, kind)).map(reply -> {
      BusMessages.ReachableReply r = BusMessages.reachableReply(tenant, reply);
      return new Reachability(r.reachable(), r.presence());
    });
  }

  @Override
  public Future<List<PresenceRecord>> roster(String tenant, Role role) {
    return roster(BusMessages.roster(tenant, role, null), tenant);
  }

  @Override
  public Future<List<PresenceRecord>> roster(String tenant, Role role, Set<Status> statuses) {
    return roster(BusMessages.roster(tenant, role, statuses), tenant);
  }

  private Future<List<PresenceRecord>> roster(JsonObject req, String tenant) {
    return request(BusMessages.ROSTER, req).map(reply -> BusMessages.rosterReply(tenant, reply));
  }

  @Override
  public Future<Integer> deliver(String tenant, String to, DeliveryKind kind, Sender from, JsonObject payload) {
    JsonObject req = BusMessages.deliver(tenant, to, kind, from.toJson(), payload);
    Context caller = vertx.getOrCreateContext();
    // Sent from the caller's context, so that the reply comes back there, not to the previous caller's.
    return deliveries.submit(new Target(tenant, to), task -> caller.runOnContext(v -> task.run()),
        () -> request(BusMessages.DELIVER, req).map(BusMessages::delivered));
  }

  @Override
  public ChangeSubscription changes(Handler<PresenceRecord> handler) {
    MessageConsumer<Object> consumer = vertx.eventBus().consumer(BusMessages.CHANGES, msg -> {
      PresenceRecord record;
      try {
        record = RecordJson.change((JsonObject) msg.body());
      } catch (RuntimeException malformed) {
        LOG.log(System.Logger.Level.WARNING, "ignoring a malformed presence change: " + msg.body(), malformed);
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
    RequestFailure failure = RequestFailure.decode(re.failureCode(), re.getMessage());
    if (failure.status() != null) {
      return new NotReachableException(failure.status(), failure.getMessage());
    }
    return new PresenceServiceException(failure.code(), failure.getMessage());
  }
}
