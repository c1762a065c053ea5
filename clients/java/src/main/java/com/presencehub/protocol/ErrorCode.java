package com.presencehub.protocol;

/** The {@code code} of an {@code error} frame (PROTOCOL.md §4). */
public enum ErrorCode {
  BAD_REQUEST("bad_request"),
  UNAUTHORIZED("unauthorized"),
  FORBIDDEN("forbidden"),
  NOT_REACHABLE("not_reachable"),
  RATE_LIMITED("rate_limited"),
  TOO_LARGE("too_large");

  private final String wire;

  ErrorCode(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }
}
