package com.presencehub.api;

import com.presencehub.api.client.PresenceService;
import com.presencehub.testing.SockJsTestClient;
import com.presencehub.testing.SockJsTestClient.Transport;
import com.presencehub.testing.TestNode;
import com.presencehub.testing.TestTokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real node on a loopback port with the event-bus API deployed on it, portal users logging in
 * over SockJS, and a service's view of it: the {@link PresenceService} facade and raw requests.
 */
public final class ApiHub {

  /** How long a test waits for something that should happen, on a loaded machine. */
  public static final Duration PATIENCE = SockJsTestClient.PATIENCE;

  private final Vertx vertx;
  private final TestNode node;
  private final TestTokens tokens;
  private final PresenceService presence;

  private ApiHub(Vertx vertx, TestNode node) {
    this.vertx = vertx;
    this.node = node;
    this.tokens = new TestTokens(vertx);
    this.presence = PresenceService.create(vertx, new DeliveryOptions().setSendTimeout(PATIENCE.toMillis()));
  }

  /** {@link TestNode}'s short timings, except that nobody turns idle during a test. */
  public static JsonObject noIdle() {
    return new JsonObject().put("idleTimeoutMs", 600_000);
  }

  /** A node with {@link TestNode#defaults()} overridden by {@code overrides} (HubNode deploys the API). */
  public static ApiHub start(Vertx vertx, JsonObject overrides) {
    TestNode node = await(TestNode.start(vertx, overrides));
    return new ApiHub(vertx, node);
  }

  public PresenceService presence() {
    return presence;
  }

  public Vertx vertx() {
    return vertx;
  }

  public TestNode node() {
    return node;
  }

  /** A portal session that is authenticated (its {@code welcome} already read). */
  public SockJsTestClient login(Transport transport, String tenant, String user, String role) {
    SockJsTestClient c = SockJsTestClient.open(vertx, node.port(), transport);
    c.auth(tokens.token(tenant, user, role));
    return c;
  }

  public SockJsTestClient login(String tenant, String user, String role) {
    return login(Transport.RAW_WEBSOCKET, tenant, user, role);
  }

  /** Ends a session with {@code bye} and waits until the hub closed it (the user is then offline). */
  public static void bye(SockJsTestClient session) {
    session.send(new JsonObject().put("type", "bye"));
    session.awaitClose();
  }

  /** A raw request on the event bus, as a service in another language would send it; the reply's body. */
  public Future<JsonObject> request(String address, Object body) {
    return vertx.eventBus().<JsonObject>request(address, body, new DeliveryOptions().setSendTimeout(PATIENCE.toMillis()))
        .map(m -> m.body());
  }

  /** Blocks (off the event loop) until {@code future} succeeds, at most {@link #PATIENCE}. */
  public static <T> T await(Future<T> future) {
    try {
      return future.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no answer within " + PATIENCE.toMillis() + " ms", e);
    }
  }

  /** Blocks until {@code future} fails; returns why. */
  public static Throwable failure(Future<?> future) {
    try {
      future.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no answer within " + PATIENCE.toMillis() + " ms", e);
    } catch (RuntimeException | Error e) {
      return unwrap(future, e);
    }
    throw new AssertionError("expected a failure, got " + future.result());
  }

  /** Blocks until {@code future} fails with a {@link ReplyException}; returns it. */
  public static ReplyException replyFailure(Future<?> future) {
    Throwable t = failure(future);
    if (t instanceof ReplyException re) {
      return re;
    }
    throw new AssertionError("expected a ReplyException, got " + t, t);
  }

  private static Throwable unwrap(Future<?> future, Throwable thrown) {
    return future.failed() ? future.cause() : thrown;
  }
}
