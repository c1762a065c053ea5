package com.presencehub.shard;

import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.Role;
import com.presencehub.presence.UserKey;
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
}
