package com.presencehub.gateway;

import com.presencehub.protocol.ErrorCode;

/**
 * What the gateway counts (sessions, frames, error frames by code); the node's metrics implement
 * it. Called from every event loop that serves sockets, so implementations must be lock-free.
 */
public interface GatewayMetrics {

  /** A session authenticated and opened. */
  void sessionOpened();

  /** An opened session ended. */
  void sessionClosed();

  /** A client frame arrived. */
  void frameIn();

  /** A frame went to a client. */
  void frameOut();

  /** An error frame with this code went to a client. */
  void error(ErrorCode code);
}
