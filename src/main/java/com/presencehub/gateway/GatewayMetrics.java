package com.presencehub.gateway;

import com.presencehub.protocol.ErrorCode;

/**
 * What the gateway counts (sessions, frames, error frames by code); the node's metrics implement
 * it. Called from every event loop that serves sockets, so implementations must be lock-free.
 */
public interface GatewayMetrics {

  /** SockJS transports as they name themselves in request paths, plus the raw WebSocket endpoint. */
  java.util.List<String> TRANSPORTS =
      java.util.List.of("websocket", "raw_websocket", "xhr_streaming", "xhr", "eventsource", "htmlfile", "jsonp");

  /**
   * A session authenticated and opened.
   *
   * @param transport one of {@link #TRANSPORTS}, or {@code unknown}
   */
  void sessionOpened(String transport);

  /** An opened session on {@code transport} ended. */
  void sessionClosed(String transport);

  /** A client frame arrived. */
  void frameIn();

  /** A frame went to a client. */
  void frameOut();

  /** An error frame with this code went to a client. */
  void error(ErrorCode code);
}
