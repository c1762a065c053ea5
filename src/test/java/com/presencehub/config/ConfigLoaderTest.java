package com.presencehub.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The real loader (vertx-config file, env and sys stores) against a temporary config file. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
@DisplayName("The config loader")
class ConfigLoaderTest {

  private static final String SECRET = "test-secret-0123456789abcdef0123456789";

  @TempDir
  Path dir;

  private Path write(String json) throws IOException {
    Path f = dir.resolve("config.json");
    Files.writeString(f, json);
    return f;
  }

  private static void assertMentions(Throwable e, String... parts) {
    assertInstanceOf(ConfigException.class, e, String.valueOf(e));
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should mention " + p);
    }
  }

  @Test
  @DisplayName("reads a valid file into the config")
  void validFile(Vertx vertx, VertxTestContext ctx) throws IOException {
    Path f = write(new JsonObject().put("jwtSecret", SECRET).put("idleTimeoutMs", 120_000).put("httpPort", 9091).encode());
    ConfigLoader.load(vertx, f, Map.of()).onComplete(ctx.succeeding(c -> ctx.verify(() -> {
      assertEquals(120_000, c.idleTimeoutMs());
      assertEquals(9091, c.httpPort());
      assertEquals(SECRET, c.jwtSecret());
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("stops on a bad value with a message naming the key and the file")
  void badValueNamesKey(Vertx vertx, VertxTestContext ctx) throws IOException {
    Path f = write("{\"jwtSecret\":\"" + SECRET + "\",\"offlineGraceMs\":\"soon\"}");
    ConfigLoader.load(vertx, f, Map.of()).onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertMentions(e, "offlineGraceMs", "must be an integer", "'soon'", "config file");
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("stops on an unknown key in the file")
  void unknownKey(Vertx vertx, VertxTestContext ctx) throws IOException {
    Path f = write("{\"jwtSecret\":\"" + SECRET + "\",\"idle_timeout_ms\":1000}");
    ConfigLoader.load(vertx, f, Map.of()).onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertMentions(e, "'idle_timeout_ms'");
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("stops when the file is missing, naming the path")
  void missingFile(Vertx vertx, VertxTestContext ctx) {
    Path f = dir.resolve("nope.json");
    ConfigLoader.load(vertx, f, Map.of()).onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertMentions(e, "nope.json", "does not exist");
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("the default file missing (the jar run from another directory): built-in defaults plus -D settings")
  void missingDefaultFileRunsOnDefaults(Vertx vertx, VertxTestContext ctx) {
    Path f = dir.resolve("conf").resolve("config.json");
    ConfigLoader.loadDefault(vertx, f, Map.of("presence.httpPort", "9093", "presence.jwtSecret", "0123456789abcdef0123456789abcdef"))
        .onComplete(ctx.succeeding(c -> ctx.verify(() -> {
          assertEquals(9093, c.httpPort());
          assertEquals(HubConfig.fromJson(new JsonObject().put("jwtSecret", "0123456789abcdef0123456789abcdef")).authTimeoutMs(),
              c.authTimeoutMs());
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("stops when the file is not JSON, naming the file")
  void malformedFile(Vertx vertx, VertxTestContext ctx) throws IOException {
    Path f = write("{\"jwtSecret\": ");
    ConfigLoader.load(vertx, f, Map.of()).onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertMentions(e, "config file", f.toString());
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("lets command-line overrides win over the file, and names them when bad")
  void overrides(Vertx vertx, VertxTestContext ctx) throws IOException {
    Path f = write(new JsonObject().put("jwtSecret", SECRET).put("httpPort", 9091).encode());
    ConfigLoader.load(vertx, f, Map.of("presence.httpPort", "9092"))
        .onComplete(ctx.succeeding(c -> ctx.verify(() -> assertEquals(9092, c.httpPort()))))
        .compose(c -> ConfigLoader.load(vertx, f, Map.of("presence.cluster", "maybe")))
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertMentions(e, "cluster", "true or false", "system property presence.cluster");
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("reads presence.* system properties")
  void systemProperties(Vertx vertx, VertxTestContext ctx) throws IOException {
    Path f = write(new JsonObject().put("jwtSecret", SECRET).encode());
    String prop = HubConfig.sysName("clusterName");
    String previous = System.setProperty(prop, "from-sys-prop");
    ConfigLoader.load(vertx, f, Map.of()).onComplete(ar -> {
      if (previous == null) {
        System.clearProperty(prop);
      } else {
        System.setProperty(prop, previous);
      }
      ctx.verify(() -> {
        assertTrue(ar.succeeded(), String.valueOf(ar.cause()));
        assertEquals("from-sys-prop", ar.result().clusterName());
        ctx.completeNow();
      });
    });
  }
}
