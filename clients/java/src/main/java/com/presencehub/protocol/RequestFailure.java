package com.presencehub.protocol;

import com.presencehub.presence.DeliveryKind;
import com.presencehub.presence.Status;
import io.vertx.core.json.JsonObject;

/**
 * A request the hub refused or failed (PROTOCOL.md §5, §8), with what a caller acts on as data: the
 * failure {@link #code()} ({@value #BAD_REQUEST}, {@value #NOT_REACHABLE}, {@value #INTERNAL}) and,
 * for {@code not_reachable}, the target's {@link #status()}.
 *
 * <p>On the event bus it travels as a {@code ReplyException}'s failure code and message, which is
 * all a clustered reply failure carries; the message is structured so that {@link #decode} gets the
 * status back: {@code not_reachable status=away: c-1 is away, chat.request not delivered}. Over HTTP
 * it is the §8 error body, {@link #toJson()}. In process (the HTTP API calls the same operations)
 * the status is read from the field, never from the text.
 */
public final class RequestFailure extends RuntimeException {

  /** A field is missing, has the wrong type or a value outside its set; the message names it. */
  public static final int BAD_REQUEST = 400;
  /** {@code presence.deliver} only: the reachability table refuses the delivery. */
  public static final int NOT_REACHABLE = 404;
  /** The hub failed to answer a valid request (a bug or a node shutting down). */
  public static final int INTERNAL = 500;

  /** How a {@value #NOT_REACHABLE} message starts, followed by the target's status and a colon. */
  static final String NOT_REACHABLE_PREFIX = "not_reachable status=";

  private final int code;
  private final Status status;

  private RequestFailure(int code, Status status, String message) {
    super(message, null, false, false);
    this.code = code;
    this.status = status;
  }

  /** A refused field (400), message {@code field: reason}. */
  public static RequestFailure badRequest(FieldError e) {
    return new RequestFailure(BAD_REQUEST, null, e.getMessage());
  }

  /** {@code not_reachable status=away: c-1 is away, chat.request not delivered} (404), carrying {@code status}. */
  public static RequestFailure notReachable(String user, Status status, DeliveryKind kind) {
    return new RequestFailure(NOT_REACHABLE, status, NOT_REACHABLE_PREFIX + status.wire() + ": " + user
        + " is " + status.wire() + ", " + kind.wire() + " not delivered");
  }

  /** The hub failed (500): {@code internal: <what>}. */
  public static RequestFailure internal(String what) {
    return new RequestFailure(INTERNAL, null, "internal: " + what);
  }

  /**
   * Reads a failure back from a reply's code and message (the facade's side of the event bus).
   * A {@value #NOT_REACHABLE} whose message does not name a status decodes without one.
   */
  public static RequestFailure decode(int code, String message) {
    Status status = null;
    if (code == NOT_REACHABLE && message != null && message.startsWith(NOT_REACHABLE_PREFIX)) {
      int end = message.indexOf(':', NOT_REACHABLE_PREFIX.length());
      status = Status.fromWire(message.substring(NOT_REACHABLE_PREFIX.length(), end < 0 ? message.length() : end));
    }
    return new RequestFailure(code, status, message);
  }

  /** The failure code: the event bus's {@code failureCode}, the HTTP status. */
  public int code() {
    return code;
  }

  /** The target's status of a {@code not_reachable}, else null. */
  public Status status() {
    return status;
  }

  /** The §8 error code word of {@link #code()}: {@code bad_request}, {@code not_reachable}, {@code internal}. */
  public String wireCode() {
    return switch (code) {
      case BAD_REQUEST -> "bad_request";
      case NOT_REACHABLE -> "not_reachable";
      default -> "internal";
    };
  }

  /** The HTTP error body (§8): {@code {"code","message"[,"status"]}}. */
  public JsonObject toJson() {
    JsonObject body = errorBody(wireCode(), getMessage());
    if (status != null) {
      body.put("status", status.wire());
    }
    return body;
  }

  /** An HTTP error body (§8): {@code {"code":"bad_request","message":"tenant: is required"}}. */
  public static JsonObject errorBody(String code, String message) {
    return new JsonObject().put("code", code).put("message", message);
  }
}
