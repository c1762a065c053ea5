package com.presencehub.portal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.config.HubConfig;
import com.presencehub.testing.NodeTestRun;
import com.presencehub.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the suite in {@code browser/} against a real node: the unit tests of presence-client.js (the
 * built npm package {@code clients/js/dist}), the npm tarball installed into an empty folder and
 * used from Node and from pages on another origin, and the browser tests, in which Debian's Chromium (driven by playwright-core, nothing downloaded)
 * shows the demo portal to a tech and a client. Screenshots of each step go to
 * {@code <build dir>/browser-screenshots/}.
 *
 * <p>The node idles users out after 4 s (short, so a test sees it, yet long enough for a page to
 * load on a busy machine) and waits 30 s before making a vanished user offline, so that a closed tab
 * showing offline sooner proves the tab said bye.
 *
 * <p>Needs {@code npm ci --prefix browser} first ({@code mvn verify} does it unless
 * {@code -Dskip.npm=true}) and Chromium at {@code /usr/bin/chromium} ({@code .ci/run} installs it;
 * {@code -Dchromium=/path} for another one).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@DisplayName("presence-client.js and the demo portal in headless Chromium against a real node")
class BrowserSuiteTest {

  private static final Duration SUITE_TIMEOUT = Duration.ofMinutes(8);
  /**
   * Passed tests expected at least: 47 unit tests of the client (timing, session, resync and ping),
   * 7 portal steps, 3 steps of the portal through an outage, 5 library tests in the browser, 5
   * tests of the npm tarball (contents, Node ESM and CommonJS, a page, a cross-origin import). Raise
   * it when tests are added.
   */
  private static final int MIN_PASSED = 67;

  private static Vertx vertx;
  private static TestNode node;

  @BeforeAll
  static void startNode() throws Exception {
    vertx = Vertx.vertx();
    node = await(TestNode.start(vertx, new JsonObject()
        .put("idleTimeoutMs", 4000)
        .put("offlineGraceMs", 30000)
        .put("authTimeoutMs", 10000)));
  }

  @AfterAll
  static void stopNode() throws Exception {
    if (node != null) {
      await(node.stop());
    }
    if (vertx != null) {
      await(vertx.close());
    }
  }

  @Test
  @DisplayName("every client unit test and browser step passes, none skipped, with a screenshot per step")
  void browserSuitePasses() throws Exception {
    Path browser = Path.of(System.getProperty("repo.root", ".")).toAbsolutePath().resolve("browser");
    assertTrue(Files.isDirectory(browser.resolve("node_modules").resolve("playwright-core")),
        "browser/node_modules is missing (or lacks playwright-core): run `npm ci --prefix browser` "
            + "(mvn verify does it unless -Dskip.npm=true)");
    Path client = browser.resolveSibling("clients").resolve("js");
    assertTrue(Files.isRegularFile(client.resolve("dist").resolve("index.cjs"))
            && Files.isDirectory(client.resolve("node_modules").resolve("sockjs-client")),
        "the tests load the built npm package: run `npm ci --prefix clients/js && npm run build --prefix clients/js` "
            + "(mvn verify does it unless -Dskip.npm=true)");
    Path chromium = Path.of(System.getProperty("chromium", "/usr/bin/chromium"));
    assertTrue(Files.isExecutable(chromium),
        chromium + " not found: install Debian's chromium (`apt-get install -y chromium`; .ci/run does it)");
    Path screenshots = buildDir().resolve("browser-screenshots");
    clear(screenshots);

    HubConfig cfg = node.node().config();
    NodeTestRun.Result result = NodeTestRun.run(browser, List.of(), Map.of(
            "HUB_URL", "http://127.0.0.1:" + node.port(),
            "HUB_IDLE_MS", Long.toString(cfg.idleTimeoutMs()),
            "HUB_GRACE_MS", Long.toString(cfg.offlineGraceMs()),
            "SCREENSHOT_DIR", screenshots.toString(),
            "CHROMIUM", chromium.toString()),
        SUITE_TIMEOUT, "[browser]");

    result.assertPassed(MIN_PASSED);
    assertEquals(0, result.count("skipped"), "skipped tests (HUB_URL not seen?):\n" + result.tail(40));
    try (Stream<Path> files = Files.list(screenshots)) {
      List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
      System.out.println("[browser] screenshots in " + screenshots + ": " + names);
      for (String step : List.of("01-", "02-", "03-", "04-", "05-", "06-", "08-", "09-")) {
        assertTrue(names.stream().anyMatch(n -> n.startsWith(step) && n.endsWith(".png")), "no screenshot of step " + step + " in " + names);
      }
    }
  }

  /** The build folder (target/, or -DbuildDir): the parent of this class's test-classes folder. */
  private static Path buildDir() throws URISyntaxException {
    return Path.of(BrowserSuiteTest.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
  }

  private static void clear(Path dir) throws IOException {
    Files.createDirectories(dir);
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".png")).toList()) {
        Files.delete(f);
      }
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
