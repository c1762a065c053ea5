package com.presencehub.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The chaos checker's reading of a stream with the listener's own re-reads in it. */
class StreamCheckerTest {

  private static JsonObject event(String status, long at) {
    return new JsonObject().put("user", "u").put("status", status).put("receivedAt", at);
  }

  private static JsonObject reread(String status, long at) {
    return event(status, at).put("resync", true);
  }

  private static StreamChecker.Report check(JsonObject... changes) {
    String last = changes[changes.length - 1].getString("status");
    return StreamChecker.check(List.of(changes), Set.of("u"), Map.of("n0", Map.of("u", last)), (u, at) -> false);
  }

  @Test
  @DisplayName("two consecutive events with the same status are a duplicate")
  void duplicate() {
    assertEquals(1, check(event("online", 1), event("online", 2)).duplicates().size());
    assertEquals(0, check(event("online", 1), event("offline", 2)).duplicates().size());
  }

  @Test
  @DisplayName("a re-read ahead of the stream, then the event that catches up: no duplicate")
  void rereadAheadOfTheStream() {
    // offline published; the listener split off; its re-read shows the view (online) before the
    // speaker, silent until its view settled, publishes online once.
    StreamChecker.Report r = check(event("offline", 1), reread("online", 2), event("online", 3), reread("online", 4));
    assertEquals(0, r.duplicates().size(), r.toString());
    assertEquals(2, r.events());
  }

  @Test
  @DisplayName("a re-read that agrees with the last event keeps the duplicate check across it")
  void agreeingReread() {
    StreamChecker.Report r = check(event("online", 1), reread("online", 2), event("online", 3));
    assertEquals(1, r.duplicates().size(), r.toString());
  }

  @Test
  @DisplayName("after a differing re-read, checking resumes from the next event")
  void checkingResumes() {
    StreamChecker.Report r = check(event("offline", 1), reread("online", 2), event("online", 3), event("online", 4));
    assertEquals(1, r.duplicates().size(), r.toString());
  }
}
