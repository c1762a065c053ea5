package com.presencehub.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

@DisplayName("--version prints the version Maven built")
class VersionTest {

  @Test
  @DisplayName("`presence-hub --version` prints the pom's version (resource filtering) and exits 0 without starting a node")
  void versionFromTheBuild() {
    String expected = System.getProperty("project.version");
    assertNotNull(expected, "surefire passes project.version (pom.xml systemPropertyVariables)");
    StringWriter out = new StringWriter();
    CommandLine cmd = new CommandLine(new Main());
    cmd.setOut(new PrintWriter(out, true));
    int code = cmd.execute("--version");
    assertEquals(0, code);
    assertEquals("presence-hub " + expected, out.toString().lines().findFirst().orElse(""), out.toString());
    assertEquals(expected, BuildVersion.version());
  }
}
