package com.presencehub.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Predicates over hub → client frames that describe themselves, so that a failed wait says what it
 * was waiting for.
 */
public final class FrameMatch implements Predicate<JsonObject> {

  private final String description;
  private final Predicate<JsonObject> test;

  private FrameMatch(String description, Predicate<JsonObject> test) {
    this.description = description;
    this.test = test;
  }

  public static FrameMatch of(String description, Predicate<JsonObject> test) {
    return new FrameMatch(description, test);
  }

  /** Any frame at all. */
  public static FrameMatch any() {
    return of("any frame", f -> true);
  }

  public static FrameMatch type(String type) {
    return of("type " + type, f -> type.equals(f.getString("type")));
  }

  /** An {@code error} frame with this code. */
  public static FrameMatch error(String code) {
    return of("error " + code, f -> "error".equals(f.getString("type")) && code.equals(f.getString("code")));
  }

  /** A reply ({@code ack}, {@code error}, {@code presence}, {@code welcome}) to the request with this id. */
  public static FrameMatch reply(Object id) {
    return of("reply to id " + id, f -> Objects.equals(id, f.getValue("id")));
  }

  /** A {@code presence} frame carrying a record of {@code user} with this status. */
  public static FrameMatch update(String user, String status) {
    return of("presence of " + user + " " + status,
        f -> status.equals(recordOf(f, user) == null ? null : recordOf(f, user).getString("status")));
  }

  /** A {@code presence} frame carrying a record of {@code user} with this status and reason. */
  public static FrameMatch update(String user, String status, String reason) {
    return of("presence of " + user + " " + status + "/" + reason, f -> {
      JsonObject r = recordOf(f, user);
      return r != null && status.equals(r.getString("status")) && reason.equals(r.getString("reason"));
    });
  }

  /** A {@code presence} frame carrying any record of {@code user}. */
  public static FrameMatch updateOf(String user) {
    return of("presence of " + user, f -> recordOf(f, user) != null);
  }

  /** The last record of {@code user} in a {@code presence} frame, or null. */
  public static JsonObject recordOf(JsonObject frame, String user) {
    if (!"presence".equals(frame.getString("type")) || !(frame.getValue("updates") instanceof JsonArray updates)) {
      return null;
    }
    JsonObject found = null;
    for (Object o : updates) {
      if (o instanceof JsonObject r && user.equals(r.getString("user"))) {
        found = r;
      }
    }
    return found;
  }

  public FrameMatch and(FrameMatch other) {
    return of(description + " and " + other.description, f -> test.test(f) && other.test(f));
  }

  public FrameMatch or(FrameMatch other) {
    return of(description + " or " + other.description, f -> test.test(f) || other.test(f));
  }

  @Override
  public boolean test(JsonObject frame) {
    return test.test(frame);
  }

  @Override
  public String toString() {
    return description;
  }
}
