package com.presencehub.api.client;

import io.vertx.core.Future;

/** A listener on {@code presence.changes}; close it when done. */
public interface ChangeSubscription {

  /**
   * Completes once the listener is registered with the whole cluster: transitions after this are
   * not missed.
   */
  Future<Void> ready();

  /** Stops listening. */
  Future<Void> close();
}
