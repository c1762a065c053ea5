package com.presencehub.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class WriteBacklogTest {

  @Test
  @DisplayName("full once the queued characters reach the limit, since that moment")
  void fullAtTheLimit() {
    WriteBacklog b = new WriteBacklog(100);
    assertFalse(b.queued(99, 10));
    assertFalse(b.full());
    assertEquals(-1, b.fullSinceMs());
    assertTrue(b.queued(1, 20));
    assertTrue(b.full());
    assertEquals(20, b.fullSinceMs());
    assertFalse(b.queued(50, 30), "already full: not a new transition");
    assertEquals(20, b.fullSinceMs());
  }

  @Test
  @DisplayName("drained only once back to half the limit, and only once")
  void drainsAtHalf() {
    WriteBacklog b = new WriteBacklog(100);
    b.queued(60, 0);
    b.queued(60, 0);
    assertFalse(b.written(60), "60 queued: still above half");
    assertTrue(b.full());
    assertTrue(b.written(20));
    assertFalse(b.full());
    assertEquals(-1, b.fullSinceMs());
    assertFalse(b.written(40), "a second drain is not reported");
    assertEquals(0, b.queuedChars());
  }

  @Test
  @DisplayName("a frame that is written without having filled the queue changes nothing but the count")
  void writtenWhileNotFull() {
    WriteBacklog b = new WriteBacklog(100);
    b.queued(10, 0);
    assertFalse(b.written(10));
    assertFalse(b.written(10), "never goes below zero");
    assertEquals(0, b.queuedChars());
  }

  @Test
  @DisplayName("while the queue is full, requests are refused; ping, an auth refresh, bye and a reply-less activity are served")
  void servedWhenFull() {
    for (String type : List.of("query", "subscribe", "unsubscribe", "presence.set", "chat.push")) {
      assertFalse(SessionWriter.servedWhenFull(type, 1), type);
      assertFalse(SessionWriter.servedWhenFull(type, null), type);
    }
    assertFalse(SessionWriter.servedWhenFull("activity", "a"));
    assertTrue(SessionWriter.servedWhenFull("activity", null));
    for (String type : List.of("ping", "auth", "bye")) {
      assertTrue(SessionWriter.servedWhenFull(type, 1), type);
    }
  }
}
