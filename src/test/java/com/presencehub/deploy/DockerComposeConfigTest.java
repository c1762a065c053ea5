package com.presencehub.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * There is no Docker engine on the build machines, but the compose file users run must still be
 * valid and say what the README says: Debian's docker-compose validates it without an engine, and
 * its resolved output ({@code docker-compose config}) is what is checked here.
 */
@DisplayName("docker-compose.yml: three clustered nodes behind nginx")
class DockerComposeConfigTest {

  private static final List<String> NODES = List.of("node1", "node2", "node3");
  private static final String MEMBERS = "node1:5701,node2:5701,node3:5701";

  /** What an operator exports before {@code docker compose up}: the file itself holds no secret. */
  static final String SECRET = "compose-test-secret-0123456789abcdef0123456789";

  private static Path root;
  /** {@code services} of the resolved compose file. */
  private static JsonObject services;

  @BeforeAll
  static void resolveComposeFile() throws Exception {
    root = Path.of("").toAbsolutePath();
    services = composeConfig(root.resolve("docker-compose.yml")).getJsonObject("services");
    assertNotNull(services, "no services in the resolved compose file");
  }

  @Test
  @DisplayName("node1..node3 run the same image, clustered, each advertising its own service name")
  void threeClusteredNodes() {
    Set<String> images = new HashSet<>();
    Set<String> busPorts = new HashSet<>();
    for (String name : NODES) {
      JsonObject node = service(name);
      JsonObject env = node.getJsonObject("environment");
      assertNotNull(env, name + ": no environment");
      assertEquals("true", env.getString("PRESENCE_CLUSTER"), name + ": PRESENCE_CLUSTER");
      assertEquals(name, env.getString("PRESENCE_CLUSTER_HOST"), name + ": PRESENCE_CLUSTER_HOST must be its own name");
      assertEquals(name, env.getString("PRESENCE_NODE_ID"), name + ": PRESENCE_NODE_ID");
      assertEquals(MEMBERS, env.getString("PRESENCE_CLUSTER_MEMBERS"), name + ": PRESENCE_CLUSTER_MEMBERS");
      assertEquals("5701", env.getString("PRESENCE_CLUSTER_PORT"), name + ": PRESENCE_CLUSTER_PORT");
      assertEquals("8080", env.getString("PRESENCE_HTTP_PORT"), name + ": PRESENCE_HTTP_PORT");
      assertEquals(SECRET, env.getString("PRESENCE_JWT_SECRET"), name + ": PRESENCE_JWT_SECRET is not the operator's");
      String busPort = env.getString("PRESENCE_CLUSTER_BUS_PORT");
      assertTrue(busPort != null && busPort.matches("[1-9][0-9]*"), name + ": PRESENCE_CLUSTER_BUS_PORT must be a fixed port, got " + busPort);
      busPorts.add(busPort);

      JsonObject build = node.getJsonObject("build");
      assertNotNull(build, name + ": not built from the Dockerfile");
      assertEquals(root.toString(), build.getString("context"), name + ": build context");
      images.add(node.getString("image"));

      assertTrue(String.valueOf(node.getValue("healthcheck")).contains("/health/ready"), name + ": no readiness healthcheck in " + node.getValue("healthcheck"));
      assertNull(node.getValue("ports"), name + " publishes ports: clients must come through nginx");
    }
    assertEquals(1, images.size(), "the nodes run different images: " + images);
    assertEquals(1, busPorts.size(), "the nodes use different event-bus ports: " + busPorts);
  }

  @Test
  @DisplayName("nginx publishes 8080 and runs deploy/nginx/presence-hub.conf, the file NginxStickyTest proves")
  void nginxInFront() throws IOException {
    JsonObject nginx = service("nginx");
    assertTrue(nginx.getString("image", "").startsWith("nginx:"), "not the official nginx image: " + nginx.getString("image"));
    assertTrue(publishes(nginx, 8080), "nginx does not publish 8080: " + nginx.getValue("ports"));

    Path config = root.resolve(NginxStickyTest.CONFIG);
    assertTrue(Files.isRegularFile(config), config + " is missing");
    boolean mounted = false;
    for (Mount m : mounts(nginx)) {
      if (m.target().equals("/etc/nginx/conf.d/default.conf")) {
        assertEquals(config.toRealPath(), Path.of(m.source()).toRealPath(), "nginx mounts another file as its config");
        mounted = true;
      }
    }
    assertTrue(mounted, "nginx does not mount " + NginxStickyTest.CONFIG + " at /etc/nginx/conf.d/default.conf: " + nginx.getValue("volumes"));

    JsonObject dependsOn = nginx.getJsonObject("depends_on");
    assertNotNull(dependsOn, "nginx must start after the nodes (it resolves their names at start)");
    for (String name : NODES) {
      assertTrue(dependsOn.containsKey(name), "nginx does not depend on " + name + ": " + dependsOn);
    }
  }

