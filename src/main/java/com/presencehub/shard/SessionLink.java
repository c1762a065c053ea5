package com.presencehub.shard;

import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.Role;
import com.presencehub.presence.UserKey;
import io.vertx.core.Future;
import java.util.List;

/**
 * What a shard knows of a session: whose it is, and where to send presence updates. The gateway's
 * session implements it; {@link #deliver} is called on the shard's thread and must hand the
 * updates over to the session's own thread.
 */
public interface SessionLink {

  UserKey user();

  Role role();

  /** Updates in the order the shard produced them; several may be batched in one call. */
  void deliver(List<PresenceRecord> updates);

  /**
   * Writes a delivery ({@code chat.request}, …) to this session; completes on the caller's
   * context with whether the session took it (a closed or backed-up session does not).
   */
  Future<Boolean> offer(String frame);
}
