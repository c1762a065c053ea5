package com.presencehub.presence;

/** Why a user has the status it has (PROTOCOL.md §2 table). */
public enum Reason {
  ACTIVE("active"),
  INACTIVE("inactive"),
  PREFERRED("preferred"),
  DISCONNECTED("disconnected");

  private final String wire;

  Reason(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** @return the reason for a wire name, or {@code null} when the name is not a reason */
  public static Reason fromWire(String name) {
    for (Reason r : values()) {
      if (r.wire.equals(name)) {
        return r;
      }
    }
    return null;
  }
}
