package com.presencehub.api.client;

import com.presencehub.protocol.BusMessages;
import com.presencehub.protocol.RequestFailure;

/**
 * The wire names of the presence event-bus API (PROTOCOL.md §5): its addresses and the failure
 * codes its replies carry, as the protocol codec ({@link BusMessages}, {@link RequestFailure}) defines
 * them. The full schemas are in {@code docs/event-bus-api.md}.
 */
public final class PresenceBus {

  /** Request/reply: current records of some users of a tenant. */
  public static final String QUERY = BusMessages.QUERY;
  /** Request/reply: whether a user can take a delivery of a kind now, and its record. */
  public static final String REACHABLE = BusMessages.REACHABLE;
  /** Request/reply: a tenant's users of one role that are connected, filtered by status. */
  public static final String ROSTER = BusMessages.ROSTER;
  /** Request/reply: a delivery to every session of a user, wherever it is connected. */
  public static final String DELIVER = BusMessages.DELIVER;
  /** Published by the hub: one event per transition, cluster-wide. */
  public static final String CHANGES = BusMessages.CHANGES;

  /** A field is missing, has the wrong type or a value outside its set; the message names it. */
  public static final int BAD_REQUEST = RequestFailure.BAD_REQUEST;
  /** The tenant is served by another cell (its {@code tenants} allow-list, docs/cells.md); the message names both. */
  public static final int FORBIDDEN = 403;
  /** {@code presence.deliver} only: the reachability table refuses the delivery. */
  public static final int NOT_REACHABLE = RequestFailure.NOT_REACHABLE;
  /** The hub failed to answer a valid request (a bug or a node shutting down). */
  public static final int INTERNAL = RequestFailure.INTERNAL;

  private PresenceBus() {
  }
}
