package com.presencehub.api.http.impl;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import java.nio.charset.StandardCharsets;

/** The served {@code openapi.yaml} as the HTTP API's router and validator take it. */
public final class RoutingContract {

  private RoutingContract() {
  }

  /**
   * openapi.yaml as vertx-openapi 5.0 takes it: that version refuses any response media type
   * outside its short list, {@code text/event-stream} included, so the change stream's 200 is
   * given to it as {@code text/plain} (a string either way; the stream is never validated as a
   * whole). The change stream's {@code Last-Event-ID} header is left out: vertx-openapi would
   * coerce and decode it (refusing {@code -1} or {@code %00} with a 400) where any value must be
   * taken, an unusable one answered with a {@code reset} event (PROTOCOL.md §8). Everything else
   * is the served document, unchanged.
   */
  @SuppressWarnings("unchecked")
  public static Future<OpenAPIContract> from(Vertx vertx, Buffer text) {
    JsonObject doc;
    try {
      doc = new JsonObject((java.util.Map<String, Object>) new org.yaml.snakeyaml.Yaml().load(text.toString(StandardCharsets.UTF_8)));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    JsonObject content = doc.getJsonObject("paths").getJsonObject("/tenants/{tenant}/changes").getJsonObject("get")
        .getJsonObject("responses").getJsonObject("200").getJsonObject("content");
    content.put("text/plain", content.remove("text/event-stream"));
    JsonObject changes = doc.getJsonObject("paths").getJsonObject("/tenants/{tenant}/changes").getJsonObject("get");
    JsonArray params = new JsonArray();
    for (Object p : changes.getJsonArray("parameters")) {
      if (!(p instanceof JsonObject o && "header".equals(o.getString("in")))) {
        params.add(p);
      }
    }
    changes.put("parameters", params);
    return OpenAPIContract.from(vertx, doc);
  }
}
