package com.presencehub.presence;

/** The three presence states of the contract (PROTOCOL.md §2). */
public enum Status {
  ONLINE("online"),
  AWAY("away"),
  OFFLINE("offline");

  private final String wire;

  Status(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static Status fromWire(String name) {
    for (Status s : values()) {
      if (s.wire.equals(name)) {
        return s;
      }
    }
    return null;
  }
}
