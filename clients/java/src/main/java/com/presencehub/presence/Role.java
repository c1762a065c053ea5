package com.presencehub.presence;

/** Who a user is to the help desk, from the JWT {@code role} claim. */
public enum Role {
  TECH("tech"),
  CLIENT("client");

  private final String wire;

  Role(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** @return the role for a wire name, or {@code null} when the name is not a role */
  public static Role fromWire(String name) {
    for (Role r : values()) {
      if (r.wire.equals(name)) {
        return r;
      }
    }
    return null;
  }
}
