package com.presencehub.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Reads the three configuration layers with vertx-config and hands them to {@link HubConfig}. */
public final class ConfigLoader {

  private ConfigLoader() {
  }

  private static final Logger LOG = LoggerFactory.getLogger(ConfigLoader.class);

  /**
   * The layers with an explicit file ({@code --config}).
   *
   * @return fails with a {@link ConfigException} naming the file when it does not exist or is not
   *     JSON, or naming the key of a bad value
   */
  public static Future<HubConfig> load(Vertx vertx, Path file, Map<String, String> overrides) {
    if (!Files.isRegularFile(file)) {
      return Future.failedFuture(new ConfigException("config file " + file + " does not exist"));
    }
    return read(vertx, file, overrides);
  }

  /**
   * The layers with the default file ({@code conf/config.json}, relative to the working
   * directory): when it is not there (the jar run from another directory, a container without
   * it), the node runs on the built-in defaults plus environment and system properties, and says
   * so in one INFO line.
   */
  public static Future<HubConfig> loadDefault(Vertx vertx, Path defaultFile, Map<String, String> overrides) {
    if (!Files.isRegularFile(defaultFile)) {
      LOG.info("no " + defaultFile + " in " + Path.of("").toAbsolutePath()
          + ": running on built-in defaults, environment and -D settings (--config names a file)");
      return read(vertx, null, overrides);
    }
    return read(vertx, defaultFile, overrides);
  }

  private static Future<HubConfig> read(Vertx vertx, Path file, Map<String, String> overrides) {
    ConfigStoreOptions fileStore = new ConfigStoreOptions().setType("file").setFormat("json")
        .setConfig(new JsonObject().put("path", String.valueOf(file)));
    ConfigStoreOptions envStore = new ConfigStoreOptions().setType("env")
        .setConfig(new JsonObject().put("raw-data", true));
    ConfigStoreOptions sysStore = new ConfigStoreOptions().setType("sys")
        .setConfig(new JsonObject().put("raw-data", true).put("cache", false));
    ConfigRetriever fileOnly = file == null ? null
        : ConfigRetriever.create(vertx, new ConfigRetrieverOptions().addStore(fileStore));
    ConfigRetriever envAndSys = ConfigRetriever.create(vertx,
        new ConfigRetrieverOptions().addStore(envStore).addStore(sysStore));
    Future<JsonObject> fileLayer = fileOnly == null ? Future.succeededFuture(new JsonObject()) : fileOnly.getConfig();
    return fileLayer
        .recover(err -> Future.failedFuture(new ConfigException("config file " + file + ": " + err.getMessage())))
        .compose(fileJson -> envAndSys.getConfig().map(outside -> {
          Map<String, String> env = new HashMap<>();
          Map<String, String> sys = new HashMap<>();
          for (String key : HubConfig.keys()) {
            copy(outside, HubConfig.envName(key), env);
            copy(outside, HubConfig.sysName(key), sys);
          }
          sys.putAll(overrides);
          return HubConfig.fromLayers(fileJson, env, sys);
        }))
        .onComplete(ar -> {
          if (fileOnly != null) {
            fileOnly.close();
          }
          envAndSys.close();
        });
  }

  private static void copy(JsonObject from, String name, Map<String, String> to) {
    Object v = from.getValue(name);
    if (v != null) {
      to.put(name, String.valueOf(v));
    }
  }
}
