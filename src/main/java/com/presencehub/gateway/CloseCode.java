package com.presencehub.gateway;

/** SockJS close codes the hub sends (PROTOCOL.md §4). */
public final class CloseCode {
  /** No, invalid or expired token, or no {@code auth} in time. */
  public static final int UNAUTHORIZED = 4401;
  /** Policy violation: frame too large, sustained rate abuse. */
  public static final int POLICY = 4408;
  /** The node is shutting down: reconnect (to another node). */
  public static final int SHUTTING_DOWN = 4503;

  private CloseCode() {
  }
}
