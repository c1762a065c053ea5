package com.presencehub.api.client;

/**
 * The wire names of the presence event-bus API (PROTOCOL.md §5): its addresses and the failure
 * codes its replies carry. The full schemas are in {@code docs/event-bus-api.md}.
 */
public final class PresenceBus {

  /** Request/reply: current records of some users of a tenant. */
  public static final String QUERY = "presence.query";
  /** Request/reply: whether a user can take a delivery of a kind now, and its record. */
  public static final String REACHABLE = "presence.reachable";
  /** Request/reply: a tenant's users of one role that are connected, filtered by status. */
  public static final String ROSTER = "presence.roster";
  /** Request/reply: a delivery to every session of a user, wherever it is connected. */
  public static final String DELIVER = "presence.deliver";
  /** Published by the hub: one event per transition, cluster-wide. */
  public static final String CHANGES = "presence.changes";

  /** A field is missing, has the wrong type or a value outside its set; the message names it. */
  public static final int BAD_REQUEST = 400;
  /** The tenant is served by another cell (its {@code tenants} allow-list, docs/cells.md); the message names both. */
  public static final int FORBIDDEN = 403;
  /** {@code presence.deliver} only: the reachability table refuses the delivery. */
  public static final int NOT_REACHABLE = 404;
  /** The hub failed to answer a valid request (a bug or a node shutting down). */
  public static final int INTERNAL = 500;

  /**
   * How a {@link #NOT_REACHABLE} message starts, followed by the target's status and a colon:
   * {@code not_reachable status=away: c-1 is away, chat.request not delivered}.
   */
  public static final String NOT_REACHABLE_PREFIX = "not_reachable status=";

  private PresenceBus() {
  }
}
