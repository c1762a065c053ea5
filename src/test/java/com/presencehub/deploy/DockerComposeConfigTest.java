package com.presencehub.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * There is no Docker engine on the build machines, but the compose file users run must still be
 * valid: Debian's docker-compose validates it without an engine.
 */
class DockerComposeConfigTest {

  @Test
  @DisplayName("docker-compose.yml is a valid compose file that runs the hub on port 8080 with a readiness check")
  void composeFileIsValid() throws Exception {
    Path root = Path.of("").toAbsolutePath();
    Process p;
    try {
      p = new ProcessBuilder("docker-compose", "-f", root.resolve("docker-compose.yml").toString(), "config")
          .redirectErrorStream(true).start();
    } catch (IOException e) {
      fail("docker-compose is needed to validate docker-compose.yml (Debian package docker-compose; .ci/run installs it): " + e.getMessage());
      return;
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "docker-compose config did not finish in 60 s");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), "docker-compose config failed:\n" + out);
    assertTrue(out.contains("hub:"), "no hub service in:\n" + out);
    assertTrue(out.contains("8080"), "hub port 8080 not published in:\n" + out);
    assertTrue(out.contains("/health/ready"), "no readiness healthcheck in:\n" + out);
  }
}
