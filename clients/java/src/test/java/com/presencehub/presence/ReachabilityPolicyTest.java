package com.presencehub.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** The §2 reachability table, every cell. */
@DisplayName("Reachability")
class ReachabilityPolicyTest {

  @ParameterizedTest(name = "{0} {1}, {2} -> {3}")
  @DisplayName("follows the contract's table for every role, status and kind")
  @CsvSource({
      // role,  status,  kind,          reachable
      "CLIENT, ONLINE,  CHAT_REQUEST, true",
      "CLIENT, AWAY,    CHAT_REQUEST, false",
      "CLIENT, OFFLINE, CHAT_REQUEST, false",
      "CLIENT, ONLINE,  CHAT_MESSAGE, true",
      "CLIENT, AWAY,    CHAT_MESSAGE, true",
      "CLIENT, OFFLINE, CHAT_MESSAGE, false",
      "CLIENT, ONLINE,  NOTIFY,       true",
      "CLIENT, AWAY,    NOTIFY,       true",
      "CLIENT, OFFLINE, NOTIFY,       false",
      "TECH,   ONLINE,  CHAT_REQUEST, true",
      "TECH,   AWAY,    CHAT_REQUEST, true",
      "TECH,   OFFLINE, CHAT_REQUEST, false",
      "TECH,   ONLINE,  CHAT_MESSAGE, true",
      "TECH,   AWAY,    CHAT_MESSAGE, true",
      "TECH,   OFFLINE, CHAT_MESSAGE, false",
      "TECH,   ONLINE,  NOTIFY,       true",
      "TECH,   AWAY,    NOTIFY,       true",
      "TECH,   OFFLINE, NOTIFY,       false",
  })
  void table(Role role, Status status, DeliveryKind kind, boolean expected) {
    assertEquals(expected, ReachabilityPolicy.reachable(role, status, kind));
    // The record overload answers the same, whatever the reason and times.
    for (Reason reason : Reason.values()) {
      PresenceRecord r = new PresenceRecord("t", "u", role, status, reason, 1L, 1L);
      assertEquals(expected, ReachabilityPolicy.reachable(r, kind), reason.wire());
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DeliveryKind.class)
  @DisplayName("never reaches a user whose role is unknown, whatever its status")
  void unknownRoleIsNeverReachable(DeliveryKind kind) {
    for (Status s : Status.values()) {
      assertFalse(ReachabilityPolicy.reachable(null, s, kind), s.wire());
    }
    assertFalse(ReachabilityPolicy.reachable(PresenceRecord.unknown(new UserKey("t", "ghost")), kind));
  }

  @Test
  @DisplayName("has a reachability column per wire kind, notify included")
  void wireKinds() {
    assertEquals(DeliveryKind.CHAT_REQUEST, DeliveryKind.fromWire("chat.request"));
    assertEquals(DeliveryKind.CHAT_MESSAGE, DeliveryKind.fromWire("chat.message"));
    assertEquals(DeliveryKind.NOTIFY, DeliveryKind.fromWire("notify"));
    assertEquals(null, DeliveryKind.fromWire("chat.push"));
    assertEquals(null, DeliveryKind.fromWire(null));
    for (DeliveryKind k : DeliveryKind.values()) {
      assertEquals(k, DeliveryKind.fromWire(k.wire()));
    }
  }
}
