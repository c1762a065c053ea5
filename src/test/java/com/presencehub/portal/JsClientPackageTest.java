package com.presencehub.portal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.presencehub.testing.NodeTestRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs {@code clients/js/test} (node:test): the npm package's builds load in each declared form, the
 * TypeScript declarations pass {@code tsc --strict} over a use of the whole API, and the bundles
 * the hub serves from {@code src/main/resources/webroot} (committed, so that the jar builds without
 * Node) are byte for byte what esbuild makes of {@code clients/js/src} now. The tarball itself is
 * installed and used against a real node in {@link BrowserSuiteTest} ({@code browser/test/package.test.mjs}).
 *
 * <p>Needs {@code npm ci --prefix clients/js && npm run build --prefix clients/js} first ({@code mvn
 * verify} does both unless {@code -Dskip.npm=true}).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@DisplayName("@presence-hub/client: builds, declarations, and the hub's committed bundles match the sources")
class JsClientPackageTest {

  @Test
  @DisplayName("every test of clients/js passes, none skipped")
  void packageTestsPass() throws Exception {
    Path client = Path.of(System.getProperty("repo.root", ".")).toAbsolutePath().resolve("clients").resolve("js");
    assertTrue(Files.isDirectory(client.resolve("node_modules").resolve("esbuild"))
            && Files.isDirectory(client.resolve("node_modules").resolve("typescript")),
        "clients/js/node_modules is missing: run `npm ci --prefix clients/js` (mvn verify does it unless -Dskip.npm=true)");
    assertTrue(Files.isRegularFile(client.resolve("dist").resolve("index.cjs")),
        "clients/js/dist is missing: run `npm run build --prefix clients/js` (mvn verify does it unless -Dskip.npm=true)");
    NodeTestRun.Result result = NodeTestRun.run(client, List.of(), Map.of(), Duration.ofMinutes(4), "[clients/js]");
    result.assertPassed(6);
    assertTrue(result.count("skipped") == 0, "skipped tests:\n" + result.tail(40));
  }
}
