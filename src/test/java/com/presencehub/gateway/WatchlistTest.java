package com.presencehub.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.Reason;
import com.presencehub.presence.Role;
import com.presencehub.presence.Status;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** What one session watches, and the order in which it sees snapshots and changes (PROTOCOL.md §4 subscribe). */
@DisplayName("A session's watchlist")
class WatchlistTest {

  private static final String T = "t1";

  private static PresenceRecord rec(String user, Role role, Status status, long since) {
    Reason reason = status == Status.OFFLINE ? Reason.DISCONNECTED : status == Status.AWAY ? Reason.INACTIVE : Reason.ACTIVE;
    return new PresenceRecord(T, user, role, status, reason, since, since);
  }

  private static PresenceRecord tech(String user, Status status, long since) {
    return rec(user, Role.TECH, status, since);
  }

  private static Watchlist techSession() {
    return new Watchlist("me", Role.TECH, 10);
  }

  @Nested
  @DisplayName("snapshot before changes")
  class SnapshotOrdering {

    @Test
    @DisplayName("holds a change for a user whose snapshot is pending and releases it after the snapshot")
    void heldUntilSnapshot() {
      Watchlist w = techSession();
      assertEquals(-1, w.admitUsers(List.of("a")));
      PresenceRecord change = tech("a", Status.AWAY, 5);
      assertEquals(List.of(), w.changes(List.of(change)), "not written before the snapshot");
      assertEquals(1, w.heldCount());
      w.settleUsers(List.of("a"), true);
      assertEquals(List.of(change), w.releaseHeld(), "written after the snapshot");
      assertEquals(0, w.heldCount());
      assertEquals(List.of(), w.releaseHeld(), "released once");
    }

    @Test
    @DisplayName("keeps the shards' order among held changes, and releases only those whose snapshot is written")
    void releasesOnlySettled() {
      Watchlist w = techSession();
      w.admitUsers(List.of("a"));
      w.admitUsers(List.of("b"));
      PresenceRecord a1 = tech("a", Status.AWAY, 1);
      PresenceRecord b1 = tech("b", Status.AWAY, 2);
      PresenceRecord a2 = tech("a", Status.ONLINE, 3);
      assertEquals(List.of(), w.changes(List.of(a1, b1, a2)));
      w.settleUsers(List.of("a"), true);
      assertEquals(List.of(a1, a2), w.releaseHeld());
      assertEquals(1, w.heldCount(), "b still waits for its snapshot");
      w.settleUsers(List.of("b"), true);
      assertEquals(List.of(b1), w.releaseHeld());
    }

    @Test
    @DisplayName("drops held changes of a subscribe that was dropped (nothing watched)")
    void droppedSubscribeDropsHeld() {
      Watchlist w = techSession();
      w.admitUsers(List.of("a"));
      w.changes(List.of(tech("a", Status.AWAY, 1)));
      w.settleUsers(List.of("a"), false);
      assertEquals(List.of(), w.releaseHeld());
      assertEquals(0, w.heldCount());
    }

    @Test
    @DisplayName("holds roster changes while the roster's snapshot is gathered, then writes them")
    void rosterHeld() {
      Watchlist w = techSession();
      w.rosterPending(Role.CLIENT);
      PresenceRecord c = rec("c1", Role.CLIENT, Status.ONLINE, 1);
      PresenceRecord t = tech("t9", Status.ONLINE, 2);
      assertEquals(List.of(), w.changes(List.of(c, t)), "the client is held, the unwatched tech dropped");
      assertEquals(1, w.heldCount());
      w.rosterAnswered(Role.CLIENT, true);
      assertEquals(List.of(c), w.releaseHeld());
      PresenceRecord c2 = rec("c2", Role.CLIENT, Status.AWAY, 3);
      assertEquals(List.of(c2), w.changes(List.of(c2)), "the roster is watched now");
    }

    @Test
    @DisplayName("two roster subscribes in flight: changes stay held until both are answered")
    void twoRosterSubscribes() {
      Watchlist w = techSession();
      w.rosterPending(Role.TECH);
      w.rosterPending(Role.TECH);
      PresenceRecord t = tech("t1", Status.ONLINE, 1);
      w.changes(List.of(t));
      w.rosterAnswered(Role.TECH, true);
      assertEquals(List.of(), w.releaseHeld(), "the second snapshot is still pending");
      w.rosterAnswered(Role.TECH, true);
      assertEquals(List.of(t), w.releaseHeld());
    }

