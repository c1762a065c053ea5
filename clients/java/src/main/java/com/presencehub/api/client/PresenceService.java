package com.presencehub.api.client;

import com.presencehub.api.client.impl.EventBusPresenceService;
import com.presencehub.presence.DeliveryKind;
import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.Role;
import com.presencehub.presence.Status;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The hub's presence, for services written with Vert.x (PROTOCOL.md §5): who is reachable, and
 * delivery to users, without knowing anything about sockets. It only needs a {@link Vertx} whose
 * event bus reaches the hub's nodes (a member of the hub's cluster, or the hub's own Vert.x), and
 * sends JSON on the documented addresses ({@code docs/event-bus-api.md}).
 *
 * <p>Failures: a refusal by the hub is a {@link PresenceServiceException} (code 400 names the bad
 * field), a refused delivery a {@link NotReachableException}; when no hub node answers, the event
 * bus's own {@link io.vertx.core.eventbus.ReplyException} ({@code NO_HANDLERS}, {@code TIMEOUT}).
 *
 * <p>Safe to use from any thread; futures complete on the caller's context when it has one.
 */
public interface PresenceService {

  /** A facade with the event bus's default send timeout (30 s). */
  static PresenceService create(Vertx vertx) {
    return new EventBusPresenceService(vertx, new DeliveryOptions());
  }

  /** A facade whose requests use {@code options} (e.g. a shorter send timeout). */
  static PresenceService create(Vertx vertx, DeliveryOptions options) {
    return new EventBusPresenceService(vertx, options);
  }

  /**
   * The current record of each of {@code users} (distinct, 1 to 1000 by default), keyed by user
   * in the order asked. A user the hub has never seen is {@code offline} with a null role.
   */
  Future<Map<String, PresenceRecord>> query(String tenant, Collection<String> users);

  /** Whether {@code user} can take a delivery of {@code kind} now, by the reachability table. */
  Future<Reachability> reachable(String tenant, String user, DeliveryKind kind);

  /** The tenant's users of {@code role} that are {@code online} or {@code away}, by user id. */
  Future<List<PresenceRecord>> roster(String tenant, Role role);

  /**
   * The tenant's users of {@code role} whose status is one of {@code statuses} (a non-empty set of
   * {@code ONLINE} and {@code AWAY}: a roster lists connected users only), ordered by user id.
   */
  Future<List<PresenceRecord>> roster(String tenant, Role role, Set<Status> statuses);

  /**
   * Delivers {@code {"type":kind,"from":from,"payload":payload}} to every session of {@code to}
   * if the reachability table allows {@code kind}; completes with the number of sessions that
   * took it (0 is possible: the user's sessions closed meanwhile, or they only linger in the
   * offline grace). Fails with {@link NotReachableException} otherwise.
   *
   * <p>Deliveries to one user through this facade arrive in call order, cluster-wide: the next
   * one to the same user is sent when the previous one is answered. Deliveries to different users
   * run concurrently. {@code payload} may be null (delivered as {@code {}}).
   */
  Future<Integer> deliver(String tenant, String to, DeliveryKind kind, Sender from, JsonObject payload);

  /**
   * Calls {@code handler} with every presence transition of every tenant, once each, in order per
   * user (the record's {@code tenant} says whose). Runs on the caller's context, if any.
   */
  ChangeSubscription changes(Handler<PresenceRecord> handler);

  /** {@link #changes(Handler)} for one tenant only. */
  default ChangeSubscription changes(String tenant, Handler<PresenceRecord> handler) {
    return changes(r -> {
      if (r.tenant().equals(tenant)) {
        handler.handle(r);
      }
    });
  }
}
