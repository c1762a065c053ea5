package com.presencehub.presence;

/**
 * What a caller wants to deliver to a user; the reachability table has one column per kind.
 * {@code notify} follows the same rule as {@code chat.message}.
 */
public enum DeliveryKind {
  CHAT_REQUEST("chat.request"),
  CHAT_MESSAGE("chat.message"),
  NOTIFY("notify");

  private final String wire;

  DeliveryKind(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static DeliveryKind fromWire(String name) {
    for (DeliveryKind k : values()) {
      if (k.wire.equals(name)) {
        return k;
      }
    }
    return null;
  }
}
