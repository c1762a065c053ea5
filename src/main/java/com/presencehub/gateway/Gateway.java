package com.presencehub.gateway;

import com.presencehub.config.GatewayOptions;
import com.presencehub.delivery.Courier;
import com.presencehub.gateway.sockjs.SockJsSessionTable;
import com.presencehub.shard.ShardDirectory;
import io.vertx.core.Vertx;

/** What every session of a node shares. */
public record Gateway(Vertx vertx, GatewayOptions options, TokenVerifier verifier, ShardDirectory directory,
    GatewayMetrics metrics, Courier courier, SessionRegistry sessions) {

  public Gateway(Vertx vertx, GatewayOptions options, TokenVerifier verifier, ShardDirectory directory,
      GatewayMetrics metrics, Courier courier) {
    this(vertx, options, verifier, directory, metrics, courier, new SessionRegistry());
  }

  /** Sessions open on the node now, authenticated or not. */
  public int openSessions() {
    return sessions.size();
  }

  /** The node's SockJS HTTP sessions (counts of opens, polls, loop hops). */
  public SockJsSessionTable sockJsSessions() {
    return sessions.sockJs();
  }

  /** The auth step for a session of this node. */
  Admission admission() {
    return new Admission(verifier, directory, options);
  }
}
