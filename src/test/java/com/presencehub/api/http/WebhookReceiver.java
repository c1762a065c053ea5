package com.presencehub.api.http;

import com.presencehub.api.ApiHub;
import com.presencehub.api.http.webhook.WebhookSignature;
import com.presencehub.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP endpoint that receives webhooks the way a service would: it checks every request's
 * signature with the secret (a wrong one is answered 401 and recorded as such), then answers as
 * told: 200, 500 for the first {@code failFirst} requests, or never (a hanging endpoint).
 */
public final class WebhookReceiver implements AutoCloseable {

  public enum Mode { OK, HANG }

  private final HttpServer server;
  private final String secret;
  private final List<JsonObject> batches = new ArrayList<>();
  private final List<Long> receivedAtMs = new ArrayList<>();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger badSignatures = new AtomicInteger();
  private volatile int failFirst;
  private volatile Mode mode = Mode.OK;

  private WebhookReceiver(Vertx vertx, String secret, int port) {
    this.secret = secret;
    this.server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      int n = requests.incrementAndGet();
      if (mode == Mode.HANG) {
        return;
      }
      String ts = req.getHeader(WebhookSignature.TIMESTAMP_HEADER);
      String sig = req.getHeader(WebhookSignature.SIGNATURE_HEADER);
      long now = System.currentTimeMillis() / 1000;
      if (ts == null || Math.abs(now - Long.parseLong(ts)) > 300
          || !WebhookSignature.verify(secret, Long.parseLong(ts), body.getBytes(), sig)) {
        badSignatures.incrementAndGet();
        req.response().setStatusCode(401).end();
        return;
      }
      if (n <= failFirst) {
        req.response().setStatusCode(500).end();
        return;
      }
      synchronized (this) {
        batches.add(body.toJsonObject());
        receivedAtMs.add(System.currentTimeMillis());
      }
      req.response().setStatusCode(204).end();
    }));
    ApiHub.await(server.listen(port, "127.0.0.1"));
  }

  public static WebhookReceiver start(Vertx vertx, String secret) {
    return new WebhookReceiver(vertx, secret, TestNode.freePort());
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/hooks/presence";
  }

  public WebhookReceiver failFirst(int n) {
    failFirst = n;
    return this;
  }

  public WebhookReceiver mode(Mode m) {
    mode = m;
    return this;
  }

  public int requests() {
    return requests.get();
  }

  public int badSignatures() {
    return badSignatures.get();
  }

  public synchronized List<JsonObject> batches() {
    return List.copyOf(batches);
  }

  /** Every event accepted, in arrival order. */
  public synchronized List<JsonObject> events() {
    List<JsonObject> out = new ArrayList<>();
    for (JsonObject b : batches) {
      JsonArray events = b.getJsonArray("events");
      for (int i = 0; i < events.size(); i++) {
        out.add(events.getJsonObject(i));
      }
    }
    return out;
  }

  /** {@code status} of each event of {@code user}, in arrival order. */
  public List<String> statusesOf(String user) {
    return events().stream().filter(e -> user.equals(e.getString("user"))).map(e -> e.getString("status")).toList();
  }

  @Override
  public void close() {
    ApiHub.await(server.close());
  }
}
