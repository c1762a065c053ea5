package com.presencehub.testing;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the whole {@code presence.changes} stream of a run (PROTOCOL.md §5, §6) and finds what
 * breaks the contract:
 * <ul>
 *   <li>duplicates: two consecutive events of a user with the same status and reason;
 *   <li>contradictions: a user whose last event (none: offline) differs from a node's final view;
 *   <li>flaps: an {@code offline} event for a user the caller says must never be offline at that
 *       time (it held a session on a node that stayed healthy), counted by the caller's predicate.
 * </ul>
 * Users outside {@code users} are ignored (test helpers such as askers). Records marked {@code
 * "resync": true} are what the listener read back after its own Hazelcast member was split off and
 * merged ({@link ClusterMember#changesWithRereads}): no event; where one differs from the last
 * event, the next event is not compared with anything (the listener cannot tell missed events
 * from a view ahead of the stream); the last record is the user's state.
 */
public final class StreamChecker {

  /** Decides whether an offline event of {@code user} received at {@code at} (ms) is a flap. */
  public interface Healthy {
    boolean mustBeOnline(String user, long at);
  }

  public record Report(int events, List<String> duplicates, List<String> contradictions, List<String> flaps) {

    public boolean clean() {
      return duplicates.isEmpty() && contradictions.isEmpty() && flaps.isEmpty();
    }

    @Override
    public String toString() {
      return "events " + events + ", duplicates " + duplicates.size() + ", contradictions " + contradictions.size()
          // One line: a CI log shows only the first line of a failed assertion's message.
          + ", flaps " + flaps.size() + (clean() ? "" : "; duplicates: " + head(duplicates)
          + "; contradictions: " + head(contradictions) + "; flaps: " + head(flaps));
    }

    private static List<String> head(List<String> l) {
      return l.size() <= 8 ? l : l.subList(0, 8);
    }
  }

  private StreamChecker() {
  }

  /**
   * @param changes the stream in arrival order (each with {@code receivedAt}, as {@link ClusterMember} records them)
   * @param users the users to check
   * @param views every node's final view: node → user → status ({@code offline} when absent)
   */
  public static Report check(List<JsonObject> changes, Set<String> users, Map<String, Map<String, String>> views,
      Healthy healthy) {
    Map<String, List<JsonObject>> byUser = new LinkedHashMap<>();
    int events = 0;
    for (JsonObject c : changes) {
      String u = c.getString("user");
      if (users.contains(u)) {
        byUser.computeIfAbsent(u, k -> new ArrayList<>()).add(c);
        events += c.getBoolean("resync", false) ? 0 : 1;
      }
    }
    List<String> duplicates = new ArrayList<>();
    List<String> flaps = new ArrayList<>();
    for (Map.Entry<String, List<JsonObject>> e : byUser.entrySet()) {
      JsonObject prev = null;
      for (JsonObject c : e.getValue()) {
        if (c.getBoolean("resync", false)) {
          // The listener re-read after its own merge. Where it agrees with the last event, the
          // listener missed nothing that shows: the duplicate check goes on from that event.
          // Where it differs, either the listener missed events published on the other side, or
          // the view it read is ahead of the stream (a speaker that is silent until its view
          // settles publishes the difference later, once): the listener cannot tell which, so
          // the next event is not judged a duplicate of anything. (Taking the re-read as the
          // last event counted the second case as a duplicate: CI at de0475c, a speaker in a
          // minority during the listener's split.)
          if (prev != null && !sameState(prev, c)) {
            prev = null;
          }
          continue;
        }
        if (prev != null && sameState(prev, c)) {
          duplicates.add(e.getKey() + " " + c.getString("status") + " at " + prev.getLong("receivedAt") + " and "
              + c.getLong("receivedAt"));
        }
        if ("offline".equals(c.getString("status")) && healthy.mustBeOnline(e.getKey(), c.getLong("receivedAt"))) {
          flaps.add(e.getKey() + " offline at " + c.getLong("receivedAt"));
        }
        prev = c;
      }
    }
    List<String> contradictions = new ArrayList<>();
    for (String u : users) {
      List<JsonObject> l = byUser.get(u);
      String last = l == null ? "offline" : l.get(l.size() - 1).getString("status");
      for (Map.Entry<String, Map<String, String>> v : views.entrySet()) {
        String shown = v.getValue().getOrDefault(u, "offline");
        if (!shown.equals(last)) {
          contradictions.add(u + ": stream says " + last + ", " + v.getKey() + " shows " + shown);
        }
      }
    }
    return new Report(events, duplicates, contradictions, flaps);
  }

  private static boolean sameState(JsonObject a, JsonObject b) {
    return a.getString("status").equals(b.getString("status"))
        && String.valueOf(a.getString("reason")).equals(String.valueOf(b.getString("reason")));
  }
}
