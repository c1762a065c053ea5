package com.presencehub.api.client;

import com.presencehub.protocol.ClientFrames;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * Who a delivery is from, as the receiving portal shows it: the {@code from} of the delivered
 * frame. {@code role} is free text ({@code client}, {@code tech}, or e.g. {@code service} for a
 * bot); {@code role} and {@code name} may be null.
 */
public record Sender(String id, String role, String name) {

  public Sender {
    Objects.requireNonNull(id, "id");
  }

  public static Sender service(String id, String name) {
    return new Sender(id, "service", name);
  }

  public JsonObject toJson() {
    return ClientFrames.sender(id, role, name);
  }
}
