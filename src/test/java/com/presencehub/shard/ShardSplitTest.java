package com.presencehub.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The scatter / gather of a request over shards, without shards (no Vertx). */
@DisplayName("Splitting a request by shard")
class ShardSplitTest {

  /** Shard of an item: its first letter's position (a → 0, b → 1, …). */
  private static int shardOf(String item) {
    return item.charAt(0) - 'a';
  }

  @Test
  @DisplayName("groups items by shard, parts in order of first appearance, each part in request order")
  void groups() {
    ShardSplit<String> split = new ShardSplit<>(List.of("b1", "a1", "b2", "c1", "a2"), ShardSplitTest::shardOf);
    assertEquals(List.of(1, 0, 2), new ArrayList<>(split.parts().keySet()));
    assertEquals(List.of("b1", "b2"), split.parts().get(1));
    assertEquals(List.of("a1", "a2"), split.parts().get(0));
    assertEquals(List.of("c1"), split.parts().get(2));
  }

  @Test
  @DisplayName("puts each part's answers back in request order, duplicates included")
  void gathersInRequestOrder() {
    List<String> items = List.of("b1", "a1", "b1", "c1", "a2");
    ShardSplit<String> split = new ShardSplit<>(items, ShardSplitTest::shardOf);
    Map<Integer, List<String>> answers = new HashMap<>();
    split.parts().forEach((shard, part) -> answers.put(shard, part.stream().map(String::toUpperCase).toList()));
    assertEquals(List.of("B1", "A1", "B1", "C1", "A2"), split.inRequestOrder(answers));
  }

  @Test
  @DisplayName("an empty request has no parts and gathers to nothing")
  void empty() {
    ShardSplit<String> split = new ShardSplit<>(List.of(), ShardSplitTest::shardOf);
    assertEquals(Map.of(), split.parts());
    assertEquals(List.of(), split.inRequestOrder(Map.of()));
  }

  @Test
  @DisplayName("refuses answers that do not match a part")
  void mismatch() {
    ShardSplit<String> split = new ShardSplit<>(List.of("a1", "a2", "b1"), ShardSplitTest::shardOf);
    assertThrows(IllegalArgumentException.class, () -> split.inRequestOrder(Map.of(0, List.of("A1"), 1, List.of("B1"))));
    assertThrows(IllegalArgumentException.class, () -> split.inRequestOrder(Map.of(0, List.of("A1", "A2"))));
  }
}
