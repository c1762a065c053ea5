package com.presencehub.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.presencehub.testing.SockJsTestClient;
import com.presencehub.testing.SockJsTestClient.Transport;
import com.presencehub.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher as a user runs it ({@code java … Main}, in a JVM of its own, environment cleared of
 * every {@code PRESENCE_*} variable): PROTOCOL.md §7 development mode with no key, production with
 * one, and the start-up refusals (issue 11 §1).
 */
@ExtendWith(VertxExtension.class)
@Timeout(180)
@DisplayName("Safe by default: development mode without a key, production with one (PROTOCOL.md §7)")
class DevelopmentModeTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final String SECRET = "devmode-test-secret-0123456789abcdef0123456789";

  @TempDir
  Path dir;
  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stop() throws InterruptedException {
    for (Process p : started) {
      p.destroy();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  private record Launched(Process process, Path log, int port) {
    String output() throws IOException {
      return Files.readString(log);
    }
  }

  private Launched launch(Map<String, String> env, String... props) throws IOException {
    int port = TestNode.freePort();
    Path config = dir.resolve("config-" + port + ".json");
    Files.writeString(config, "{}");
    Path log = dir.resolve("node-" + port + ".log");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Djava.net.preferIPv4Stack=true", "-Dpresence.httpPort=" + port,
        "-Dpresence.shards=1"));
    for (String p : props) {
      cmd.add("-D" + p);
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "com.presencehub.node.Main", "--config", config.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("PRESENCE_"));
    pb.environment().putAll(env);
    Process p = pb.start();
    started.add(p);
    return new Launched(p, log, port);
  }

  private static void awaitReady(Launched l) {
    org.awaitility.Awaitility.await("node ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(() -> {
          if (!l.process().isAlive()) {
            throw new AssertionError("the node exited with " + l.process().exitValue() + ":\n" + l.output());
          }
          return status(l.port(), "/health/ready") == 200;
        });
  }

  private static int status(int port, String path) {
    return get(port, path).statusCode();
  }

  private static HttpResponse<String> get(int port, String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return new FailedResponse();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new FailedResponse();
    }
  }

  private static int exitCode(Launched l) throws Exception {
    assertTrue(l.process().waitFor(60, TimeUnit.SECONDS), "the node did not exit:\n" + l.output());
    return l.process().exitValue();
  }

  private static long count(String text, String part) {
    return text.lines().filter(line -> line.contains(part)).count();
  }

  @Test
  @DisplayName("No key anywhere: one WARN line, loopback only, the demo portal at / and dev tokens; a new secret every boot")
  void developmentMode(Vertx vertx) throws Exception {
    Launched first = launch(Map.of());
    awaitReady(first);
    String out = first.output();
    assertEquals(1, count(out, "DEVELOPMENT MODE"), "one WARN line about development mode expected:\n" + out);
    assertTrue(out.contains("WARN"), out);
    // The whole product at / on first try.
    HttpResponse<String> portal = get(first.port(), "/");
    assertEquals(200, portal.statusCode());
    assertTrue(portal.body().contains("presence-client"), "/ is not the demo portal");
    HttpResponse<String> minted = get(first.port(), "/dev/token?tenant=acme&user=tess&role=tech");
    assertEquals(200, minted.statusCode(), minted.body());
    String token = new JsonObject(minted.body()).getString("token");
    SockJsTestClient c = SockJsTestClient.open(vertx, first.port(), Transport.RAW_WEBSOCKET);
    assertEquals("tess", c.auth(token).getJsonObject("user").getString("id"));
    // Loopback only: the machine's other addresses refuse the connection.
    InetAddress other = nonLoopbackAddress();
    if (other != null) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(other, first.port()), 2_000);
        throw new AssertionError("development mode answers on " + other.getHostAddress());
      } catch (ConnectException refused) {
        // as it must
      }
    }

    // Another boot signs with another secret: the first boot's token is worthless there.
    first.process().destroy();
    assertTrue(first.process().waitFor(30, TimeUnit.SECONDS));
    Launched second = launch(Map.of());
    awaitReady(second);
    SockJsTestClient d = SockJsTestClient.open(vertx, second.port(), Transport.RAW_WEBSOCKET);
    d.send(new JsonObject().put("type", "auth").put("token", token));
    JsonObject err = d.await(f -> "error".equals(f.getString("type")));
    assertEquals("unauthorized", err.getString("code"), err.encode());
    assertEquals(4401, d.awaitClose().code());
    assumeTrue(other != null, "no non-loopback IPv4 address on this machine: loopback-only binding not checked");
  }

  @Test
  @DisplayName("No key but a non-loopback httpHost: start-up stops, naming httpHost and the key to set")
  void developmentModeRefusesPublicHost() throws Exception {
    Launched l = launch(Map.of("PRESENCE_HTTP_HOST", "0.0.0.0"));
    assertEquals(2, exitCode(l));
    String out = l.output();
    assertTrue(out.contains("httpHost") && out.contains("PRESENCE_JWT_SECRET") && out.contains("loopback"), out);
  }

  @Test
  @DisplayName("A key configured: production, no dev tokens nor development WARN; dev tokens asked for get their own WARN")
  void production() throws Exception {
    Launched prod = launch(Map.of("PRESENCE_JWT_SECRET", SECRET, "PRESENCE_HTTP_HOST", "127.0.0.1"));
    awaitReady(prod);
    assertEquals(404, status(prod.port(), "/dev/token?tenant=acme&user=tess&role=tech"));
    assertFalse(prod.output().contains("DEVELOPMENT MODE"), prod.output());
    assertEquals(0, count(prod.output(), "devTokens is on"), prod.output());

    Launched asked = launch(Map.of("PRESENCE_JWT_SECRET", SECRET, "PRESENCE_HTTP_HOST", "127.0.0.1", "PRESENCE_DEV_TOKENS", "true"));
    awaitReady(asked);
    assertEquals(200, status(asked.port(), "/dev/token?tenant=acme&user=tess&role=tech"));
    assertEquals(1, count(asked.output(), "devTokens is on"), asked.output());
  }

  @Test
  @DisplayName("An HS256 secret under 32 bytes stops start-up with a message naming the key, not the secret")
  void shortSecretStopsStartUp() throws Exception {
    Launched l = launch(Map.of("PRESENCE_JWT_SECRET", "short-secret-of-26-bytes!!"));
    assertEquals(2, exitCode(l));
    String out = l.output();
    assertTrue(out.contains("jwtSecret") && out.contains("32 bytes") && out.contains("PRESENCE_JWT_SECRET"), out);
    assertFalse(out.contains("short-secret-of-26-bytes!!"), "the secret is in the output:\n" + out);
  }

  private static InetAddress nonLoopbackAddress() throws IOException {
    for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nif.isUp() || nif.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(nif.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
          return a;
        }
      }
    }
    return null;
  }

  /** What {@link #get} returns when nothing answers. */
  private static final class FailedResponse implements HttpResponse<String> {
    public int statusCode() {
      return -1;
    }

    public HttpRequest request() {
      return null;
    }

    public java.util.Optional<HttpResponse<String>> previousResponse() {
      return java.util.Optional.empty();
    }

    public java.net.http.HttpHeaders headers() {
      return java.net.http.HttpHeaders.of(Map.of(), (a, b) -> true);
    }

    public String body() {
      return "";
    }

    public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
      return java.util.Optional.empty();
    }

    public URI uri() {
      return null;
    }

    public HttpClient.Version version() {
      return HttpClient.Version.HTTP_1_1;
    }
  }
}
