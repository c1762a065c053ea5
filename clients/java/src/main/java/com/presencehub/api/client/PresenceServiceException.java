package com.presencehub.api.client;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * The hub refused or failed a request: {@link #failureCode()} is one of {@link PresenceBus}'s
 * codes and the message says why ({@code 400}: it names the field). Being a {@link ReplyException},
 * it reads the same as a raw event-bus failure.
 */
public class PresenceServiceException extends ReplyException {

  public PresenceServiceException(int code, String message) {
    super(ReplyFailure.RECIPIENT_FAILURE, code, message);
  }
}
