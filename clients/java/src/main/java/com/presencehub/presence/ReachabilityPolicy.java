package com.presencehub.presence;

/**
 * The one question chat routing asks (PROTOCOL.md §2, reachability table): a client is offered a
 * new chat only while online; everything else reaches online and away users; offline users are
 * never reachable in real time.
 */
public final class ReachabilityPolicy {

  private ReachabilityPolicy() {
  }

  public static boolean reachable(Role role, Status status, DeliveryKind kind) {
    if (status == Status.OFFLINE || role == null) {
      return false;
    }
    if (kind == DeliveryKind.CHAT_REQUEST && role == Role.CLIENT) {
      return status == Status.ONLINE;
    }
    return true;
  }

  public static boolean reachable(PresenceRecord record, DeliveryKind kind) {
    return reachable(record.role(), record.status(), kind);
  }
}
