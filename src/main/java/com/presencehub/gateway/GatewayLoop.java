package com.presencehub.gateway;

import com.presencehub.logging.LogLimiter;
import com.presencehub.shard.ChangeBatch;
import com.presencehub.shard.SessionLink;
import com.presencehub.shard.SessionLoop;
import io.vertx.core.internal.ContextInternal;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One gateway event loop as the shards see it ({@link SessionLoop}): a shard flush hands it the
 * changes of all its sessions as one task, which writes each batch's frame, encoded once, to every
 * session of the batch that takes it as is ({@link ClientSession#changes(com.presencehub.shard.SharedChanges)}).
 * One per loop context, kept in the context's data.
 */
final class GatewayLoop implements SessionLoop {

  private static final Logger LOG = LoggerFactory.getLogger(GatewayLoop.class);
  private static final LogLimiter FAILED_LINES = new LogLimiter(5, 10_000);

  private final ContextInternal loop;

  private GatewayLoop(ContextInternal loop) {
    this.loop = loop;
  }

  /** The loop of {@code context} (its event-loop context, duplicates unwrapped); any thread. */
  static GatewayLoop of(ContextInternal context) {
    ContextInternal root = context.unwrap();
    return (GatewayLoop) root.contextData().computeIfAbsent(GatewayLoop.class, k -> new GatewayLoop(root));
  }

  @Override
  public void deliver(List<ChangeBatch> batches) {
    loop.execute(batches, this::write);
  }

  private void write(List<ChangeBatch> batches) {
    for (ChangeBatch b : batches) {
      for (SessionLink s : b.sessions()) {
        try {
          // Only ClientSessions name this loop (ClientSession#loop).
          ((ClientSession) s).changes(b.changes());
        } catch (RuntimeException e) {
          // One session's failure must not cost the others on the loop their changes.
          String suffix = FAILED_LINES.admit(System.currentTimeMillis());
          if (suffix != null) {
            LOG.warn("presence changes for a session failed: " + e + suffix);
          }
          LOG.debug("presence changes for a session failed", e);
        }
      }
    }
  }
}
