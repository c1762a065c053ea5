package com.presencehub.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The small values of the presence model: wire names, keys, timings, the unknown record. */
@DisplayName("Presence values")
class PresenceValuesTest {

  @Test
  @DisplayName("use the contract's wire names for roles, statuses and reasons")
  void wireNames() {
    assertEquals("tech", Role.TECH.wire());
    assertEquals("client", Role.CLIENT.wire());
    assertEquals("online", Status.ONLINE.wire());
    assertEquals("away", Status.AWAY.wire());
    assertEquals("offline", Status.OFFLINE.wire());
    assertEquals("active", Reason.ACTIVE.wire());
    assertEquals("inactive", Reason.INACTIVE.wire());
    assertEquals("preferred", Reason.PREFERRED.wire());
    assertEquals("disconnected", Reason.DISCONNECTED.wire());
  }

  @Test
  @DisplayName("parse wire names back, and answer null for anything else")
  void fromWire() {
    for (Role r : Role.values()) {
      assertEquals(r, Role.fromWire(r.wire()));
    }
    for (Status s : Status.values()) {
      assertEquals(s, Status.fromWire(s.wire()));
    }
    assertNull(Role.fromWire("admin"));
    assertNull(Role.fromWire("TECH"));
    assertNull(Role.fromWire(null));
    assertNull(Status.fromWire("busy"));
    assertNull(Status.fromWire(null));
  }

  @Test
  @DisplayName("identify a user within its tenant only")
  void userKeyIsPerTenant() {
    assertEquals(new UserKey("t1", "u"), new UserKey("t1", "u"));
    assertNotEquals(new UserKey("t1", "u"), new UserKey("t2", "u"));
    assertThrows(NullPointerException.class, () -> new UserKey(null, "u"));
    assertThrows(NullPointerException.class, () -> new UserKey("t", null));
  }

  @Test
  @DisplayName("spread users stably over every shard")
  void shardOfIsStableAndInRange() {
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 1_000; i++) {
      UserKey k = new UserKey("t", "u-" + i);
      int s = k.shardOf(4);
      assertTrue(s >= 0 && s < 4, "shard " + s);
      assertEquals(s, new UserKey("t", "u-" + i).shardOf(4));
      seen.add(s);
    }
    assertEquals(4, seen.size(), "every shard gets users");
    assertEquals(0, new UserKey("t", "x").shardOf(1));
  }

  @Test
  @DisplayName("describe a never-seen user as offline/disconnected with no role and no times")
  void unknownRecord() {
    PresenceRecord r = PresenceRecord.unknown(new UserKey("t", "ghost"));
    assertEquals(new PresenceRecord("t", "ghost", null, Status.OFFLINE, Reason.DISCONNECTED, null, null), r);
    assertEquals(new UserKey("t", "ghost"), r.key());
  }

  @Test
  @DisplayName("refuse a non-positive idle timeout and a negative grace")
  void timingsValidation() {
    assertThrows(IllegalArgumentException.class, () -> new PresenceTimings(0, 0));
    assertThrows(IllegalArgumentException.class, () -> new PresenceTimings(-1, 0));
    assertThrows(IllegalArgumentException.class, () -> new PresenceTimings(1, -1));
    PresenceTimings ok = new PresenceTimings(1, 0);
    assertEquals(1, ok.idleTimeoutMs());
    assertEquals(0, ok.offlineGraceMs());
  }
}
