package com.presencehub.gateway.sockjs;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The HTTP sessions of one node by SockJS session id, shared by every event loop that serves the
 * prefix: a request of a session finds it here whichever loop it reached, and is handed to the
 * session's own context. The WebSocket transports hold one connection per session and are not
 * listed.
 */
public final class SockJsSessionTable {

  private final ConcurrentHashMap<String, HttpSession> sessions = new ConcurrentHashMap<>();
  private final AtomicLong hops = new AtomicLong();
  private final AtomicLong opened = new AtomicLong();
  private final AtomicLong polls = new AtomicLong();

  HttpSession get(String id) {
    return sessions.get(id);
  }

  /** @return the session already listed under the id, or null when {@code s} was listed */
  HttpSession putIfAbsent(String id, HttpSession s) {
    HttpSession prev = sessions.putIfAbsent(id, s);
    if (prev == null) {
      opened.incrementAndGet();
    }
    return prev;
  }

  void remove(String id, HttpSession s) {
    sessions.remove(id, s);
  }

  void polled() {
    polls.incrementAndGet();
  }

  void hopped() {
    hops.incrementAndGet();
  }

  /** HTTP sessions listed now (open, or closed and still repeating their close frame). */
  public int size() {
    return sessions.size();
  }

  /** Requests handed to their session's context from another event loop, since start. */
  public long hops() {
    return hops.get();
  }

  /** Receiving requests (polls, streams) that found their session open, since start. */
  public long polls() {
    return polls.get();
  }

  /** HTTP sessions opened since start. */
  public long opened() {
    return opened.get();
  }
}
