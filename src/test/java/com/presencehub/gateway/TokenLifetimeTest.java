package com.presencehub.gateway;

import static com.presencehub.gateway.AuthenticationTest.assertUnauthorizedClose;
import static com.presencehub.gateway.AuthenticationTest.query;
import static com.presencehub.gateway.AuthenticationTest.record;
import static com.presencehub.testing.FrameMatch.error;
import static com.presencehub.testing.FrameMatch.updateOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.testing.SockJsTestClient;
import com.presencehub.testing.SockJsTestClient.Closed;
import com.presencehub.testing.SockJsTestClient.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@ExtendWith(VertxExtension.class)
@Timeout(60)
@DisplayName("Token expiry and refresh (PROTOCOL.md §3)")
class TokenLifetimeTest {

  /** Short enough to wait for, long enough to survive a slow login on a loaded machine. */
  private static final int SHORT_TTL_S = 4;

  private LiveHub hub;

  @BeforeEach
  void start(Vertx vertx) {
    hub = LiveHub.start(vertx, LiveHub.noIdle());
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("When the session's token expires the hub closes it with 4401, not before exp")
  void expiryClosesWith4401(Transport transport) {
    SockJsTestClient c = hub.connect(transport);
    String token = hub.tokens().token("acme", "t-1", "tech", SHORT_TTL_S);
    long expMs = exp(token) * 1000;
    c.auth(token);

    JsonObject err = c.await(error("unauthorized"));
    assertTrue(err.getString("message").contains("expired"), err.encode());
    assertTrue(c.receivedAt(err) >= expMs, "closed " + (expMs - c.receivedAt(err)) + " ms before exp");
    assertUnauthorizedClose(c.awaitClose());
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("A fresh token for the same user sent in an auth frame extends the session past the old exp")
  void refreshExtendsTheSession(Transport transport) {
    SockJsTestClient c = hub.connect(transport);
    String old = hub.tokens().token("acme", "t-1", "tech", SHORT_TTL_S);
    c.auth(old);
    String fresh = hub.tokens().token("acme", "t-1", "tech", 3600);
    c.send(new JsonObject().put("type", "auth").put("id", "r1").put("token", fresh));
    JsonObject ack = c.reply("r1");
    assertEquals("ack", ack.getString("type"), ack.encode());
    assertEquals(exp(fresh) * 1000, ack.getLong("expiresAt"));

    long untilPastOldExp = exp(old) * 1000 + 1_500 - System.currentTimeMillis();
    c.assertStaysOpen(Duration.ofMillis(Math.max(0, untilPastOldExp)));
    c.expectNone(error("unauthorized"), Duration.ZERO);
    c.send(query("q", "t-1"));
    assertEquals("online", record(c.reply("q"), "t-1").getString("status"));
  }

  enum OtherIdentity {
    ANOTHER_USER("acme", "t-2", "tech"),
    ANOTHER_TENANT("globex", "t-1", "tech"),
    ANOTHER_ROLE("acme", "t-1", "client");

    final String tenant;
    final String user;
    final String role;

    OtherIdentity(String tenant, String user, String role) {
      this.tenant = tenant;
      this.user = user;
      this.role = role;
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(OtherIdentity.class)
  @DisplayName("A refresh token for another user, tenant or role is refused; the session stays as it was")
  void refreshForSomeoneElseIsRefused(OtherIdentity other) {
    SockJsTestClient c = hub.login(Transport.SOCKJS_WEBSOCKET, "acme", "t-1", "tech");
    c.send(new JsonObject().put("type", "auth").put("id", "r").put("token", hub.token(other.tenant, other.user, other.role)));
    JsonObject err = c.reply("r");
    assertEquals("error", err.getString("type"));
    assertEquals("unauthorized", err.getString("code"));

    c.assertStaysOpen(Duration.ofMillis(200));
    // Still t-1 of acme, a tech: it may see a client, and the other identity never came online.
    hub.login("acme", "c-1", "client");
    c.send(query("q", "c-1", "t-2", "t-1"));
    JsonObject r = c.reply("q");
    assertEquals("online", record(r, "c-1").getString("status"));
    assertEquals("offline", record(r, "t-2").getString("status"));
    assertEquals("tech", record(r, "t-1").getString("role"));
    c.expectNone(updateOf("t-2"), Duration.ZERO);
  }

  @Test
  @DisplayName("An invalid refresh token is refused with unauthorized and the current token stays in force")
  void invalidRefreshIsRefused() {
    SockJsTestClient c = hub.connect(Transport.RAW_WEBSOCKET);
    String token = hub.tokens().token("acme", "t-1", "tech", SHORT_TTL_S);
    c.auth(token);
    c.send(new JsonObject().put("type", "auth").put("id", "bad").put("token", "not-a-token"));
    assertEquals("unauthorized", c.reply("bad").getString("code"));
    c.send(query("q", "t-1"));
    assertEquals("presence", c.reply("q").getString("type"));

    // The refused refresh did not extend anything: the first token still expires on time.
    Closed closed = c.awaitClose();
    assertUnauthorizedClose(closed);
    assertTrue(System.currentTimeMillis() >= exp(token) * 1000);
  }

  @Test
  @DisplayName("An expired session counts as an abrupt end: the user goes offline only after the grace")
  void expiryAppliesTheGrace() {
    SockJsTestClient watcher = hub.login("acme", "t-w", "tech");
    watcher.send(SubscriptionTest.subscribeUsers("s", "t-1"));
    watcher.reply("s");
    SockJsTestClient c = hub.connect(Transport.RAW_WEBSOCKET);
    String token = hub.tokens().token("acme", "t-1", "tech", SHORT_TTL_S);
    c.auth(token);
    watcher.await(updateOf("t-1"));
    assertUnauthorizedClose(c.awaitClose());
    JsonObject offline = watcher.await(updateOf("t-1"));
    assertEquals("offline", record(offline, "t-1").getString("status"));
    long offlineAfterExp = watcher.receivedAt(offline) - exp(token) * 1000;
    assertTrue(offlineAfterExp >= hub.configured("offlineGraceMs"), "offline " + offlineAfterExp + " ms after exp");
  }

  /** The token's exp claim, in epoch seconds. */
  static long exp(String token) {
    String payload = new String(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[1]), java.nio.charset.StandardCharsets.UTF_8);
    return new JsonObject(payload).getLong("exp");
  }
}
