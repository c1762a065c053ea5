package com.presencehub.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * The version the jar was built as: {@code presence-hub-version.properties}, which Maven fills in
 * from the pom's {@code <version>} (resource filtering of {@code src/main/resources-filtered}).
 * picocli prints it for {@code --version}.
 */
public final class BuildVersion implements IVersionProvider {

  static final String RESOURCE = "/presence-hub-version.properties";

  /** The project version, e.g. {@code 0.1.0-SNAPSHOT}; fails when the resource is missing or unfiltered. */
  public static String version() {
    try (InputStream in = BuildVersion.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is not on the classpath (build with Maven)");
      }
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version");
      if (v == null || v.isBlank() || v.contains("${")) {
        throw new IllegalStateException(RESOURCE + " was not filtered by Maven: version=" + v);
      }
      return v;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String[] getVersion() {
    return new String[] {"presence-hub " + version(), "Java " + System.getProperty("java.version")};
  }
}