  @Test
  @DisplayName("without PRESENCE_JWT_SECRET in the environment the compose file refuses to resolve, naming it")
  void secretIsRequired() throws Exception {
    ProcessBuilder pb = new ProcessBuilder("docker-compose", "-f", root.resolve("docker-compose.yml").toString(), "config")
        .redirectErrorStream(true);
    pb.environment().remove("PRESENCE_JWT_SECRET");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "docker-compose config did not finish");
    assertTrue(p.exitValue() != 0, "docker-compose config resolved without a secret:\n" + out);
    assertTrue(out.contains("PRESENCE_JWT_SECRET"), "the refusal does not name PRESENCE_JWT_SECRET:\n" + out);
    String file = Files.readString(root.resolve("docker-compose.yml"));
    assertTrue(!file.contains("dev-only-secret"), "docker-compose.yml ships a secret");
  }

  // ---- reading the resolved compose file ----------------------------------------------------------

  private record Mount(String source, String target) { }

  private static JsonObject service(String name) {
    JsonObject s = services.getJsonObject(name);
    assertNotNull(s, "no service " + name + " in " + services.fieldNames());
    return s;
  }

  /** Ports, in either form docker-compose prints: {@code {published, target}} or "8080:8080". */
  private static boolean publishes(JsonObject service, int port) {
    if (!(service.getValue("ports") instanceof JsonArray ports)) {
      return false;
    }
    for (Object p : ports) {
      String published = p instanceof JsonObject o ? String.valueOf(o.getValue("published"))
          : String.valueOf(p).replaceAll("^(.*:)?([0-9]+):[0-9]+(/tcp)?$", "$2");
      if (published.equals(Integer.toString(port))) {
        return true;
      }
    }
    return false;
  }

  /** Bind mounts, in either form: "source:target[:ro]" (docker-compose 1.x) or {source, target} (2.x). */
  private static List<Mount> mounts(JsonObject service) {
    List<Mount> mounts = new ArrayList<>();
    if (service.getValue("volumes") instanceof JsonArray volumes) {
      for (Object v : volumes) {
        if (v instanceof JsonObject o) {
          mounts.add(new Mount(o.getString("source"), o.getString("target")));
        } else {
          String[] parts = String.valueOf(v).split(":");
          assertTrue(parts.length >= 2, "volume '" + v + "' is not source:target");
          mounts.add(new Mount(parts[0], parts[1]));
        }
      }
    }
    return mounts;
  }

  /**
   * The resolved compose file as JSON. docker-compose 2.x prints it with {@code --format json};
   * Debian's 1.x only prints YAML (and takes no --format), which PyYAML, a dependency of that very
   * docker-compose, turns into JSON.
   */
  private static JsonObject composeConfig(Path file) throws InterruptedException {
    String json = run(List.of("docker-compose", "-f", file.toString(), "config", "--format", "json"), null, true);
    if (json != null && json.stripLeading().startsWith("{")) {
      try {
        return new JsonObject(json);
      } catch (DecodeException notJson) {
        // fall through to the YAML form
      }
    }
    String yaml = run(List.of("docker-compose", "-f", file.toString(), "config"), null, false);
    String converted = run(List.of("python3", "-c", "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)"), yaml, false);
    try {
      return new JsonObject(converted);
    } catch (DecodeException e) {
      return fail("docker-compose config printed something that is not a compose file:\n" + yaml);
    }
  }

  /** Runs a command; its output, or null when {@code mayFail} and it exited non-zero. */
  private static String run(List<String> command, String stdin, boolean mayFail) throws InterruptedException {
    Process p;
    try {
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(stdin == null);
      pb.environment().put("PRESENCE_JWT_SECRET", SECRET);
      p = pb.start();
    } catch (IOException e) {
      return fail(command.get(0) + " is needed to validate docker-compose.yml (Debian packages docker-compose and "
          + "python3-yaml; .ci/run installs them): " + e.getMessage());
    }
    try {
      if (stdin != null) {
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String err = stdin == null ? "" : new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " did not finish in 60 s");
      if (p.exitValue() != 0) {
        if (mayFail) {
          return null;
        }
        fail(String.join(" ", command) + " failed (exit " + p.exitValue() + "):\n" + out + err);
      }
      return out;
    } catch (IOException e) {
      return fail(String.join(" ", command) + ": " + e.getMessage());
    } finally {
      p.destroyForcibly();
    }
  }
}
