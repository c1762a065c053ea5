package com.presencehub.gateway;

import static com.presencehub.testing.FrameMatch.error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.testing.SockJsTestClient;
import com.presencehub.testing.SockJsTestClient.Closed;
import com.presencehub.testing.SockJsTestClient.Transport;
import com.presencehub.testing.TestTokens;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tokens signed with the hub's own secret whose header or claims are malformed (issue 11 §3, issue
 * 10 §2): each is refused at once with {@code unauthorized} naming the claim and close 4401, on a
 * first auth and on a refresh, and no reply carries Java exception text.
 */
@ExtendWith(VertxExtension.class)
@Timeout(120)
@DisplayName("Malformed tokens are refused cleanly, naming the claim (PROTOCOL.md §3)")
class MalformedTokenTest {

  /** Java's exception vocabulary: none of it may reach a client. */
  private static final Pattern JAVA_TEXT = Pattern.compile(
      "java\\.|Exception|cannot be cast|Cannot invoke|because \"|NullPointer|class [a-z]+\\.");
  private static final String HS256 = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

  private LiveHub hub;

  @BeforeEach
  void start(Vertx vertx) {
    // A long auth timeout: a refusal must come at once, not when the timeout fires.
    hub = LiveHub.start(vertx, LiveHub.noIdle().put("authTimeoutMs", 30_000));
  }

  static long in(long seconds) {
    return System.currentTimeMillis() / 1000 + seconds;
  }

  /** A valid claim set with one claim replaced by raw JSON text. */
  static String claimsWith(String claim, String rawJson) {
    JsonObject base = new JsonObject().put("sub", "u-1").put("tenant", "acme").put("role", "tech").put("exp", in(3600));
    String json = base.copy().put(claim, "@@").encode();
    return json.replace("\"@@\"", rawJson);
  }

