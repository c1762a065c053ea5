package com.presencehub.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The admission and retention rules of one user (PROTOCOL.md §3, §4, §2 Retention), pure. */
@DisplayName("A user's roles, session count and forgettability")
class UserPresenceRolesTest {

  private static final PresenceTimings TIMINGS = new PresenceTimings(1_000, 500, 10_000, 32);
  private static final UserKey U = new UserKey("acme", "u");
  private static final long NOW = 1_700_000_000_000L;

  private static Contribution share(Role role, int sessions, boolean lingering) {
    return new Contribution(U, role, sessions, lingering, true, NOW);
  }

  @Test
  @DisplayName("an unknown or offline user conflicts with no role")
  void offlineHasNoConflict() {
    UserPresence p = new UserPresence(U, Role.TECH, TIMINGS);
    assertNull(p.conflictingRole(Role.CLIENT));
    p.sessionOpened(Role.TECH, NOW);
    p.sessionClosed(true, NOW);
    assertNull(p.conflictingRole(Role.CLIENT), "offline after bye: the role is free");
  }

  @Test
  @DisplayName("a local session, open or in its grace, conflicts with the other role only")
  void localConflict() {
    UserPresence p = new UserPresence(U, null, TIMINGS);
    p.sessionOpened(Role.TECH, NOW);
    assertEquals(Role.TECH, p.conflictingRole(Role.CLIENT));
    assertNull(p.conflictingRole(Role.TECH));
    p.sessionClosed(false, NOW);
    assertEquals(Role.TECH, p.conflictingRole(Role.CLIENT), "in grace");
    p.graceExpired(NOW + 500);
    assertNull(p.conflictingRole(Role.CLIENT));
  }

  @Test
  @DisplayName("another node's share, open or in its grace, conflicts too; a gone share does not")
  void remoteConflict() {
    UserPresence p = new UserPresence(U, null, TIMINGS);
    p.applyRemote("n2", share(Role.CLIENT, 0, true), NOW);
    assertEquals(Role.CLIENT, p.conflictingRole(Role.TECH));
    p.applyRemote("n2", Contribution.gone(U, Role.CLIENT), NOW);
    assertNull(p.conflictingRole(Role.TECH));
  }

  @Test
  @DisplayName("sessions are counted here and on other nodes, without the ones in grace")
  void sessionsAnywhere() {
    UserPresence p = new UserPresence(U, null, TIMINGS);
    p.sessionOpened(Role.CLIENT, NOW);
    p.sessionOpened(Role.CLIENT, NOW);
    p.applyRemote("n2", share(Role.CLIENT, 3, false), NOW);
    p.applyRemote("n3", share(Role.CLIENT, 0, true), NOW);
    assertEquals(5, p.sessionsAnywhere());
  }

  @Test
  @DisplayName("with only other nodes' shares of two roles, the smallest node id gives the role, whatever the order they came in")
  void remoteRoleIsDeterministic() {
    UserPresence first = new UserPresence(U, null, TIMINGS);
    first.applyRemote("n3", share(Role.CLIENT, 1, false), NOW);
    first.applyRemote("n2", share(Role.TECH, 1, false), NOW);
    UserPresence second = new UserPresence(U, null, TIMINGS);
    second.applyRemote("n2", share(Role.TECH, 1, false), NOW);
    second.applyRemote("n3", share(Role.CLIENT, 1, false), NOW);
    assertEquals(Role.TECH, first.role());
    assertEquals(Role.TECH, second.role());
    first.applyRemote("n2", Contribution.gone(U, Role.TECH), NOW);
    assertEquals(Role.CLIENT, first.role());
  }

  @Test
  @DisplayName("a preferred away is a tech's: it does not make a client away")
  void preferenceIgnoredForClients() {
    UserPresence p = new UserPresence(U, null, TIMINGS);
    p.sessionOpened(Role.TECH, NOW);
    p.writePreference(true, UserPresence.NEVER, "n1", NOW);
    assertEquals(Reason.PREFERRED, p.reason());
    p.sessionClosed(true, NOW);
    p.sessionOpened(Role.CLIENT, NOW + 1);
    assertEquals(Status.ONLINE, p.status());
    assertEquals(Reason.ACTIVE, p.reason());
    p.sessionClosed(true, NOW + 2);
    p.sessionOpened(Role.TECH, NOW + 3);
    assertEquals(Reason.PREFERRED, p.reason(), "and holds again when the user is a tech");
  }

  @Test
  @DisplayName("only an offline user held by nothing is forgettable: no session, grace, other node's share or preferred away")
  void forgettable() {
    UserPresence p = new UserPresence(U, null, TIMINGS);
    assertTrue(p.forgettable());
    p.sessionOpened(Role.TECH, NOW);
    assertFalse(p.forgettable());
    p.sessionClosed(false, NOW);
    assertFalse(p.forgettable(), "in grace");
    p.graceExpired(NOW + 500);
    assertTrue(p.forgettable());
    p.applyRemote("n2", share(Role.TECH, 1, false), NOW);
    assertFalse(p.forgettable());
    p.applyRemote("n2", Contribution.gone(U, Role.TECH), NOW);
    assertTrue(p.forgettable());
    p.applyPreference(new Preference(U, true, UserPresence.NEVER, NOW, "n2"), NOW);
    assertFalse(p.forgettable(), "a preferred away without a lapse");
    p.applyPreference(new Preference(U, false, UserPresence.NEVER, NOW + 1, "n2"), NOW + 1);
    assertTrue(p.forgettable());
  }
}
