package com.presencehub.gateway;

import com.presencehub.gateway.sockjs.SockJsSessionTable;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every session of a node, whichever gateway instance serves it. A node stop closes them all
 * before any instance stops accepting connections: a polling client's next poll, which carries
 * its 4503 close frame, may land on any instance.
 */
final class SessionRegistry {

  private final Set<ClientSession> sessions = ConcurrentHashMap.newKeySet();
  /** SockJS session id → liveness of the open sessions of the framed transports (not the raw WebSocket). */
  private final Map<String, LivenessTracker> liveness = new ConcurrentHashMap<>();
  private Future<Void> closingAll;
  /** The node's SockJS HTTP sessions, shared by its gateway event loops. */
  private final SockJsSessionTable sockJs = new SockJsSessionTable();

  SockJsSessionTable sockJs() {
    return sockJs;
  }

  /**
   * @return false once the node is shutting down: the caller closes the session at once. The lock
   *     is taken once per session opened (never per frame); it keeps a session that opens during
   *     {@link #closeAll} from being missed by it.
   */
  synchronized boolean add(ClientSession session) {
    if (closingAll != null) {
      return false;
    }
    sessions.add(session);
    return true;
  }

  void remove(ClientSession session) {
    sessions.remove(session);
  }

  /** Sessions open on this node now, authenticated or not (a leak shows here). */
  int size() {
    return sessions.size();
  }

  void track(String sockJsSessionId, LivenessTracker tracker) {
    liveness.put(sockJsSessionId, tracker);
  }

  /** Only this tracker: a later session may have taken the id meanwhile. */
  void untrack(String sockJsSessionId, LivenessTracker tracker) {
    liveness.remove(sockJsSessionId, tracker);
  }

  /**
   * A request of SockJS session {@code sockJsSessionId} arrived (a poll, a send, a streaming
   * reconnect): its peer is alive (PROTOCOL.md §4 Liveness: the polls prove it). Any thread.
   */
  void proveAlive(String sockJsSessionId, long nowMs) {
    LivenessTracker t = liveness.get(sockJsSessionId);
    if (t != null) {
      t.proof(nowMs);
    }
  }

  /** Closes every session with 4503; every caller gets the same future, done when all close frames are out. */
  synchronized Future<Void> closeAll() {
    if (closingAll == null) {
      List<Future<Void>> closing = new ArrayList<>();
      for (ClientSession s : sessions) {
        closing.add(s.shutDown());
      }
      closingAll = Future.join(closing).mapEmpty();
    }
    return closingAll;
  }
}
