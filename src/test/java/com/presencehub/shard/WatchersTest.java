package com.presencehub.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.Reason;
import com.presencehub.presence.Role;
import com.presencehub.presence.Status;
import com.presencehub.presence.UserKey;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Subscriptions, the roster index and the fan-out of one change, as data (no shard, no Vertx). */
@DisplayName("The watchers of a shard")
class WatchersTest {

  private static final String T = "acme";
  private final Watchers watchers = new Watchers();

  private static RecordingSession session(String user, Role role) {
    return new RecordingSession(T, user, role, user);
  }

  private static PresenceRecord record(String user, Role role, Status status) {
    return new PresenceRecord(T, user, role, status, status == Status.OFFLINE ? Reason.DISCONNECTED : Reason.ACTIVE, 1L, 1L);
  }

  private static UserKey key(String user) {
    return new UserKey(T, user);
  }

  @Test
  @DisplayName("a change reaches the user's own sessions but the skipped one, its watchers, then its roster's watchers, each once")
  void audienceOrderAndOnce() {
    RecordingSession own1 = session("t1", Role.TECH);
    RecordingSession own2 = session("t1", Role.TECH);
    RecordingSession byId = session("c1", Role.CLIENT);
    RecordingSession both = session("t2", Role.TECH);
    RecordingSession roster = session("t3", Role.TECH);
    watchers.watchUsers(byId, List.of("t1"));
    watchers.watchUsers(both, List.of("t1", "t9"));
    watchers.watchRoster(both, Role.TECH);
    watchers.watchRoster(roster, Role.TECH);
    watchers.watchRoster(own2, Role.TECH);
    watchers.watchUsers(own2, List.of("t1"));

    List<SessionLink> heard = watchers.audience(key("t1"), record("t1", Role.TECH, Status.ONLINE), List.of(own1, own2), own1);

    assertEquals(List.of(own2, byId, both, roster), List.copyOf(heard));
  }

  @Test
  @DisplayName("a watcher by id hears only the roles it may see; a roster watcher hears only its roster")
  void visibilityAndRosters() {
    RecordingSession client = session("c1", Role.CLIENT);
    RecordingSession tech = session("t1", Role.TECH);
    watchers.watchUsers(client, List.of("c2"));
    watchers.watchUsers(tech, List.of("c2"));
    RecordingSession techRoster = session("t2", Role.TECH);
    watchers.watchRoster(techRoster, Role.TECH);

    List<SessionLink> heard = watchers.audience(key("c2"), record("c2", Role.CLIENT, Status.ONLINE), List.of(), null);

    assertEquals(List.of(tech), List.copyOf(heard), "a client may not see a client; the tech roster is not the client's");
  }

  @Test
  @DisplayName("unwatching drops the subscription, and the last one drops the user from the count")
  void unwatch() {
    RecordingSession a = session("a", Role.TECH);
    RecordingSession b = session("b", Role.TECH);
    watchers.watchUsers(a, List.of("u1", "u2"));
    watchers.watchUsers(b, List.of("u1"));
    assertEquals(2, watchers.watchedUserCount());
    watchers.unwatchUsers(a, List.of("u1", "u2", "never"));
    assertEquals(1, watchers.watchedUserCount());
    assertEquals(List.of(b), List.copyOf(watchers.audience(key("u1"), record("u1", Role.CLIENT, Status.AWAY), List.of(), null)));
    watchers.watchRoster(a, Role.CLIENT);
    watchers.unwatchRoster(a, Role.CLIENT);
    watchers.unwatchUsers(b, List.of("u1"));
    assertEquals(0, watchers.watchedUserCount());
    assertTrue(watchers.audience(key("u1"), record("u1", Role.CLIENT, Status.AWAY), List.of(), null).isEmpty());
  }

  @Test
  @DisplayName("the roster index lists users that are not offline, under their current role, in arrival order")
  void rosterIndex() {
    Roster clients = new Roster(T, Role.CLIENT);
    Roster techs = new Roster(T, Role.TECH);
    watchers.reindex(key("x"), null, Role.CLIENT, Status.ONLINE);
    watchers.reindex(key("y"), null, Role.CLIENT, Status.AWAY);
    watchers.reindex(key("z"), null, Role.CLIENT, Status.OFFLINE);
    assertEquals(List.of(key("x"), key("y")), List.copyOf(watchers.present(clients)));

    // The role moved (the race of §3): listed under the new one only.
    watchers.reindex(key("x"), Role.CLIENT, Role.TECH, Status.ONLINE);
    assertEquals(List.of(key("y")), List.copyOf(watchers.present(clients)));
    assertEquals(List.of(key("x")), List.copyOf(watchers.present(techs)));

    watchers.reindex(key("y"), Role.CLIENT, Role.CLIENT, Status.OFFLINE);
    watchers.unlist(key("x"), Role.TECH);
    watchers.unlist(key("x"), null);
    assertTrue(watchers.present(clients).isEmpty());
    assertTrue(watchers.present(techs).isEmpty());
    assertEquals(0, watchers.presentCount());
  }

  @Test
  @DisplayName("rosters are per tenant")
  void rostersPerTenant() {
    RecordingSession other = new RecordingSession("other", "t1", Role.TECH, "other");
    Roster roster = watchers.watchRoster(other, Role.TECH);
    assertEquals(new Roster("other", Role.TECH), roster);
    assertTrue(watchers.audience(key("t5"), record("t5", Role.TECH, Status.ONLINE), List.of(), null).isEmpty());
    watchers.reindex(new UserKey("other", "t5"), null, Role.TECH, Status.ONLINE);
    assertTrue(watchers.present(new Roster(T, Role.TECH)).isEmpty());
    assertEquals(1, watchers.present(roster).size());
  }
}
