package com.presencehub.gateway.impl;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lets the HTTP requests of one SockJS session into vertx-web's SockJS handler one at a time, across
 * event loops. Mount it after the body handler, right before the SockJS handler.
 *
 * <p>Why this exists: with several gateway instances, the requests of one polling session (xhr,
 * jsonp, …) land on different event loops, and vertx-web 5.0's {@code SockJSSession.register} is
 * not safe against that: the open frame {@code o} is flushed (and the poll's connection closed)
 * before the session records that it was sent, so a client quick to poll again can reach another
 * event loop while the first is still registering. It then gets a second {@code o} (sockjs-client
 * closes with 1006 "Server lost session") and the socket handler runs twice for one socket. Here a
 * request that finds its session busy is re-queued on its own event loop: nothing blocks.
 * WebSocket transports hold one connection per session and pass straight through.
 */
public final class SockJsSessionGate implements Handler<RoutingContext> {

  private static final int STRIPES = 256;

  private final Pattern sessionPath;
  private final AtomicBoolean[] busy = new AtomicBoolean[STRIPES];

  /** @param prefix the SockJS endpoint, such as {@code /presence} */
  public SockJsSessionGate(String prefix) {
    this.sessionPath = Pattern.compile("^" + Pattern.quote(prefix) + "/[^/.]+/([^/.]+)/([^/]+)$");
    for (int i = 0; i < STRIPES; i++) {
      busy[i] = new AtomicBoolean();
    }
  }

  @Override
  public void handle(RoutingContext rc) {
    Matcher m = sessionPath.matcher(rc.normalizedPath());
    if (!m.matches() || m.group(2).equals("websocket")) {
      rc.next();
      return;
    }
    enter(rc, busy[m.group(1).hashCode() & (STRIPES - 1)]);
  }

  private static void enter(RoutingContext rc, AtomicBoolean gate) {
    if (!gate.compareAndSet(false, true)) {
      rc.vertx().runOnContext(v -> enter(rc, gate));
      return;
    }
    try {
      rc.next();
    } finally {
      gate.set(false);
    }
  }
}
