package com.presencehub.gateway;

import com.presencehub.protocol.ErrorCode;

/** A client frame the hub refuses; {@code field} names what was wrong (null for the whole frame). */
public final class BadFrameException extends RuntimeException {

  private final ErrorCode code;
  private final String field;

  public BadFrameException(ErrorCode code, String field, String message) {
    super(message, null, false, false);
    this.code = code;
    this.field = field;
  }

  public static BadFrameException badRequest(String field, String message) {
    return new BadFrameException(ErrorCode.BAD_REQUEST, field, field == null ? message : field + ": " + message);
  }

  public ErrorCode code() {
    return code;
  }

  public String field() {
    return field;
  }
}
