package com.presencehub.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.Reason;
import com.presencehub.presence.Role;
import com.presencehub.presence.Status;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("OfferOrder: which tech is offered a new chat first")
class OfferOrderTest {

  private static PresenceRecord tech(String id, Status status, Reason reason, long since) {
    return new PresenceRecord("acme", id, Role.TECH, status, reason, since, since);
  }

  @Test
  @DisplayName("online techs come first, then idle ones, then those who chose Away; offline ones never")
  void groups() {
    OfferOrder order = new OfferOrder();
    List<PresenceRecord> techs = List.of(
        tech("t-pref", Status.AWAY, Reason.PREFERRED, 1),
        tech("t-off", Status.OFFLINE, Reason.DISCONNECTED, 1),
        tech("t-idle", Status.AWAY, Reason.INACTIVE, 1),
        tech("t-on", Status.ONLINE, Reason.ACTIVE, 5));
    assertEquals(List.of("t-on", "t-idle", "t-pref"), ids(order.order(techs)));
  }

  @Test
  @DisplayName("within a group: never offered before the least recently offered; ties go to the longest in the status")
  void leastRecentlyOffered() {
    OfferOrder order = new OfferOrder();
    List<PresenceRecord> techs = List.of(
        tech("t-a", Status.ONLINE, Reason.ACTIVE, 300),
        tech("t-b", Status.ONLINE, Reason.ACTIVE, 100),
        tech("t-c", Status.ONLINE, Reason.ACTIVE, 200));
    assertEquals(List.of("t-b", "t-c", "t-a"), ids(order.order(techs)));
    order.offered("t-b");
    assertEquals(List.of("t-c", "t-a", "t-b"), ids(order.order(techs)));
    order.offered("t-c");
    order.offered("t-a");
    assertEquals(List.of("t-b", "t-c", "t-a"), ids(order.order(techs)));
    order.forget("t-a");
    assertEquals(List.of("t-a", "t-b", "t-c"), ids(order.order(techs)));
  }

  private static List<String> ids(List<PresenceRecord> records) {
    return records.stream().map(PresenceRecord::user).toList();
  }
}