  static Stream<Arguments> malformedClaims() {
    Stream.Builder<Arguments> b = Stream.builder();
    for (String claim : List.of("exp", "nbf", "iat")) {
      for (String bad : List.of("\"soon\"", "null", "true", "[1]", "{}", "9.3e15", "1e19", "1e300", "-1",
          "10000000000000000000", "253402300800")) {
        b.add(Arguments.of(claim + "=" + bad, claimsWith(claim, bad), claim));
      }
    }
    b.add(Arguments.of("no exp", new JsonObject().put("sub", "u-1").put("tenant", "acme").put("role", "tech").encode(), "exp"));
    for (String claim : List.of("sub", "tenant")) {
      b.add(Arguments.of(claim + " 257 chars", claimsWith(claim, "\"" + "x".repeat(257) + "\""), claim));
      b.add(Arguments.of(claim + " lone surrogate", claimsWith(claim, "\"a\\ud800\""), claim));
      b.add(Arguments.of(claim + " number", claimsWith(claim, "7"), claim));
      b.add(Arguments.of(claim + " empty", claimsWith(claim, "\"\""), claim));
      b.add(Arguments.of(claim + " with NUL", claimsWith(claim, "\"bob\\u0000admin\""), claim));
      b.add(Arguments.of(claim + " with newline", claimsWith(claim, "\"bob\\nadmin\""), claim));
      b.add(Arguments.of(claim + " 257 emoji", claimsWith(claim, "\"" + "\uD83D\uDE00".repeat(257) + "\""), claim));
    }
    b.add(Arguments.of("role admin", claimsWith("role", "\"admin\""), "role"));
    b.add(Arguments.of("role array", claimsWith("role", "[\"tech\"]"), "role"));
    b.add(Arguments.of("name number", claimsWith("name", "12"), "name"));
    b.add(Arguments.of("aud object", claimsWith("aud", "{}"), "aud"));
    b.add(Arguments.of("iss number", claimsWith("iss", "1"), "iss"));
    return b.build();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedClaims")
  @DisplayName("A signed token with a malformed claim: unauthorized naming the claim, close 4401 at once")
  void malformedClaimOnAuth(String label, String claims, String claim) {
    SockJsTestClient c = hub.connect(Transport.RAW_WEBSOCKET);
    long sent = System.currentTimeMillis();
    c.send(new JsonObject().put("type", "auth").put("id", "a").put("token", sign(HS256, claims)));
    JsonObject err = c.await(error("unauthorized"));
    assertNamesClaim(err, claim);
    Closed closed = c.awaitClose(Duration.ofSeconds(10));
    assertEquals(4401, closed.code());
    assertTrue(System.currentTimeMillis() - sent < 10_000, "refused only after " + (System.currentTimeMillis() - sent) + " ms");
    assertEquals(1, c.received().size(), "frames: " + c.received());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedClaims")
  @DisplayName("The same token sent as a refresh: unauthorized naming the claim, close 4401 at once")
  void malformedClaimOnRefresh(String label, String claims, String claim) {
    SockJsTestClient c = hub.login(Transport.SOCKJS_WEBSOCKET, "acme", "u-1", "tech");
    c.send(new JsonObject().put("type", "auth").put("id", "r").put("token", sign(HS256, claims)));
    JsonObject err = c.reply("r");
    assertEquals("unauthorized", err.getString("code"), err.encode());
    assertNamesClaim(err, claim);
    assertEquals(4401, c.awaitClose(Duration.ofSeconds(10)).code());
  }

  static Stream<Arguments> malformedHeaders() {
    String claims = claimsWith("exp", Long.toString(in(3600)));
    return Stream.of(
        Arguments.of("no alg", sign("{\"typ\":\"JWT\"}", claims)),
        Arguments.of("alg a number", sign("{\"alg\":256}", claims)),
        Arguments.of("alg null", sign("{\"alg\":null}", claims)),
        Arguments.of("kid an object", sign("{\"alg\":\"HS256\",\"kid\":{}}", claims)),
        Arguments.of("header not JSON", b64("not json") + "." + b64(claims) + ".c2ln"),
        Arguments.of("header an array", b64("[1]") + "." + b64(claims) + ".c2ln"),
        Arguments.of("payload an array", b64(HS256) + "." + b64("[]") + ".c2ln"),
        Arguments.of("four parts", b64(HS256) + "." + b64(claims) + ".c2ln.c2ln"),
        Arguments.of("bad base64", "%%%.%%%.%%%"),
        Arguments.of("alg none", b64("{\"alg\":\"none\"}") + "." + b64(claims) + "."),
        Arguments.of("alg RS256 keyed with the secret", b64("{\"alg\":\"RS256\"}") + "." + b64(claims) + ".c2ln"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedHeaders")
  @DisplayName("A broken header or token shape: unauthorized in the project's words, close 4401")
  void malformedHeader(String label, String token) {
    SockJsTestClient c = hub.connect(Transport.RAW_WEBSOCKET);
    c.send(new JsonObject().put("type", "auth").put("token", token));
    JsonObject err = c.await(error("unauthorized"));
    assertTrue(err.getString("message").contains("token"), err.encode());
    assertFalse(JAVA_TEXT.matcher(err.getString("message")).find(), "Java text in " + err.encode());
    assertEquals(4401, c.awaitClose(Duration.ofSeconds(10)).code());
  }

  @Test
  @DisplayName("A well-formed refresh that merely fails (bad signature) keeps the session, as before")
  void invalidButWellFormedRefreshKeepsTheSession() {
    SockJsTestClient c = hub.login(Transport.RAW_WEBSOCKET, "acme", "u-1", "tech");
    String forged = sign(HS256, claimsWith("exp", Long.toString(in(3600))), "another-secret-0123456789abcdef0123");
    c.send(new JsonObject().put("type", "auth").put("id", "r").put("token", forged));
    JsonObject err = c.reply("r");
    assertEquals("unauthorized", err.getString("code"));
    assertTrue(err.getString("message").contains("signature"), err.encode());
    c.assertStaysOpen(Duration.ofMillis(300));
  }

  @Test
  @DisplayName("Fractional NumericDates (RFC 7519) are accepted; the session expires at the whole second")
  void fractionalExpIsAccepted() {
    SockJsTestClient c = hub.connect(Transport.RAW_WEBSOCKET);
    JsonObject welcome = c.auth(sign(HS256, claimsWith("exp", in(3600) + ".75")));
    assertEquals("u-1", welcome.getJsonObject("user").getString("id"));
  }

  @Test
  @DisplayName("sub of exactly 256 characters is accepted, 257 refused naming the limit")
  void subLimit() {
    SockJsTestClient ok = hub.connect(Transport.RAW_WEBSOCKET);
    String id = "s".repeat(256);
    assertEquals(id, ok.auth(sign(HS256, claimsWith("sub", "\"" + id + "\""))).getJsonObject("user").getString("id"));
    SockJsTestClient tooLong = hub.connect(Transport.RAW_WEBSOCKET);
    tooLong.send(new JsonObject().put("type", "auth").put("token", sign(HS256, claimsWith("sub", "\"" + id + "s\""))));
    String message = tooLong.await(error("unauthorized")).getString("message");
    assertTrue(message.contains("sub") && message.contains("256"), message);
  }

  // ---- tokens by hand ---------------------------------------------------------------------------

  private static void assertNamesClaim(JsonObject err, String claim) {
    String message = err.getString("message");
    assertTrue(message.contains("token claim " + claim), "does not name " + claim + ": " + err.encode());
    assertFalse(JAVA_TEXT.matcher(message).find(), "Java text in " + err.encode());
  }

  static String b64(String json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  static String sign(String header, String claims) {
    return sign(header, claims, TestTokens.SECRET);
  }

  static String sign(String header, String claims, String secret) {
    try {
      String input = b64(header) + "." + b64(claims);
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return input + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

}
