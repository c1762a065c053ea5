package com.presencehub.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The node's configuration: three layers, validated, errors naming the key and its source. */
@DisplayName("The hub configuration")
class HubConfigTest {

  private static final String SECRET = "test-secret-0123456789abcdef0123456789";
  private static final String PEM = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----";

  private static JsonObject file() {
    return new JsonObject().put("jwtSecret", SECRET);
  }

  private static HubConfig load(JsonObject file, Map<String, String> env, Map<String, String> sys) {
    return HubConfig.fromLayers(file, env, sys);
  }

  private static ConfigException refused(JsonObject file, Map<String, String> env, Map<String, String> sys) {
    return assertThrows(ConfigException.class, () -> HubConfig.fromLayers(file, env, sys));
  }

  private static void assertMentions(ConfigException e, String... parts) {
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should mention " + p);
    }
  }

  @Nested
  @DisplayName("defaults")
  class Defaults {

    @Test
    @DisplayName("follow the contract when only a secret is given")
    void contractDefaults() {
      HubConfig c = HubConfig.fromJson(file());
      assertEquals("0.0.0.0", c.httpHost());
      assertEquals(8080, c.httpPort());
      assertEquals(300_000, c.idleTimeoutMs());
      assertEquals(5_000, c.offlineGraceMs());
      assertEquals(10_000, c.authTimeoutMs());
      assertEquals(SECRET, c.jwtSecret());
      assertNull(c.jwtPublicKey());
      assertNull(c.jwtIssuer());
      assertNull(c.jwtAudience());
      assertFalse(c.cluster());
      assertEquals("presence-hub", c.clusterName());
      assertEquals("127.0.0.1", c.clusterHost());
      assertEquals(5701, c.clusterPort());
      assertEquals(List.of(), c.clusterMembers());
      assertEquals(271, c.clusterPartitions(), "Hazelcast's own default: any member joins");
      assertEquals(65_536, c.maxFrameBytes());
      assertEquals(50, c.rateLimitPerSecond());
      assertEquals(100, c.rateLimitBurst());
      assertEquals(100, c.rateLimitCloseAfter());
      assertEquals(1_000, c.maxUsersPerSubscribe());
      assertEquals(262_144, c.writeQueueMaxChars());
      assertEquals(200, c.sweepIntervalMs());
      assertEquals(Runtime.getRuntime().availableProcessors(), c.shards());
      String env = System.getenv("PRESENCE_GATEWAY_INSTANCES");
      assertEquals(env != null ? Integer.parseInt(env) : Runtime.getRuntime().availableProcessors(), c.gatewayInstances(),
          "every core serves sockets (PRESENCE_GATEWAY_INSTANCES, when set, is the default even for fromJson)");
      assertEquals(25_000, c.heartbeatIntervalMs());
      assertEquals(5_000, c.sockjsSessionTimeoutMs());
      assertFalse(c.devTokens());
    }

    @Test
    @DisplayName("cover every field of the record, and nothing else")
    void keysMatchRecord() {
      Set<String> components = Arrays.stream(HubConfig.class.getRecordComponents())
          .map(RecordComponent::getName).collect(Collectors.toCollection(java.util.HashSet::new));
      // devMode is derived (no key configured), not a key of its own.
      components.remove("devMode");
      assertEquals(components, HubConfig.keys());
    }

    @Test
    @DisplayName("let the shipped conf/config.json load")
    void shippedConfigIsValid() throws IOException {
      JsonObject shipped = new JsonObject(Files.readString(Path.of("conf", "config.json")));
      HubConfig c = HubConfig.fromJson(shipped);
      // §7: no secret in any shipped file; alone, it runs the development mode.
      assertFalse(shipped.containsKey("jwtSecret") || shipped.containsKey("jwtPublicKey"), "conf/config.json ships a key");
      assertTrue(c.devMode());
      assertEquals(300_000, c.idleTimeoutMs());
      assertEquals(5_000, c.offlineGraceMs());
      assertEquals(8080, c.httpPort());
    }
  }

  @Nested
  @DisplayName("layers")
  class Layers {

    @Test
    @DisplayName("name environment variables PRESENCE_ plus the key in upper snake case, as §7 lists them")
    void envNames() {
      Map<String, String> expected = new LinkedHashMap<>();
      expected.put("httpPort", "PRESENCE_HTTP_PORT");
      expected.put("idleTimeoutMs", "PRESENCE_IDLE_TIMEOUT_MS");
      expected.put("offlineGraceMs", "PRESENCE_OFFLINE_GRACE_MS");
      expected.put("authTimeoutMs", "PRESENCE_AUTH_TIMEOUT_MS");
      expected.put("jwtSecret", "PRESENCE_JWT_SECRET");
      expected.put("jwtPublicKey", "PRESENCE_JWT_PUBLIC_KEY");
      expected.put("jwtIssuer", "PRESENCE_JWT_ISSUER");
      expected.put("jwtAudience", "PRESENCE_JWT_AUDIENCE");
      expected.put("cluster", "PRESENCE_CLUSTER");
      expected.put("clusterName", "PRESENCE_CLUSTER_NAME");
      expected.put("clusterHost", "PRESENCE_CLUSTER_HOST");
      expected.put("clusterPort", "PRESENCE_CLUSTER_PORT");
      expected.put("clusterMembers", "PRESENCE_CLUSTER_MEMBERS");
      expected.put("rateLimitPerSecond", "PRESENCE_RATE_LIMIT_PER_SECOND");
      expected.put("devTokens", "PRESENCE_DEV_TOKENS");
      expected.forEach((key, env) -> {
        assertTrue(HubConfig.keys().contains(key), key);
        assertEquals(env, HubConfig.envName(key));
      });
      assertEquals("presence.idleTimeoutMs", HubConfig.sysName("idleTimeoutMs"));
    }

    @Test
    @DisplayName("let the environment override the file, and system properties override both")
    void precedence() {
      JsonObject f = file().put("idleTimeoutMs", 1_000).put("offlineGraceMs", 2_000).put("authTimeoutMs", 3_000);
      Map<String, String> env = Map.of("PRESENCE_OFFLINE_GRACE_MS", "2500", "PRESENCE_AUTH_TIMEOUT_MS", "3500");
      Map<String, String> sys = Map.of("presence.authTimeoutMs", "3900");
      HubConfig c = load(f, env, sys);
      assertEquals(1_000, c.idleTimeoutMs(), "file");
      assertEquals(2_500, c.offlineGraceMs(), "environment over file");
      assertEquals(3_900, c.authTimeoutMs(), "system property over environment");
    }

    @Test
    @DisplayName("accept every setting from the environment alone")
    void everythingFromEnv() {
      Map<String, String> env = new LinkedHashMap<>();
      env.put("PRESENCE_JWT_SECRET", SECRET);
      env.put("PRESENCE_HTTP_PORT", " 9090 ");
      env.put("PRESENCE_CLUSTER", "TRUE");
      env.put("PRESENCE_CLUSTER_MEMBERS", "10.0.0.1:5701, 10.0.0.2:5702,,");
      env.put("PRESENCE_DEV_TOKENS", "false");
      env.put("PRESENCE_JWT_ISSUER", "   ");
      HubConfig c = load(new JsonObject(), env, Map.of());
      assertEquals(SECRET, c.jwtSecret());
      assertEquals(9090, c.httpPort());
      assertTrue(c.cluster());
      assertEquals(List.of("10.0.0.1:5701", "10.0.0.2:5702"), c.clusterMembers());
      assertNull(c.jwtIssuer(), "a blank optional value means unset");
    }

    @Test
    @DisplayName("ignore environment variables and properties that are not keys")
    void unknownOutsideKeysIgnored() {
      HubConfig c = load(file(), Map.of("PRESENCE_FLAVOUR", "x"), Map.of("presence.flavour", "y"));
      assertEquals(8080, c.httpPort());
    }

    @Test
    @DisplayName("take typed JSON values from the file, members as an array")
    void typedFileValues() {
      JsonObject f = file()
          .put("cluster", true)
          .put("clusterMembers", new JsonArray().add("a:1").add(" b:2 "))
          .put("offlineGraceMs", 0)
          .put("idleTimeoutMs", 86_400_000L)
          .put("jwtIssuer", "https://issuer")
          .put("jwtAudience", null);
      HubConfig c = HubConfig.fromJson(f);
      assertTrue(c.cluster());
      assertEquals(List.of("a:1", "b:2"), c.clusterMembers());
      assertEquals(0, c.offlineGraceMs(), "no grace is allowed");
      assertEquals(86_400_000L, c.idleTimeoutMs());
      assertEquals("https://issuer", c.jwtIssuer());
      assertNull(c.jwtAudience());
      assertThrows(UnsupportedOperationException.class, () -> c.clusterMembers().add("x:1"), "immutable");
    }
  }

  @Nested
  @DisplayName("validation")
  class Validation {

    @Test
    @DisplayName("rejects an unknown key in the file, naming it")
    void unknownFileKey() {
      ConfigException e = refused(file().put("idleTimeoutMS", 1_000), Map.of(), Map.of());
      assertMentions(e, "'idleTimeoutMS'", "config file");
    }

    @ParameterizedTest(name = "{0}={1}")
    @DisplayName("rejects a bad file value, naming the key and the file")
    @CsvSource(delimiter = '|', value = {
        "httpPort|70000|must be between 0 and 65535",
        "httpPort|-1|must be between",
        "idleTimeoutMs|99|must be between 100",
        "idleTimeoutMs|86400001|must be between",
        "offlineGraceMs|-1|must be between 0",
        "authTimeoutMs|abc|must be an integer",
        "maxFrameBytes|255|must be between 256",
        "rateLimitPerSecond|0|must be between 1",
        "shards|0|must be between 1",
        "gatewayInstances|2000|must be between 1 and 1024",
        "sweepIntervalMs|9|must be between 10",
        "sweepIntervalMs|501|at most 500",
        "heartbeatIntervalMs|99|must be between 100",
        "cluster|yes|must be true or false",
        "devTokens|1|must be true or false",
    })
    void badFileValue(String key, String value, String message) {
      ConfigException e = refused(file().put(key, value), Map.of(), Map.of());
      assertMentions(e, key + ":", message, "config file");
    }

    @Test
    @DisplayName("rejects a fractional or non-numeric JSON value for an integer key")
    void typedBadValues() {
      assertMentions(refused(file().put("httpPort", 8080.5), Map.of(), Map.of()), "httpPort: must be an integer", "8080.5");
      assertMentions(refused(file().put("idleTimeoutMs", true), Map.of(), Map.of()), "idleTimeoutMs: must be an integer");
      assertMentions(refused(file().put("shards", new JsonObject()), Map.of(), Map.of()), "shards: must be an integer");
      assertMentions(refused(file().put("httpPort", 4_294_975_376L), Map.of(), Map.of()), "httpPort: must be between");
      // 2^64 + 8080 must not wrap around to 8080.
      assertMentions(refused(new JsonObject("{\"httpPort\":18446744073709559696}"), Map.of(), Map.of()),
          "httpPort: must be between", "config file");
      assertEquals(9000, HubConfig.fromJson(file().put("httpPort", java.math.BigInteger.valueOf(9000))).httpPort());
    }

    @Test
    @DisplayName("names the environment variable a bad value came from")
    void badEnvValue() {
      ConfigException e = refused(file(), Map.of("PRESENCE_IDLE_TIMEOUT_MS", "5min"), Map.of());
      assertMentions(e, "idleTimeoutMs", "must be an integer", "'5min'", "environment PRESENCE_IDLE_TIMEOUT_MS");
    }

    @Test
    @DisplayName("names the system property a bad value came from, even when the file and environment are fine")
    void badSysValue() {
      ConfigException e = refused(file().put("httpPort", 8081), Map.of("PRESENCE_HTTP_PORT", "8082"),
          Map.of("presence.httpPort", "99999"));
      assertMentions(e, "httpPort", "99999", "system property presence.httpPort");
    }

    @Test
    @DisplayName("rejects a string where a string is required but empty, or a non-string")
    void strings() {
      assertMentions(refused(file().put("clusterName", " "), Map.of(), Map.of()), "clusterName: must not be empty", "config file");
      assertMentions(refused(file().putNull("clusterName"), Map.of(), Map.of()), "clusterName: is required");
      assertMentions(refused(file().put("clusterName", 5), Map.of(), Map.of()), "clusterName: must be a string");
    }

    @Test
    @DisplayName("without a JWT key runs in development mode: loopback, a random secret per boot, dev tokens on")
    void developmentMode() {
      HubConfig a = load(new JsonObject(), Map.of(), Map.of());
      HubConfig b = load(new JsonObject(), Map.of(), Map.of());
      assertTrue(a.devMode());
      assertEquals("127.0.0.1", a.httpHost());
      assertTrue(a.devTokens());
      assertTrue(a.jwtSecret().getBytes(java.nio.charset.StandardCharsets.UTF_8).length >= 32, "short dev secret");
      assertTrue(!a.jwtSecret().equals(b.jwtSecret()), "two boots share a secret");
      // A blank environment value unsets the file's secret: development mode again.
      assertTrue(load(file(), Map.of("PRESENCE_JWT_SECRET", ""), Map.of()).devMode());
      // Dev tokens may still be turned off explicitly, and another loopback address chosen.
      assertFalse(load(new JsonObject().put("devTokens", false), Map.of(), Map.of()).devTokens());
      assertEquals("127.0.0.2", load(new JsonObject(), Map.of("PRESENCE_HTTP_HOST", "127.0.0.2"), Map.of()).httpHost());
      assertEquals("localhost", load(new JsonObject().put("httpHost", "localhost"), Map.of(), Map.of()).httpHost());
    }

    @Test
    @DisplayName("in development mode refuses to listen beyond loopback, naming httpHost and the key to set")
    void developmentModeStaysLocal() {
      for (String host : List.of("0.0.0.0", "::", "10.0.0.5", "hub.example.com")) {
        assertMentions(refused(new JsonObject(), Map.of("PRESENCE_HTTP_HOST", host), Map.of()),
            "httpHost", host, "not a loopback", "PRESENCE_JWT_SECRET", "environment PRESENCE_HTTP_HOST");
      }
    }

    @Test
    @DisplayName("with a key configured runs in production: all interfaces, no dev tokens unless asked")
    void productionMode() {
      HubConfig c = load(file(), Map.of(), Map.of());
      assertFalse(c.devMode());
      assertEquals("0.0.0.0", c.httpHost());
      assertFalse(c.devTokens());
      assertTrue(load(file().put("devTokens", true), Map.of(), Map.of()).devTokens());
      HubConfig pem = load(new JsonObject().put("jwtPublicKey", PEM), Map.of(), Map.of());
      assertFalse(pem.devMode());
      assertNull(pem.jwtSecret());
    }

    @Test
    @DisplayName("refuses an HS256 secret under 32 bytes (RFC 7518 §3.2), naming the key and its source but not the secret")
    void shortSecret() {
      String short31 = "x".repeat(31);
      ConfigException e = refused(new JsonObject(), Map.of("PRESENCE_JWT_SECRET", short31), Map.of());
      assertMentions(e, "jwtSecret", "at least 32 bytes", "RFC 7518", "got 31 bytes", "environment PRESENCE_JWT_SECRET");
      assertFalse(e.getMessage().contains(short31), "the message echoes the secret: " + e.getMessage());
      assertMentions(refused(new JsonObject().put("jwtSecret", "x"), Map.of(), Map.of()), "jwtSecret", "got 1 bytes", "config file");
      assertEquals("y".repeat(32), load(new JsonObject().put("jwtSecret", "y".repeat(32)), Map.of(), Map.of()).jwtSecret());
      // Bytes, not characters: 16 two-byte characters are 32 bytes.
      assertEquals("é".repeat(16), load(new JsonObject().put("jwtSecret", "é".repeat(16)), Map.of(), Map.of()).jwtSecret());
      assertMentions(refused(new JsonObject().put("jwtSecret", "é".repeat(15)), Map.of(), Map.of()), "got 30 bytes");
    }

    @Test
    @DisplayName("validates allowedOrigins: * alone, or scheme://host[:port] origins")
    void allowedOrigins() {
      assertEquals(List.of("*"), load(file(), Map.of(), Map.of()).allowedOrigins());
      assertEquals(List.of("https://portal.example.com", "http://127.0.0.1:3000"),
          load(file(), Map.of("PRESENCE_ALLOWED_ORIGINS", "https://portal.example.com, http://127.0.0.1:3000"), Map.of()).allowedOrigins());
      for (String bad : List.of("portal.example.com", "https://portal.example.com/", "https://a.example/path", "*,https://a.example", "ftp://a.example")) {
        assertMentions(refused(file(), Map.of("PRESENCE_ALLOWED_ORIGINS", bad), Map.of()), "allowedOrigins", "environment PRESENCE_ALLOWED_ORIGINS");
      }
      assertMentions(refused(file().put("allowedOrigins", new io.vertx.core.json.JsonArray()), Map.of(), Map.of()), "allowedOrigins", "must not be empty");
    }

    @Test
    @DisplayName("validates the connection limits: header and idle timeouts, pending connections per address")
    void connectionLimits() {
      HubConfig c = load(file(), Map.of(), Map.of());
      assertEquals(10_000, c.httpHeaderTimeoutMs());
      assertEquals(30_000, c.httpIdleTimeoutMs());
      assertEquals(64, c.maxPendingConnectionsPerAddress());
      assertMentions(refused(file().put("httpHeaderTimeoutMs", 0), Map.of(), Map.of()), "httpHeaderTimeoutMs: must be between");
      assertMentions(refused(file(), Map.of("PRESENCE_HTTP_IDLE_TIMEOUT_MS", "soon"), Map.of()), "httpIdleTimeoutMs", "must be an integer");
      assertMentions(refused(file().put("maxPendingConnectionsPerAddress", 0), Map.of(), Map.of()), "maxPendingConnectionsPerAddress: must be between");
    }

    @Test
    @DisplayName("accepts a PEM public key alone and rejects anything that is not PEM")
    void publicKey() {
      HubConfig c = load(new JsonObject().put("jwtPublicKey", PEM), Map.of(), Map.of());
      assertEquals(PEM, c.jwtPublicKey());
      assertNull(c.jwtSecret());
      assertMentions(refused(new JsonObject(), Map.of("PRESENCE_JWT_PUBLIC_KEY", "ssh-rsa AAAA"), Map.of()),
          "jwtPublicKey", "PEM", "environment PRESENCE_JWT_PUBLIC_KEY");
    }

    @Test
    @DisplayName("refuses dev tokens without a secret to sign them")
    void devTokensNeedSecret() {
      assertMentions(refused(new JsonObject().put("jwtPublicKey", PEM).put("devTokens", true), Map.of(), Map.of()),
          "devTokens", "jwtSecret");
      assertTrue(HubConfig.fromJson(file().put("devTokens", true)).devTokens());
    }

    @Test
    @DisplayName("rejects cluster members that are not host:port, naming the source")
    void clusterMembers() {
      assertMentions(refused(file(), Map.of("PRESENCE_CLUSTER_MEMBERS", "10.0.0.1:5701,10.0.0.2"), Map.of()),
          "clusterMembers", "'10.0.0.2'", "host:port", "environment PRESENCE_CLUSTER_MEMBERS");
      assertMentions(refused(file().put("clusterMembers", new JsonArray().add("a:1").add(5)), Map.of(), Map.of()),
          "clusterMembers", "list of strings", "config file");
      assertMentions(refused(file().put("clusterMembers", 5), Map.of(), Map.of()), "clusterMembers", "comma-separated");
      assertMentions(refused(file().put("clusterMembers", "host:123456"), Map.of(), Map.of()), "clusterMembers", "host:port");
      assertMentions(refused(file().put("clusterMembers", "host:65536"), Map.of(), Map.of()), "clusterMembers", "'host:65536'");
      assertMentions(refused(file().put("clusterMembers", "host:0"), Map.of(), Map.of()), "clusterMembers", "'host:0'");
      assertEquals(List.of("h1:1", "h2:65535"), HubConfig.fromJson(file().put("clusterMembers", "h1:1,h2:65535")).clusterMembers());
    }

    @Test
    @DisplayName("accepts the boundaries of every range")
    void boundaries() {
      HubConfig c = HubConfig.fromJson(file()
          .put("httpPort", 0).put("idleTimeoutMs", 100).put("sweepIntervalMs", 500)
          .put("shards", 1024).put("maxFrameBytes", 256).put("authTimeoutMs", 600_000));
      assertEquals(0, c.httpPort());
      assertEquals(100, c.idleTimeoutMs());
      assertEquals(500, c.sweepIntervalMs());
      assertEquals(1024, c.shards());
      assertEquals(256, c.maxFrameBytes());
      assertEquals(600_000, c.authTimeoutMs());
    }
  }
}
