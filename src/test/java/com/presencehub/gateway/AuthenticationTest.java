package com.presencehub.gateway;

import static com.presencehub.testing.FrameMatch.error;
import static com.presencehub.testing.FrameMatch.reply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.testing.SockJsTestClient;
import com.presencehub.testing.SockJsTestClient.Closed;
import com.presencehub.testing.SockJsTestClient.Transport;
import com.presencehub.testing.TestTokens;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@ExtendWith(VertxExtension.class)
@Timeout(60)
@DisplayName("Authentication (PROTOCOL.md §3, auth frame of §4)")
class AuthenticationTest {

  private Vertx vertx;
  private LiveHub hub;

  @BeforeEach
  void startNode(Vertx vertx) {
    this.vertx = vertx;
    this.hub = LiveHub.start(vertx, LiveHub.noIdle());
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("A valid token opens a session: welcome carries the session, the user and its online record")
  void validTokenIsWelcomed(Transport transport) {
    SockJsTestClient c = hub.connect(transport);
    long before = System.currentTimeMillis();
    JsonObject welcome = c.auth(hub.token("acme", "t-1", "tech"));
    long after = System.currentTimeMillis();

    assertInstanceOf(String.class, welcome.getValue("session"));
    assertTrue(!welcome.getString("session").isEmpty(), "session id is empty");
    assertEquals(new JsonObject().put("id", "t-1").put("tenant", "acme").put("role", "tech").put("name", "Name of t-1"),
        welcome.getJsonObject("user"));
    assertEquals(600_000L, welcome.getLong("idleTimeoutMs"));
    JsonObject me = welcome.getJsonObject("presence");
    assertEquals("t-1", me.getString("user"));
    assertEquals("tech", me.getString("role"));
    assertEquals("online", me.getString("status"));
    assertEquals("active", me.getString("reason"));
    // Opening a session counts as activity (§2).
    assertBetween(before, after, me.getLong("lastActiveAt"), "lastActiveAt");
    assertBetween(before, after, me.getLong("since"), "since");
  }

  @Test
  @DisplayName("Two sessions get distinct session ids")
  void sessionIdsAreDistinct() {
    JsonObject a = hub.connect(Transport.RAW_WEBSOCKET).auth(hub.token("acme", "t-1", "tech"));
    JsonObject b = hub.connect(Transport.SOCKJS_WEBSOCKET).auth(hub.token("acme", "t-1", "tech"));
    assertTrue(!a.getString("session").equals(b.getString("session")), "both sessions are " + a.getString("session"));
  }

  @Test
  @DisplayName("Frames sent right behind auth are served, after welcome")
  void framesBehindAuthWaitForWelcome() {
    SockJsTestClient c = hub.connect(Transport.RAW_WEBSOCKET);
    c.sendAll(List.of(
        new JsonObject().put("type", "auth").put("token", hub.token("acme", "t-1", "tech")).encode(),
        new JsonObject().put("type", "query").put("id", "q1").put("users", new JsonArray().add("t-1")).encode(),
        new JsonObject().put("type", "activity").put("id", "a1").encode()));
    assertEquals("t-1", record(c.reply("q1"), "t-1").getString("user"));
    c.reply("a1");
    assertEquals("welcome", c.received().get(0).getString("type"), "first frame: " + c.received().get(0));
    assertEquals(3, c.received().size(), "frames: " + c.received());
  }

  /** Tokens that must never open a session. */
  enum BadToken {
    NOT_A_JWT {
      String mint(TestTokens t) {
        return "definitely-not-a-jwt";
      }
    },
    WRONG_SECRET {
      String mint(TestTokens t) {
        return JwtForge.hs256("some-other-secret-0123456789abcdef0123456789".getBytes(StandardCharsets.UTF_8),
            JwtForge.claims("acme", "u-bad", "tech", 3600));
      }
    },
    TAMPERED_PAYLOAD {
      String mint(TestTokens t) {
        String[] parts = t.token("acme", "u-bad", "client").split("\\.");
        String forged = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
            JwtForge.claims("acme", "u-bad", "tech", 3600).encode().getBytes(StandardCharsets.UTF_8));
        return parts[0] + "." + forged + "." + parts[2];
      }
    },
    EXPIRED {
      String mint(TestTokens t) {
        return t.sign(JwtForge.claims("acme", "u-bad", "tech", -60), new JWTOptions());
      }
    },
    ALG_NONE {
      String mint(TestTokens t) {
        return JwtForge.unsigned(JwtForge.claims("acme", "u-bad", "tech", 3600));
      }
    },
    RS256_WHEN_ONLY_HS256_IS_CONFIGURED {
      String mint(TestTokens t) {
        return JwtForge.rs256(JwtForge.rsaKeys(), JwtForge.claims("acme", "u-bad", "tech", 3600));
      }
    },
    NO_EXP {
      String mint(TestTokens t) {
        return t.sign(new JsonObject().put("sub", "u-bad").put("tenant", "acme").put("role", "tech"), new JWTOptions());
      }
    },
    NO_SUB {
      String mint(TestTokens t) {
        return t.sign(new JsonObject().put("tenant", "acme").put("role", "tech"), new JWTOptions().setExpiresInSeconds(3600));
      }
    },
    NO_TENANT {
      String mint(TestTokens t) {
        return t.sign(new JsonObject().put("sub", "u-bad").put("role", "tech"), new JWTOptions().setExpiresInSeconds(3600));
      }
    },
    NO_ROLE {
      String mint(TestTokens t) {
        return t.sign(new JsonObject().put("sub", "u-bad").put("tenant", "acme"), new JWTOptions().setExpiresInSeconds(3600));
      }
    },
    UNKNOWN_ROLE {
      String mint(TestTokens t) {
        return t.token("acme", "u-bad", "admin");
      }
    },
    NON_STRING_TENANT {
      String mint(TestTokens t) {
        return t.sign(new JsonObject().put("sub", "u-bad").put("tenant", 42).put("role", "tech"),
            new JWTOptions().setExpiresInSeconds(3600));
      }
    };

    abstract String mint(TestTokens tokens);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(BadToken.class)
  @DisplayName("A token that fails a check gets error unauthorized and close 4401, and opens no session")
  void badTokenNeverOpensASession(BadToken bad) {
    // A node that waits long for auth: on a loaded machine the 1 s default could run out before the
    // token is checked, and the refusal must come from the check (it carries the frame's id).
    LiveHub hub = LiveHub.start(vertx, LiveHub.noIdle().put("authTimeoutMs", 10_000));
    SockJsTestClient watcher = hub.login("acme", "t-watch", "tech");
    SockJsTestClient c = hub.connect(Transport.RAW_WEBSOCKET);
    c.send(new JsonObject().put("type", "auth").put("id", "auth-1").put("token", bad.mint(hub.tokens())));

    JsonObject err = c.await(error("unauthorized"));
    assertEquals("auth-1", err.getValue("id"));
    assertUnauthorizedClose(c.awaitClose());
    assertTrue(c.received().stream().noneMatch(f -> "welcome".equals(f.getString("type"))), "a welcome was sent");

    watcher.send(query("q", "u-bad"));
    JsonObject record = record(watcher.reply("q"), "u-bad");
    assertEquals("offline", record.getString("status"), "the refused user was seen: " + record);
    assertNull(record.getValue("lastActiveAt"));
    hub.stop();
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("An invalid token is refused with close 4401 on every transport")
  void invalidTokenClosesWith4401OnEveryTransport(Transport transport) {
    SockJsTestClient c = hub.connect(transport);
    c.send(new JsonObject().put("type", "auth").put("token", BadToken.WRONG_SECRET.mint(hub.tokens())));
    c.await(error("unauthorized"));
    assertUnauthorizedClose(c.awaitClose());
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("A connection that sends no auth within authTimeoutMs is closed with 4401, not before")
  void noAuthInTimeClosesWith4401(Transport transport) {
    long connectedBy = System.currentTimeMillis();
    SockJsTestClient c = hub.connect(transport);
    c.await(error("unauthorized"));
    Closed closed = c.awaitClose();
    assertUnauthorizedClose(closed);
    long at = c.receivedAt(c.received().get(0));
    assertTrue(at - connectedBy >= hub.configured("authTimeoutMs") - 50,
        "closed " + (at - connectedBy) + " ms after connecting, authTimeoutMs is " + hub.configured("authTimeoutMs"));
  }

  @Test
  @DisplayName("A first frame other than auth gets unauthorized and close 4401")
  void firstFrameMustBeAuth() {
    SockJsTestClient c = hub.connect(Transport.SOCKJS_WEBSOCKET);
    c.send(new JsonObject().put("type", "query").put("id", 7).put("users", new JsonArray().add("t-1")));
    assertEquals(7, c.await(error("unauthorized")).getValue("id"));
    assertUnauthorizedClose(c.awaitClose());
    assertTrue(c.received().stream().noneMatch(f -> "presence".equals(f.getString("type"))), "answered before auth");
  }

  @ParameterizedTest(name = "token {0}")
  @EnumSource(MissingToken.class)
  @DisplayName("An auth frame without a usable token field gets unauthorized and close 4401")
  void authWithoutTokenIsUnauthorized(MissingToken missing) {
    SockJsTestClient c = hub.connect(Transport.RAW_WEBSOCKET);
    JsonObject auth = new JsonObject().put("type", "auth").put("id", "a");
    missing.apply(auth);
    c.send(auth);
    JsonObject err = c.await(error("unauthorized"));
    assertEquals("a", err.getValue("id"));
    assertTrue(err.getString("message").contains("token"), "the error does not name the token: " + err);
    Closed closed = c.awaitClose(Duration.ofMillis(hub.configured("authTimeoutMs") / 2));
    assertUnauthorizedClose(closed);
  }

  enum MissingToken {
    ABSENT, NULL, EMPTY, NUMBER, OBJECT;

    void apply(JsonObject auth) {
      switch (this) {
        case ABSENT -> { }
        case NULL -> auth.putNull("token");
        case EMPTY -> auth.put("token", "");
        case NUMBER -> auth.put("token", 12345);
        case OBJECT -> auth.put("token", new JsonObject().put("jwt", "x"));
      }
    }
  }

  @Test
  @DisplayName("Malformed input before auth gets bad_request; the connection may still authenticate in time")
  void badInputBeforeAuthLeavesTheConnectionUsable() {
    SockJsTestClient c = hub.connect(Transport.RAW_WEBSOCKET);
    c.sendRaw("{\"type\":\"auth\",");
    c.await(error("bad_request"));
    c.send(new JsonObject().put("type", "auth").put("token", hub.token("acme", "t-1", "tech"))
        .put("client", new JsonObject().put("platform", 3)));
    JsonObject err = c.await(error("bad_request"));
    assertTrue(err.getString("message").contains("client.platform"), err.encode());
    JsonObject welcome = c.auth(hub.token("acme", "t-1", "tech"));
    assertEquals("t-1", welcome.getJsonObject("user").getString("id"));
  }

  @Test
  @DisplayName("The client descriptor of auth is optional")
  void clientDescriptorIsOptional() {
    SockJsTestClient c = hub.connect(Transport.RAW_WEBSOCKET);
    c.send(new JsonObject().put("type", "auth").put("token", hub.token("acme", "t-1", "tech")));
    assertEquals("t-1", c.next("welcome").getJsonObject("user").getString("id"));
    SockJsTestClient teams = hub.connect(Transport.RAW_WEBSOCKET);
    teams.send(new JsonObject().put("type", "auth").put("token", hub.token("acme", "t-2", "tech"))
        .put("client", new JsonObject().put("platform", "teams").put("version", "1.2")));
    assertEquals("t-2", teams.next("welcome").getJsonObject("user").getString("id"));
  }

  // ---- iss / aud ------------------------------------------------------------------------------

  @Test
  @DisplayName("With iss and aud configured, a token carrying both is accepted")
  void issuerAndAudienceAccepted() {
    LiveHub strict = LiveHub.start(vertx, strictConfig());
    JsonObject claims = JwtForge.claims("acme", "t-1", "tech", 3600).put("iss", "https://login.example").put("aud", "presence-hub");
    JsonObject welcome = strict.connect(Transport.RAW_WEBSOCKET).auth(hs256(claims));
    assertEquals("t-1", welcome.getJsonObject("user").getString("id"));

    JsonObject inList = JwtForge.claims("acme", "t-2", "tech", 3600).put("iss", "https://login.example")
        .put("aud", new JsonArray().add("other").add("presence-hub"));
    assertEquals("t-2", strict.connect(Transport.XHR_POLLING).auth(hs256(inList)).getJsonObject("user").getString("id"));
  }

  enum IssAud {
    WRONG_ISSUER("https://evil.example", "presence-hub"),
    NO_ISSUER(null, "presence-hub"),
    WRONG_AUDIENCE("https://login.example", "billing"),
    NO_AUDIENCE("https://login.example", null);

    final String iss;
    final String aud;

    IssAud(String iss, String aud) {
      this.iss = iss;
      this.aud = aud;
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(IssAud.class)
  @DisplayName("With iss and aud configured, a token with a wrong or missing one is refused with 4401")
  void issuerAndAudienceChecked(IssAud bad) {
    LiveHub strict = LiveHub.start(vertx, strictConfig());
    JsonObject claims = JwtForge.claims("acme", "t-1", "tech", 3600);
    if (bad.iss != null) {
      claims.put("iss", bad.iss);
    }
    if (bad.aud != null) {
      claims.put("aud", bad.aud);
    }
    SockJsTestClient c = strict.connect(Transport.RAW_WEBSOCKET);
    c.send(new JsonObject().put("type", "auth").put("token", hs256(claims)));
    c.await(error("unauthorized"));
    assertUnauthorizedClose(c.awaitClose());
  }

  private static JsonObject strictConfig() {
    return LiveHub.noIdle().put("jwtIssuer", "https://login.example").put("jwtAudience", "presence-hub");
  }

  private static String hs256(JsonObject claims) {
    return JwtForge.hs256(TestTokens.SECRET.getBytes(StandardCharsets.UTF_8), claims);
  }

  // ---- public keys ----------------------------------------------------------------------------

  @Test
  @DisplayName("With an RSA public key configured, RS256 tokens are accepted and HS256 ones are refused")
  void rs256WithPublicKey() {
    KeyPair keys = JwtForge.rsaKeys();
    String pem = JwtForge.pem(keys.getPublic());
    LiveHub rsa = LiveHub.start(vertx, LiveHub.noIdle().putNull("jwtSecret").put("devTokens", false).put("jwtPublicKey", pem));

    JsonObject welcome = rsa.connect(Transport.RAW_WEBSOCKET).auth(JwtForge.rs256(keys, JwtForge.claims("acme", "t-1", "tech", 3600)));
    assertEquals("t-1", welcome.getJsonObject("user").getString("id"));

    // The classic algorithm confusion: the public key (which is public) used as an HMAC secret.
    String confused = JwtForge.hs256(pem.getBytes(StandardCharsets.UTF_8), JwtForge.claims("acme", "t-2", "tech", 3600));
    assertRefused(rsa, confused);
    assertRefused(rsa, JwtForge.rs256(JwtForge.rsaKeys(), JwtForge.claims("acme", "t-3", "tech", 3600)));
    assertRefused(rsa, JwtForge.unsigned(JwtForge.claims("acme", "t-4", "tech", 3600)));
  }

  @Test
  @DisplayName("With an EC public key configured, ES256 tokens are accepted and RS256 ones are refused")
  void es256WithPublicKey() {
    KeyPair keys = JwtForge.ecKeys();
    LiveHub ec = LiveHub.start(vertx, LiveHub.noIdle().putNull("jwtSecret").put("devTokens", false)
        .put("jwtPublicKey", JwtForge.pem(keys.getPublic())));

    JsonObject welcome = ec.connect(Transport.SOCKJS_WEBSOCKET).auth(JwtForge.es256(keys, JwtForge.claims("acme", "c-1", "client", 3600)));
    assertEquals("client", welcome.getJsonObject("user").getString("role"));
    assertRefused(ec, JwtForge.rs256(JwtForge.rsaKeys(), JwtForge.claims("acme", "t-3", "tech", 3600)));
    assertRefused(ec, JwtForge.es256(JwtForge.ecKeys(), JwtForge.claims("acme", "t-3", "tech", 3600)));
  }

  // ---- helpers --------------------------------------------------------------------------------

  private static void assertRefused(LiveHub node, String token) {
    SockJsTestClient c = node.connect(Transport.RAW_WEBSOCKET);
    c.send(new JsonObject().put("type", "auth").put("token", token));
    c.await(error("unauthorized"));
    assertUnauthorizedClose(c.awaitClose());
  }

  static void assertUnauthorizedClose(Closed closed) {
    assertEquals(4401, closed.code(), "close " + closed);
    assertTrue(closed.byHub(), "closed by the client: " + closed);
  }

  static JsonObject query(Object id, String... users) {
    return new JsonObject().put("type", "query").put("id", id).put("users", new JsonArray(List.of((Object[]) users)));
  }

  static JsonObject record(JsonObject presenceFrame, String user) {
    JsonObject r = com.presencehub.testing.FrameMatch.recordOf(presenceFrame, user);
    if (r == null) {
      throw new AssertionError("no record of " + user + " in " + presenceFrame.encode());
    }
    return r;
  }

  private static void assertBetween(long low, long high, Long value, String what) {
    assertTrue(value != null && value >= low && value <= high, what + " = " + value + ", expected in [" + low + ", " + high + "]");
  }
}
