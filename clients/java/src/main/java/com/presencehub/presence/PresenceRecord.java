package com.presencehub.presence;

/**
 * A user's presence as the contract shows it. {@code role} is {@code null} for a user the hub has
 * never seen (its role is only known from a token); {@code since} is {@code null} for such a user
 * too, and {@code lastActiveAt} is {@code null} until activity has been seen.
 */
public record PresenceRecord(
    String tenant,
    String user,
    Role role,
    Status status,
    Reason reason,
    Long since,
    Long lastActiveAt) {

  public static PresenceRecord unknown(UserKey key) {
    return new PresenceRecord(key.tenant(), key.user(), null, Status.OFFLINE, Reason.DISCONNECTED, null, null);
  }

  public UserKey key() {
    return new UserKey(tenant, user);
  }
}
