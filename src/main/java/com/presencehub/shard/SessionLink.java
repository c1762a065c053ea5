package com.presencehub.shard;

import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.Role;
import com.presencehub.presence.UserKey;
import io.vertx.core.Future;
import java.util.List;

/**
 * What a shard knows of a session: whose it is, and where to send presence updates. The gateway's
 * session implements it; {@link #deliver} and {@link SessionLoop#deliver} are called on the shard's
 * thread and must hand the updates over to the session's own thread.
 */
public interface SessionLink {

  UserKey user();

  Role role();

  /**
   * Updates in the order the shard produced them; several may be batched in one call. Only for a
   * session without a {@link #loop}: one with a loop gets its updates through it.
   *
   * @throws UnsupportedOperationException unless the session overrides it
   */
  default void deliver(List<PresenceRecord> updates) {
    throw new UnsupportedOperationException("a session with a loop gets its updates through its SessionLoop");
  }

  /**
   * The loop this session lives on ({@link SessionLoop}): the shards hand it the session's updates
   * together with those of the loop's other sessions, one task per flush. Null (the default): the
   * shards call {@link #deliver}, once per session and flush. Fixed for the session's life.
   */
  default SessionLoop loop() {
    return null;
  }

  /**
   * Writes a delivery ({@code chat.request}, …) to this session; completes on the caller's
   * context with whether the session took it (a closed or backed-up session does not).
   */
  Future<Boolean> offer(String frame);
}
