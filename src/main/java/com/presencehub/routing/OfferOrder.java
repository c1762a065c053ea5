package com.presencehub.routing;

import com.presencehub.presence.PresenceRecord;
import com.presencehub.presence.Reason;
import com.presencehub.presence.Status;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * In which order a tenant's techs are offered a new chat: online techs first, then techs away
 * because idle, then techs who chose Away (reachable, but they asked for quiet). Within each group
 * the tech offered a chat least recently comes first, so chats spread over the desk instead of
 * piling on one tech; among techs never offered one, the one longest in its status (earliest
 * {@code since}) comes first. Plain Java; one instance per tenant and router, not thread-safe.
 */
public final class OfferOrder {

  private final Map<String, Long> lastOffered = new HashMap<>();
  private long offers;

  /** The techs (connected ones; offline ones are dropped) in the order to try them. */
  public List<PresenceRecord> order(List<PresenceRecord> techs) {
    List<PresenceRecord> out = new ArrayList<>(techs.size());
    for (PresenceRecord r : techs) {
      if (r.status() != Status.OFFLINE) {
        out.add(r);
      }
    }
    out.sort(Comparator.comparingInt(OfferOrder::group)
        .thenComparingLong(r -> lastOffered.getOrDefault(r.user(), Long.MIN_VALUE))
        .thenComparingLong(r -> r.since() == null ? Long.MAX_VALUE : r.since())
        .thenComparing(PresenceRecord::user));
    return out;
  }

  /** {@code tech} took a chat: it goes to the back of its group. */
  public void offered(String tech) {
    lastOffered.put(tech, ++offers);
  }

  /** Forgets a tech (e.g. gone offline) so the memory follows the desk's size. */
  public void forget(String tech) {
    lastOffered.remove(tech);
  }

  private static int group(PresenceRecord r) {
    if (r.status() == Status.ONLINE) {
      return 0;
    }
    return r.reason() == Reason.PREFERRED ? 2 : 1;
  }
}
