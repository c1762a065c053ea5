package com.presencehub.presence;

/**
 * Who may see (subscribe to, query, push to) whom within a tenant (PROTOCOL.md §4): a tech sees
 * everyone, a client sees techs only. A user the hub has never seen has no known role; it is
 * allowed here, and every later update about it is filtered by this same rule on delivery.
 */
public final class VisibilityPolicy {

  private VisibilityPolicy() {
  }

  public static boolean canSee(Role viewer, Role target) {
    return viewer == Role.TECH || target == null || target == Role.TECH;
  }

  public static boolean canWatchRoster(Role viewer, Role roster) {
    return viewer == Role.TECH || roster == Role.TECH;
  }
}
