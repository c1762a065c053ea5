package com.presencehub.gateway;

import com.presencehub.delivery.Courier;
import com.presencehub.config.HubConfig;
import com.presencehub.node.HubMetrics;
import com.presencehub.shard.ShardDirectory;
import io.vertx.core.Vertx;

/** What every session of a node shares. */
public record Gateway(Vertx vertx, HubConfig config, TokenVerifier verifier, ShardDirectory directory, HubMetrics metrics,
    Courier courier, SessionRegistry sessions) {

  public Gateway(Vertx vertx, HubConfig config, TokenVerifier verifier, ShardDirectory directory, HubMetrics metrics,
      Courier courier) {
    this(vertx, config, verifier, directory, metrics, courier, new SessionRegistry());
  }

  /** Sessions open on the node now, authenticated or not. */
  public int openSessions() {
    return sessions.size();
  }
}
