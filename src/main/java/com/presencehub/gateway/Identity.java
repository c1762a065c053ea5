package com.presencehub.gateway;

import com.presencehub.presence.Role;
import com.presencehub.presence.UserKey;

/** Who a verified token says the caller is. */
public record Identity(UserKey key, Role role, String name, long expiresAtMs) {

  /** A refreshed token must be for the same user, tenant and role (PROTOCOL.md §3). */
  public boolean sameUserAs(Identity other) {
    return key.equals(other.key) && role == other.role;
  }
}
