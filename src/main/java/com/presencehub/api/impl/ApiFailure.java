package com.presencehub.api.impl;

import com.presencehub.api.client.PresenceBus;
import com.presencehub.presence.DeliveryKind;
import com.presencehub.presence.Status;

/** A refusal with a failure code for the event-bus reply; the message is what the caller reads. */
public final class ApiFailure extends RuntimeException {

  private final int code;

  private ApiFailure(int code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  /** {@code field: reason}, e.g. {@code tenant: is required}. */
  public static ApiFailure badRequest(String field, String reason) {
    return new ApiFailure(PresenceBus.BAD_REQUEST, field + ": " + reason);
  }

  /** A tenant this cell does not serve (docs/cells.md); the message names the tenant and the cell. */
  public static ApiFailure forbidden(String message) {
    return new ApiFailure(PresenceBus.FORBIDDEN, message);
  }

  /** {@code not_reachable status=away: c-1 is away, chat.request not delivered}. */
  public static ApiFailure notReachable(String user, Status status, DeliveryKind kind) {
    return new ApiFailure(PresenceBus.NOT_REACHABLE, PresenceBus.NOT_REACHABLE_PREFIX + status.wire() + ": " + user
        + " is " + status.wire() + ", " + kind.wire() + " not delivered");
  }

  public int code() {
    return code;
  }
}
