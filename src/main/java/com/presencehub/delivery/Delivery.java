package com.presencehub.delivery;

import com.presencehub.presence.PresenceRecord;

/**
 * What became of one delivery: refused by the caller's gate (visibility), refused by the
 * reachability table, or written to {@code delivered} sessions (acknowledged writes only: a
 * session that closed meanwhile is not counted).
 */
public record Delivery(Outcome outcome, PresenceRecord record, int delivered) {

  public enum Outcome { FORBIDDEN, NOT_REACHABLE, DELIVERED }
}
