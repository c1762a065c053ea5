package com.presencehub.shard;

import com.presencehub.presence.UserKey;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Where each user's state lives: users are spread over the shards by a hash of their key, and
 * every operation on a user runs on the event loop of its shard. Callers on other loops hop there
 * and back; no state is ever touched from two threads.
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
  public void tell(UserKey key, Consumer<PresenceShard> op) {
    tell(indexOf(key), op);
  }

  /** Runs {@code op} on shard {@code i}; nothing comes back. */
  public void tell(int i, Consumer<PresenceShard> op) {
    ContextInternal ctx = contexts[i];
    PresenceShard shard = shards[i];
    if (ctx.isRunningOnContext()) {
      op.accept(shard);
    } else {
      ctx.execute(() -> op.accept(shard));
    }
  }

  /** Runs {@code op} on shard {@code index}; the result completes on the caller's context. */
  public <T> Future<T> ask(int index, Function<PresenceShard, T> op) {
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

  public <T> Future<T> ask(UserKey key, Function<PresenceShard, T> op) {
    return ask(indexOf(key), op);
  }

  /** Runs {@code op} on every shard; the results come in shard order. */
  public <T> Future<List<T>> askAll(Function<PresenceShard, T> op) {
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

  private ContextInternal callerContext(int index) {
    ContextInternal current = (ContextInternal) Vertx.currentContext();
    return current != null ? current : contexts[index];
  }
}
