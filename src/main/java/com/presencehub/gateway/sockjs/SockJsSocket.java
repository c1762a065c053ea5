package com.presencehub.gateway.sockjs;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;

/**
 * One SockJS session as the application sees it, whatever its transport (PROTOCOL.md §4). Every
 * method must be called on the session's own context (the one its socket handler ran on), and
 * every handler is called there: a session's state is touched on that context only, wherever its
 * requests arrive.
 */
public interface SockJsSocket {

  /**
   * The transport that opened the session, as metrics name it: {@code websocket}, {@code
   * raw_websocket}, {@code xhr}, {@code xhr_streaming}, {@code eventsource}, {@code htmlfile},
   * {@code jsonp}.
   */
  String transport();

  /** The SockJS session id of the request path; null on the raw WebSocket. */
  String sessionId();

  /** The WebSocket under the session (to ping the peer); null on the HTTP transports. */
  ServerWebSocket webSocket();

  /** The connection of a WebSocket session (its upgraded request's); null on the HTTP transports. */
  HttpConnection connection();

  /** Each message the peer sent, in order, as UTF-8 bytes. */
  SockJsSocket handler(Handler<Buffer> handler);

  /** Called once when the session ends, whoever ends it. */
  SockJsSocket closeHandler(Handler<Void> handler);

  /** Holds the messages that arrive until {@link #resume()}. */
  SockJsSocket pause();

  SockJsSocket resume();

  /**
   * Sends one message.
   *
   * @return completes once it left for the peer (on a polling transport: once a poll took it); fails
   *     when the session ended first
   */
  Future<Void> write(String message);

  /** Ends the session with SockJS's {@code 3000 "Go away!"}. */
  void close();

  /**
   * Ends the session with {@code c[code,"reason"]} (a WebSocket close frame on the raw WebSocket),
   * repeated to every later request of the session until it times out.
   *
   * @param waitMs how long a peer that does not take the close frame (a WebSocket that does not
   *     read) is waited for before its connection is dropped
   * @return completes once the close frame was written, or given up on
   */
  Future<Void> close(int code, String reason, long waitMs);
}
