package com.presencehub.gateway;

import com.presencehub.testing.SockJsTestClient;
import com.presencehub.testing.SockJsTestClient.Transport;
import com.presencehub.testing.TestNode;
import com.presencehub.testing.TestTokens;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A real node on a loopback port, and portal users logging in to it. */
final class LiveHub {

  private final Vertx vertx;
  private final TestNode node;
  private final JsonObject config;
  private final TestTokens tokens;

  private LiveHub(Vertx vertx, TestNode node, JsonObject config) {
    this.vertx = vertx;
    this.node = node;
    this.config = config;
    this.tokens = new TestTokens(vertx);
  }

  /** {@link TestNode}'s short timings, except that nobody turns idle during a test. */
  static JsonObject noIdle() {
    return new JsonObject().put("idleTimeoutMs", 600_000);
  }

  static LiveHub start(Vertx vertx, JsonObject overrides) {
    try {
      return new LiveHub(vertx, TestNode.start(vertx, overrides).await(20, TimeUnit.SECONDS),
          TestNode.defaults().mergeIn(overrides));
    } catch (TimeoutException e) {
      throw new AssertionError("node did not start within 20 s", e);
    }
  }

  /** Receiving requests (polls, streams) that found their SockJS session open, since the node started. */
  long polls() {
    return node.node().gateway().sockJsSessions().polls();
  }

  SockJsTestClient connect(Transport transport) {
    return SockJsTestClient.open(vertx, node.port(), transport);
  }

  /** A connection that is authenticated (its {@code welcome} already read). */
  SockJsTestClient login(Transport transport, String tenant, String user, String role) {
    SockJsTestClient c = connect(transport);
    c.auth(tokens.token(tenant, user, role));
    return c;
  }

  SockJsTestClient login(String tenant, String user, String role) {
    return login(Transport.RAW_WEBSOCKET, tenant, user, role);
  }

  String token(String tenant, String user, String role) {
    return tokens.token(tenant, user, role);
  }

  TestTokens tokens() {
    return tokens;
  }

  TestNode node() {
    return node;
  }

  int port() {
    return node.port();
  }

  /** A configured value, as the node got it. */
  long configured(String key) {
    return config.getLong(key);
  }

  void stop() {
    try {
      node.stop().await(20, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("node did not stop within 20 s", e);
    }
  }
}
