package com.presencehub.shard;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * The scatter / gather of a request that names many users: the items grouped by the shard that
 * owns them (parts in order of first appearance, each part in request order), and the answers of
 * the parts put back in request order. Plain Java; {@link ShardDirectory} does the asking.
 *
 * @param <T> an item of the request (a user id, a key, a share)
 */
public final class ShardSplit<T> {

  private final List<T> items;
  private final int[] shardOf;
  private final Map<Integer, List<T>> parts = new LinkedHashMap<>();

  /** Groups {@code items} by {@code shard} (the index of the shard that owns an item). */
  public ShardSplit(List<T> items, ToIntFunction<T> shard) {
    this.items = items;
    this.shardOf = new int[items.size()];
    for (int i = 0; i < shardOf.length; i++) {
      T item = items.get(i);
      shardOf[i] = shard.applyAsInt(item);
      parts.computeIfAbsent(shardOf[i], k -> new ArrayList<>()).add(item);
    }
  }

  /** The parts by shard index, in order of first appearance. */
  public Map<Integer, List<T>> parts() {
    return parts;
  }

  /**
   * Puts answers back in request order: {@code answers} holds, per shard index, one answer per
   * item of that shard's part, in the part's order.
   *
   * @throws IllegalArgumentException when a part's answer count differs from its item count
   */
  public <R> List<R> inRequestOrder(Map<Integer, List<R>> answers) {
    Map<Integer, Integer> next = new LinkedHashMap<>();
    for (Map.Entry<Integer, List<T>> p : parts.entrySet()) {
      List<R> a = answers.get(p.getKey());
      if (a == null || a.size() != p.getValue().size()) {
        throw new IllegalArgumentException("shard " + p.getKey() + " answered " + (a == null ? "nothing" : a.size())
            + " for " + p.getValue().size() + " items");
      }
      next.put(p.getKey(), 0);
    }
    List<R> out = new ArrayList<>(items.size());
    for (int i = 0; i < shardOf.length; i++) {
      int n = next.merge(shardOf[i], 1, Integer::sum) - 1;
      out.add(answers.get(shardOf[i]).get(n));
    }
    return out;
  }
}
