package com.presencehub.shard;

import com.presencehub.presence.Contribution;
import com.presencehub.presence.Preference;
import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.Role;
import com.presencehub.presence.UserKey;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Where each user's state lives: users are spread over the shards by a hash of their key, and
 * every operation on a user runs on the event loop of its shard. Callers on other loops hop there
 * and back; no state is ever touched from two threads.
 *
 * <p>Callers use the named operations below; a request naming many users is split by shard and
 * answered in request order ({@link ShardSplit}). Answers complete on the caller's context.
 */
public final class ShardDirectory {

  private final ContextInternal[] contexts;
  private final PresenceShard[] shards;

  public ShardDirectory(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("shard count must be >= 1");
    }
    this.contexts = new ContextInternal[count];
    this.shards = new PresenceShard[count];
  }

  /**
   * Called by each shard as it starts. No lock: the node deploys its gateways only after every
   * shard's deployment has completed, and that completion publishes these writes to them.
   */
  void attach(int index, ContextInternal context, PresenceShard shard) {
    contexts[index] = context;
    shards[index] = shard;
  }

  public int size() {
    return shards.length;
  }

  public int indexOf(UserKey key) {
    return key.shardOf(shards.length);
  }

  /** Runs {@code op} on the owner of {@code key}; nothing comes back. */
  void tell(UserKey key, Consumer<PresenceShard> op) {
    tell(indexOf(key), op);
  }

  /** Runs {@code op} on shard {@code i}; nothing comes back. */
  void tell(int i, Consumer<PresenceShard> op) {
    ContextInternal ctx = contexts[i];
    PresenceShard shard = shards[i];
    if (ctx.isRunningOnContext()) {
      op.accept(shard);
    } else {
      ctx.execute(() -> op.accept(shard));
    }
  }

  /** Runs {@code op} on shard {@code index}; the result completes on the caller's context. */
  <T> Future<T> ask(int index, Function<PresenceShard, T> op) {
    ContextInternal caller = callerContext(index);
    PromiseInternal<T> promise = caller.promise();
    ContextInternal ctx = contexts[index];
    PresenceShard shard = shards[index];
    if (ctx.isRunningOnContext()) {
      try {
        promise.complete(op.apply(shard));
      } catch (RuntimeException e) {
        promise.fail(e);
      }
      return promise.future();
    }
    // The answer goes back through the caller's queue, not straight into the promise from the
    // shard's thread: a result completed there could run its continuation ahead of earlier
    // answers still queued on the caller's loop, and two asks in a row must answer in order.
    ctx.execute(() -> {
      T result;
      try {
        result = op.apply(shard);
      } catch (RuntimeException e) {
        caller.execute(() -> promise.fail(e));
        return;
      }
      caller.execute(() -> promise.complete(result));
    });
    return promise.future();
  }

  <T> Future<T> ask(UserKey key, Function<PresenceShard, T> op) {
    return ask(indexOf(key), op);
  }

  /** Runs {@code op} on every shard; the results come in shard order. */
  <T> Future<List<T>> askAll(Function<PresenceShard, T> op) {
    List<Future<T>> parts = new ArrayList<>(shards.length);
    for (int i = 0; i < shards.length; i++) {
      parts.add(ask(i, op));
    }
    return Future.all(parts).map(all -> {
      List<T> out = new ArrayList<>(parts.size());
      for (Future<T> f : parts) {
        out.add(f.result());
      }
      return out;
    });
  }

  /** Asks each shard of {@code split} about its part; the answers by shard index. */
  private <T, A> Future<Map<Integer, A>> scatter(ShardSplit<T> split, BiFunction<PresenceShard, List<T>, A> op) {
    Map<Integer, Future<A>> asks = new HashMap<>();
    split.parts().forEach((i, part) -> asks.put(i, ask(i, s -> op.apply(s, part))));
    return Future.all(new ArrayList<>(asks.values())).map(all -> {
      Map<Integer, A> out = new HashMap<>();
      asks.forEach((i, f) -> out.put(i, f.result()));
      return out;
    });
  }

  /** Runs {@code op} on each shard of {@code split} with its part; nothing comes back. */
  private <T> void tellParts(ShardSplit<T> split, BiConsumerOnShard<T> op) {
    split.parts().forEach((i, part) -> tell(i, s -> op.accept(s, part)));
  }

  private interface BiConsumerOnShard<T> {
    void accept(PresenceShard shard, List<T> part);
  }

  private ShardSplit<String> byShard(String tenant, Collection<String> userIds) {
    return new ShardSplit<>(List.copyOf(userIds), u -> indexOf(new UserKey(tenant, u)));
  }

  // ---- sessions (gateway) ---------------------------------------------------------------------

  /** {@link PresenceShard#open} on the session's shard. */
  public Future<Opened> open(SessionLink session) {
    return ask(session.user(), s -> s.open(session));
  }

  /** {@link PresenceShard#activity}; nothing comes back. */
  public void activity(SessionLink session, long at) {
    tell(session.user(), s -> s.activity(session, at));
  }

  /** {@link PresenceShard#close}; nothing comes back. */
  public void close(SessionLink session, boolean bye) {
    tell(session.user(), s -> s.close(session, bye));
  }

  /** A tech chose Away until {@code until} (epoch ms, or {@code UserPresence.NEVER}); the new record. */
  public Future<PresenceRecord> preferAway(UserKey key, long until) {
    return ask(key, s -> s.preferAway(key, until));
  }

  /** A tech set {@code online}; the new record. */
  public Future<PresenceRecord> clearPreferredAway(UserKey key) {
    return ask(key, s -> s.clearPreferredAway(key));
  }

  // ---- subscriptions (gateway) ------------------------------------------------------------------

  /**
   * Watches {@code userIds} of the watcher's tenant, all or nothing per shard: the records in
   * request order, or (when any is not visible to the watcher) the forbidden ids, shard by shard.
   * A shard that found one forbidden registered nothing; the others did (undo with
   * {@link #unsubscribeUsers}).
   */
  public Future<Lookup> subscribeUsers(SessionLink watcher, List<String> userIds) {
    ShardSplit<String> split = byShard(watcher.user().tenant(), userIds);
    return scatter(split, (s, part) -> s.subscribeUsers(watcher, part)).map(answers -> gathered(split, answers));
  }

  public void unsubscribeUsers(SessionLink watcher, Collection<String> userIds) {
    tellParts(byShard(watcher.user().tenant(), userIds), (s, part) -> s.unsubscribeUsers(watcher, part));
  }

  /** Watches the watcher's tenant's roster of {@code role} on every shard; its users that are not offline. */
  public Future<List<PresenceRecord>> subscribeRoster(SessionLink watcher, Role role) {
    return askAll(s -> s.subscribeRoster(watcher, role)).map(ShardDirectory::concat);
  }

  public void unsubscribeRoster(SessionLink watcher, Role role) {
    for (int i = 0; i < shards.length; i++) {
      tell(i, s -> s.unsubscribeRoster(watcher, role));
    }
  }

  // ---- queries --------------------------------------------------------------------------------

  /** {@link PresenceShard#lookup} over all of {@code userIds}, gathered like {@link #subscribeUsers}. */
  public Future<Lookup> lookup(UserKey viewer, Role viewerRole, List<String> userIds) {
    ShardSplit<String> split = byShard(viewer.tenant(), userIds);
    return scatter(split, (s, part) -> s.lookup(viewer, viewerRole, part)).map(answers -> gathered(split, answers));
  }

  private static Lookup gathered(ShardSplit<String> split, Map<Integer, Lookup> answers) {
    List<String> forbidden = new ArrayList<>();
    Map<Integer, List<PresenceRecord>> records = new HashMap<>();
    for (Integer i : split.parts().keySet()) {
      forbidden.addAll(answers.get(i).forbidden());
      records.put(i, answers.get(i).records());
    }
    return forbidden.isEmpty() ? new Lookup(split.inRequestOrder(records), List.of()) : new Lookup(List.of(), forbidden);
  }

  public Future<PresenceRecord> record(UserKey key) {
    return ask(key, s -> s.record(key));
  }

  /** The records of {@code keys}, in request order (no visibility rule: services see everyone). */
  public Future<List<PresenceRecord>> records(List<UserKey> keys) {
    ShardSplit<UserKey> split = new ShardSplit<>(keys, this::indexOf);
    return scatter(split, (s, part) -> {
      List<PresenceRecord> out = new ArrayList<>(part.size());
      part.forEach(k -> out.add(s.record(k)));
      return out;
    }).map(split::inRequestOrder);
  }

  /** The users of a roster that are not offline, shard by shard. */
  public Future<List<PresenceRecord>> roster(String tenant, Role role) {
    Roster roster = new Roster(tenant, role);
    return askAll(s -> s.roster(roster)).map(ShardDirectory::concat);
  }

  /** The record and the sessions of a user, for a delivery. */
  public Future<Target> target(UserKey key) {
    return ask(key, s -> s.target(key));
  }

  /** What the shards hold, summed. */
  public Future<ShardStats> stats() {
    return askAll(PresenceShard::stats).map(all -> all.stream().reduce(ShardStats.ZERO, ShardStats::plus));
  }

  // ---- replication (cluster) and lifecycle ------------------------------------------------------

  /** Preferences written on other nodes, each to its user's shard; nothing comes back. */
  public void applyPreferences(List<Preference> preferences) {
    tellParts(new ShardSplit<>(preferences, p -> indexOf(p.user())), PresenceShard::applyPreferences);
  }

  /** Another node's changed shares, each to its user's shard; nothing comes back. */
  public void applyRemote(String node, List<Contribution> shares) {
    tellParts(new ShardSplit<>(shares, c -> indexOf(c.user())), (s, part) -> s.applyRemote(node, part));
  }

  /** Flushes every shard's pending deliveries and shares now; completes once all did. */
  public Future<Void> flush() {
    return askAll(s -> {
      s.flush();
      return null;
    }).mapEmpty();
  }

  /**
   * Completes once every shard has run what was queued on it before this call. Always queued, never
   * run at once: Vert.x runs a task submitted on a loop's own thread at once, whatever context
   * submitted it ({@code ContextBase.execute}), so a barrier called from another context on a
   * shard's loop thread would overtake the tasks queued there before it (a review finding, issue 17).
   */
  public Future<Void> barrier() {
    List<Future<Void>> all = new ArrayList<>(contexts.length);
    for (int i = 0; i < contexts.length; i++) {
      PromiseInternal<Void> done = callerContext(i).promise();
      contexts[i].runOnContext(v -> done.complete());
      all.add(done.future());
    }
    return Future.all(all).mapEmpty();
  }

  private static <T> List<T> concat(List<List<T>> parts) {
    List<T> all = new ArrayList<>();
    parts.forEach(all::addAll);
    return all;
  }

  private ContextInternal callerContext(int index) {
    ContextInternal current = (ContextInternal) Vertx.currentContext();
    return current != null ? current : contexts[index];
  }
}
