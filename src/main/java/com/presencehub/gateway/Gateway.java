package com.presencehub.gateway;

import com.presencehub.ops.HubConfig;
import com.presencehub.ops.HubMetrics;
import com.presencehub.shard.ShardDirectory;
import io.vertx.core.Vertx;

/** What every session of a node shares. */
public record Gateway(Vertx vertx, HubConfig config, TokenVerifier verifier, ShardDirectory directory, HubMetrics metrics,
    SessionRegistry sessions) {

  public Gateway(Vertx vertx, HubConfig config, TokenVerifier verifier, ShardDirectory directory, HubMetrics metrics) {
    this(vertx, config, verifier, directory, metrics, new SessionRegistry());
  }
}
