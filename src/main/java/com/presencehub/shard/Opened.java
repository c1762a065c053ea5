package com.presencehub.shard;

import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.Role;
import com.presencehub.presence.UserPresence;

/**
 * What {@link PresenceShard#open} did: the user's record for the welcome, or a refusal with a
 * message for the client (then nothing changed: the session is not registered and the shard holds
 * nothing new).
 */
public record Opened(PresenceRecord record, Refusal refusal, String message) {

  /** Why a session was refused. */
  public enum Refusal {
    /** PROTOCOL.md §3: the user holds a session (open or in grace) with another role. */
    ROLE_CONFLICT,
    /** PROTOCOL.md §4: the user already holds {@code maxSessionsPerUser} sessions. */
    TOO_MANY_SESSIONS
  }

  /**
   * The refusal of a new session of role {@code wanted} for the user of {@code presence}: a
   * session of another role open or in its grace, here or on another node as replicated so far
   * (§3), or already {@code maxSessionsPerUser} open sessions cluster-wide (§4); null when it may open.
   */
  static Opened refusal(UserPresence presence, Role wanted, int maxSessionsPerUser) {
    String user = presence.key().user();
    Role held = presence.conflictingRole(wanted);
    if (held != null) {
      return new Opened(null, Refusal.ROLE_CONFLICT, "role conflict: user " + user + " has a session as " + held.wire()
          + "; a session as " + (wanted == null ? "none" : wanted.wire()) + " is refused until the user is offline (one role per user)");
    }
    int open = presence.sessionsAnywhere();
    if (open >= maxSessionsPerUser) {
      return new Opened(null, Refusal.TOO_MANY_SESSIONS, "user " + user + " already has " + open
          + " open sessions: the limit is " + maxSessionsPerUser + " (maxSessionsPerUser)");
    }
    return null;
  }

  public boolean refused() {
    return refusal != null;
  }
}