    @Test
    @DisplayName("a roster answered for a closed session is not watched")
    void rosterAnsweredClosed() {
      Watchlist w = techSession();
      w.rosterPending(Role.TECH);
      w.rosterAnswered(Role.TECH, false);
      assertEquals(List.of(), w.changes(List.of(tech("t1", Status.ONLINE, 1))));
      assertEquals(0, w.heldCount());
    }
  }

  @Nested
  @DisplayName("which changes pass")
  class Filtering {

    @Test
    @DisplayName("the session's own record always passes, watched or not, snapshot pending or not")
    void ownRecord() {
      Watchlist w = new Watchlist("me", Role.CLIENT, 10);
      w.admitUsers(List.of("me"));
      PresenceRecord mine = rec("me", Role.CLIENT, Status.ONLINE, 1);
      assertEquals(List.of(mine), w.changes(List.of(mine)));
      assertEquals(0, w.heldCount());
    }

    @Test
    @DisplayName("watched users pass, others are dropped, in the shards' order")
    void watchedOnly() {
      Watchlist w = techSession();
      w.admitUsers(List.of("a", "b"));
      w.settleUsers(List.of("a", "b"), true);
      PresenceRecord a = tech("a", Status.AWAY, 1);
      PresenceRecord x = tech("x", Status.AWAY, 2);
      PresenceRecord b = tech("b", Status.ONLINE, 3);
      assertEquals(List.of(a, b), w.changes(List.of(a, x, b)));
    }

    @Test
    @DisplayName("a client never sees another client's record, even one it named (PROTOCOL.md §3 visibility)")
    void clientSeesTechsOnly() {
      Watchlist w = new Watchlist("me", Role.CLIENT, 10);
      w.admitUsers(List.of("c2", "t1"));
      w.settleUsers(List.of("c2", "t1"), true);
      PresenceRecord other = rec("c2", Role.CLIENT, Status.ONLINE, 1);
      PresenceRecord tech = tech("t1", Status.ONLINE, 2);
      assertEquals(List.of(tech), w.changes(List.of(other, tech)));
    }

    @Test
    @DisplayName("unwatching stops a user's and a roster's changes")
    void unwatch() {
      Watchlist w = techSession();
      w.admitUsers(List.of("a"));
      w.settleUsers(List.of("a"), true);
      w.rosterPending(Role.CLIENT);
      w.rosterAnswered(Role.CLIENT, true);
      w.unwatchUsers(List.of("a"));
      w.unwatchRoster(Role.CLIENT);
      assertEquals(List.of(), w.changes(List.of(tech("a", Status.AWAY, 1), rec("c", Role.CLIENT, Status.AWAY, 2))));
    }
  }

  @Test
  @DisplayName("the maxWatchedUsers bound refuses a subscribe as a whole, naming the count it would reach")
  void bound() {
    Watchlist w = new Watchlist("me", Role.TECH, 3);
    assertEquals(3, w.userLimit());
    assertEquals(-1, w.admitUsers(List.of("a", "b")));
    assertEquals(4, w.admitUsers(List.of("c", "d")));
    w.settleUsers(List.of("a", "b"), true);
    assertEquals(-1, w.admitUsers(List.of("c")));
  }

  @Test
  @DisplayName("ending returns everything watched or pending to unregister, and forgets it all")
  void end() {
    Watchlist w = techSession();
    w.admitUsers(List.of("a"));
    w.settleUsers(List.of("a"), true);
    w.admitUsers(List.of("b"));
    w.rosterPending(Role.CLIENT);
    w.rosterPending(Role.TECH);
    w.rosterAnswered(Role.TECH, true);
    w.changes(List.of(tech("b", Status.AWAY, 1)));
    Watchlist.Forgotten gone = w.end();
    assertEquals(Set.of("a", "b"), gone.users());
    assertEquals(Set.of(Role.CLIENT, Role.TECH), gone.rosters());
    assertEquals(0, w.heldCount());
    assertTrue(w.end().users().isEmpty(), "nothing left");
    assertEquals(List.of(), w.changes(List.of(tech("a", Status.AWAY, 2))));
  }
}
