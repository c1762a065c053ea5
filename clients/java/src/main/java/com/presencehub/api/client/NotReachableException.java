package com.presencehub.api.client;

import com.presencehub.presence.Status;

/**
 * A delivery the reachability table refused (code {@value PresenceBus#NOT_REACHABLE}): the target
 * is {@link #status()} and the kind needs more (a client is offered a {@code chat.request} only
 * while online; nobody offline is reachable). Fall back (email, another tech).
 */
public final class NotReachableException extends PresenceServiceException {

  private final Status status;

  public NotReachableException(Status status, String message) {
    super(PresenceBus.NOT_REACHABLE, message);
    this.status = status;
  }

  public Status status() {
    return status;
  }
}
