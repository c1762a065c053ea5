package com.presencehub.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code logFormat=json} (PRESENCE_LOG_FORMAT): a real node process logs one JSON object per line,
 * lifecycle lines included (listening, development mode, draining on SIGTERM, stopped).
 */
class LogFormatTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir Path dir;

  @Test
  @DisplayName("PRESENCE_LOG_FORMAT=json: every line the node writes is a JSON object, from start to SIGTERM")
  void jsonLines() throws Exception {
    int port = TestNode.freePort();
    Path log = dir.resolve("node.log");
    Process p = launch(port, "json", log);
    try {
      org.awaitility.Awaitility.await("node ready (log: " + log + ")").atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100)).until(() -> {
            assertTrue(p.isAlive(), "the node exited:\n" + Files.readString(log));
            return status(port) == 200;
          });
      p.destroy(); // SIGTERM
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "no exit after SIGTERM:\n" + Files.readString(log));
    } finally {
      p.destroyForcibly();
    }
    List<JsonObject> events = new ArrayList<>();
    for (String line : Files.readAllLines(log)) {
      if (line.isBlank() || line.startsWith("OpenJDK 64-Bit Server VM warning")) {
        continue; // the JVM's own, before any logging
      }
      JsonObject o;
      try {
        o = new JsonObject(line);
      } catch (RuntimeException e) {
        throw new AssertionError("not a JSON line: " + line);
      }
      assertTrue(o.getString("level") != null && o.getString("message") != null && o.getLong("timestamp") != null,
          "a JSON line without level/message/timestamp: " + line);
      events.add(o);
    }
    assertTrue(has(events, "INFO", "listening on 127.0.0.1:" + port), "no listening line: " + events);
    assertTrue(has(events, "WARN", "DEVELOPMENT MODE"), "no development mode line: " + events);
    assertTrue(has(events, "INFO", "draining 0 sessions"), "no draining line: " + events);
    assertTrue(has(events, "INFO", "stopped in"), "no stopped line: " + events);
    // A plain start and stop warns about development mode and nothing else (no noise an operator
    // would chase, such as a duplicate meter).
    List<JsonObject> warnings = events.stream().filter(e -> !"INFO".equals(e.getString("level"))
        && !"DEBUG".equals(e.getString("level"))).toList();
    assertTrue(warnings.stream().allMatch(e -> e.getString("message").contains("DEVELOPMENT MODE")),
        "unexpected warnings: " + warnings);
  }

  @Test
  @DisplayName("an unknown logFormat stops start-up with a message naming the key")
  void unknownFormat() throws Exception {
    Path log = dir.resolve("bad.log");
    Process p = launch(TestNode.freePort(), "xml", log);
    try {
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the node did not exit");
      String out = Files.readString(log);
      assertEquals(2, p.exitValue(), out);
      assertTrue(out.contains("logFormat: one of [text, json], got 'xml'") && out.contains("PRESENCE_LOG_FORMAT"), out);
    } finally {
      p.destroyForcibly();
    }
  }

  private static boolean has(List<JsonObject> events, String level, String part) {
    return events.stream().anyMatch(e -> level.equals(e.getString("level")) && e.getString("message").contains(part));
  }

  private Process launch(int port, String format, Path log) throws IOException {
    Path config = dir.resolve("config-" + port + ".json");
    Files.writeString(config, "{}");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Djava.net.preferIPv4Stack=true", "-Dpresence.httpPort=" + port,
        "-Dpresence.shards=1", "-cp", System.getProperty("java.class.path"), "com.presencehub.node.Main",
        "--config", config.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("PRESENCE_"));
    pb.environment().put("PRESENCE_LOG_FORMAT", format);
    return pb.start();
  }

  private static int status(int port) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
