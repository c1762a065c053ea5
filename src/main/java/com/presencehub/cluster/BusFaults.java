package com.presencehub.cluster;

import io.vertx.core.internal.logging.Logger;
import io.vertx.core.internal.logging.LoggerFactory;

/** What the clustered event bus of Vert.x 5.0 does wrong when a peer departs under a write, and how it is handled. */
final class BusFaults {

  private static final Logger LOG = LoggerFactory.getLogger(ReplicationVerticle.class);

  private BusFaults() {
  }

  /**
   * This loop's handler for what escapes a task. Vert.x 5.0.10's clustered event bus completes a
   * write's promise twice when a peer's connection closes under the write ({@code
   * OutboundConnection.writeMessage} → {@code onComplete(writePromise)} on a promise already
   * failed), and reports the {@code IllegalStateException: Promise already completed} from inside
   * its own listener, where no caller can catch it. It happens after a pause or a merge, writing to
   * a departed member; the write is lost either way, which sequence numbers and digests repair. Any
   * other throwable is logged as the error it is.
   */
  static void uncaught(Throwable e) {
    if (e instanceof IllegalStateException && String.valueOf(e.getMessage()).contains("Promise already completed")) {
      LOG.debug("a clustered event-bus write to a departed peer failed twice (handled): " + e);
      return;
    }
    LOG.error("Unhandled exception", e);
  }

  /**
   * Runs an event-bus write, handling the {@code IllegalStateException: Promise already completed}
   * that Vert.x 5.0's clustered event bus can throw synchronously when a peer's connection closed
   * under the write (seen after a pause, writing to departed members). A lost delta or digest is
   * what sequence numbers and digests repair; nothing else is to be done here.
   */
  static void safely(String what, Runnable write) {
    try {
      write.run();
    } catch (IllegalStateException e) {
      LOG.debug(what + " not sent: " + e);
    }
  }
}
