package com.presencehub.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code node --test --test-reporter=tap} in a folder as a subprocess (the JavaScript suites
 * under {@code e2e/} and {@code browser/}), echoes its output to the test log with a prefix, kills
 * the whole process tree when it overruns, and reads node's closing summary ({@code # pass N},
 * {@code # fail N}, …).
 */
public final class NodeTestRun {

  private static final Pattern SUMMARY = Pattern.compile("^# (tests|suites|pass|fail|cancelled|skipped|todo) (\\d+)\\s*$");

  /** What node reported: its exit code (-1 when killed), the summary counts and every output line. */
  public record Result(int exitCode, boolean timedOut, Map<String, Integer> summary, List<String> lines) {

    public int count(String key) {
      return summary.getOrDefault(key, 0);
    }

    /**
     * Fails unless node finished in time with exit code 0, reported its summary, no failed or
     * cancelled test, and at least {@code minPassed} passed ones (so that a suite that silently ran
     * nothing does not pass).
     */
    public void assertPassed(int minPassed) {
      assertTrue(!timedOut, "node --test did not finish in time and was killed; last output:\n" + tail(40));
      assertEquals(0, exitCode, "node --test exited with " + exitCode + "; failed tests:\n" + failures() + "\n" + tail(20));
      assertTrue(summary.containsKey("pass") && summary.containsKey("fail"),
          "node's summary (# pass N / # fail N) not found in its output:\n" + tail(40));
      assertEquals(0, count("fail"), "failed tests:\n" + failures());
      assertEquals(0, count("cancelled"), "cancelled tests (timeouts?):\n" + failures());
      assertTrue(count("pass") >= minPassed,
          "only " + count("pass") + " tests passed, expected at least " + minPassed + ": did the suite run at all?\n" + tail(40));
    }

    /** The failing tests (not the todo ones) with their error lines. */
    public String failures() {
      StringBuilder sb = new StringBuilder();
      boolean inFailure = false;
      for (String line : lines) {
        String t = line.trim();
        if (t.startsWith("not ok ")) {
          inFailure = !t.contains("# TODO");
          if (inFailure) {
            sb.append(t).append('\n');
          }
        } else if (t.startsWith("ok ") || t.startsWith("# Subtest")) {
          inFailure = false;
        } else if (inFailure && (t.startsWith("error:") || t.startsWith("location:") || t.startsWith("expected:")
            || t.startsWith("actual:"))) {
          sb.append("    ").append(t).append('\n');
        }
      }
      return sb.length() == 0 ? "(none reported)" : sb.toString();
    }

    public String tail(int n) {
      return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }
  }

  private NodeTestRun() {
  }

  /**
   * Runs {@code node --test --test-reporter=tap [args]} in {@code dir} with {@code env} added to
   * this JVM's environment (minus NODE_OPTIONS), for at most {@code timeout}.
   */
  public static Result run(Path dir, List<String> args, Map<String, String> env, Duration timeout, String logPrefix)
      throws InterruptedException {
    List<String> command = new ArrayList<>(List.of(System.getProperty("node.executable", "node"), "--test", "--test-reporter=tap"));
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().remove("NODE_OPTIONS");
    pb.environment().putAll(env);
    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new AssertionError("could not run node (Node.js 20+ must be on the PATH: install Debian's nodejs and npm,"
          + " .ci/run does it; or set -Dnode.executable=/path/to/node)", e);
    }
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    Thread pump = new Thread(() -> pump(process, lines, logPrefix), logPrefix + "-node-output");
    pump.setDaemon(true);
    pump.start();

    boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (!finished) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    pump.join(10_000);
    List<String> snapshot;
    synchronized (lines) {
      snapshot = List.copyOf(lines);
    }
    Map<String, Integer> summary = new LinkedHashMap<>();
    for (String line : snapshot) {
      Matcher m = SUMMARY.matcher(line);
      if (m.matches()) {
        summary.put(m.group(1), Integer.parseInt(m.group(2)));
      }
    }
    Result result = new Result(finished ? process.exitValue() : -1, !finished, summary, snapshot);
    System.out.println(logPrefix + " summary " + summary + ", exit code " + result.exitCode() + (finished ? "" : " (killed)"));
    return result;
  }

  private static void pump(Process process, List<String> lines, String prefix) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        lines.add(line);
        System.out.println(prefix + " " + line);
      }
    } catch (IOException e) {
      System.out.println(prefix + " output stream ended: " + e);
    }
  }
}
