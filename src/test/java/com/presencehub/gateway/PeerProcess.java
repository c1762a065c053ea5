package com.presencehub.gateway;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A portal client in its own process ({@code liveness-client.cjs}, the real sockjs-client from
 * {@code e2e/node_modules}), so that a test can freeze it with SIGSTOP while its kernel keeps
 * acknowledging TCP, or run it in a network namespace and cut its link.
 */
final class PeerProcess implements AutoCloseable {

  /** The transports of PROTOCOL.md §4 as the script names them, and whether the client pings (streaming). */
  enum Kind {
    RAW_WEBSOCKET("raw-websocket", false),
    SOCKJS_WEBSOCKET("websocket", false),
    XHR_STREAMING("xhr-streaming", true),
    EVENTSOURCE("eventsource", true),
    XHR_POLLING("xhr-polling", false);

    final String script;
    /** A streaming transport has no pong and no poll: the client proves itself with ping frames. */
    final boolean pings;

    Kind(String script, boolean pings) {
      this.script = script;
      this.pings = pings;
    }
  }

  private final Process process;
  private final List<String> lines = new ArrayList<>();

  private PeerProcess(Process process) {
    this.process = process;
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          synchronized (lines) {
            lines.add(line);
            lines.notifyAll();
          }
        }
      } catch (IOException ignored) {
        // the process ended
      }
    }, "peer-process-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts the client; {@code prefix} runs it inside something (e.g. {@code ip netns exec ns}).
   * Pings at the welcome's interval when the transport needs it (as presence-client.js does).
   */
  static PeerProcess start(List<String> prefix, String baseUrl, Kind kind, String token) {
    Path modules = Path.of("e2e", "node_modules").toAbsolutePath();
    assertTrue(Files.isDirectory(modules.resolve("sockjs-client")),
        "the liveness tests drive the real sockjs-client: run `npm ci --prefix e2e` first (mvn verify does)");
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add("node");
    cmd.add(script().toString());
    cmd.add(baseUrl);
    cmd.add(kind.script);
    cmd.add(token);
    if (kind.pings) {
      cmd.add("--ping");
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("NODE_PATH", modules.toString());
    try {
      return new PeerProcess(pb.start());
    } catch (IOException e) {
      throw new UncheckedIOException("could not start node (is Node.js installed?)", e);
    }
  }

  private static Path script() {
    try {
      return Path.of(PeerProcess.class.getResource("liveness-client.cjs").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The welcome frame, once the client got it. */
  JsonObject awaitWelcome(Duration timeout) {
    String line = awaitLine("welcome ", timeout);
    return new JsonObject(line.substring("welcome ".length()));
  }

  /** The first output line starting with {@code prefix}, waiting up to {@code timeout}. */
  String awaitLine(String prefix, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lines) {
      while (true) {
        for (String l : lines) {
          if (l.startsWith(prefix)) {
            return l;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("the client process printed no '" + prefix + "' line within " + timeout.toMillis()
              + " ms; its output: " + lines + (process.isAlive() ? "" : " (exited " + process.exitValue() + ")"));
        }
        try {
          lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted", e);
        }
      }
    }
  }

  List<String> output() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  /** SIGSTOP: the process stops, its kernel keeps acknowledging TCP (no FIN, no RST). */
  void freeze() {
    signal("-STOP");
  }

  long pid() {
    return process.pid();
  }

  private void signal(String sig) {
    try {
      Process kill = new ProcessBuilder("kill", sig, Long.toString(process.pid())).inheritIO().start();
      assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill " + sig + " failed");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGKILL works on a stopped process too. */
  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
