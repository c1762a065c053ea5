package com.presencehub.gateway.sockjs;

import com.presencehub.gateway.sockjs.SockJsFrames.Format;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * One receiving request of an HTTP session (a poll, or a stream): writes frames into its response
 * as its transport wraps them, and ends it after one frame (polling) or once {@code limitBytes}
 * went out (streaming, so the client opens a new one: sockjs-node's response_limit). Its headers
 * and prelude are written before the session sees it. Used on the session's context; Vert.x
 * passes the writes to the connection's loop.
 */
final class HttpReceiver {

  private final HttpServerResponse response;
  private final Format format;
  private final String callback;
  private final int limitBytes;
  private int sentBytes;
  private boolean ended;

  HttpReceiver(HttpServerResponse response, Format format, String callback, int limitBytes) {
    this.response = response;
    this.format = format;
    this.callback = callback;
    this.limitBytes = limitBytes;
  }

  /** Writes a frame; the response ends with it when the transport polls or the limit is reached. */
  Future<Void> send(String frame) {
    if (ended) {
      return Future.failedFuture("response ended");
    }
    Buffer bytes = Buffer.buffer(SockJsFrames.wrap(format, frame, callback));
    if (!format.streaming()) {
      ended = true;
      return response.end(bytes);
    }
    sentBytes += bytes.length();
    if (sentBytes >= limitBytes) {
      ended = true;
      return response.end(bytes);
    }
    return response.write(bytes);
  }

  /** Writes a frame and ends the response (a close frame, a 2010). */
  Future<Void> sendLast(String frame) {
    if (ended) {
      return Future.failedFuture("response ended");
    }
    ended = true;
    Buffer bytes = Buffer.buffer(SockJsFrames.wrap(format, frame, callback));
    return response.end(bytes);
  }

  /** True once the response is ended (by a frame, or from the session's side). */
  boolean ended() {
    return ended;
  }

  /** Ends the response without a frame (the session is gone). */
  void end() {
    if (!ended) {
      ended = true;
      response.end();
    }
  }
}
