package com.presencehub.ops;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Reads the three configuration layers with vertx-config and hands them to {@link HubConfig}. */
public final class ConfigLoader {

  private ConfigLoader() {
  }

  public static Future<HubConfig> load(Vertx vertx, Path file, Map<String, String> overrides) {
    if (!Files.isRegularFile(file)) {
      return Future.failedFuture(new ConfigException("config file " + file + " does not exist"));
    }
    ConfigStoreOptions fileStore = new ConfigStoreOptions().setType("file").setFormat("json")
        .setConfig(new JsonObject().put("path", file.toString()));
    ConfigStoreOptions envStore = new ConfigStoreOptions().setType("env")
        .setConfig(new JsonObject().put("raw-data", true));
    ConfigStoreOptions sysStore = new ConfigStoreOptions().setType("sys")
        .setConfig(new JsonObject().put("raw-data", true).put("cache", false));
    ConfigRetriever fileOnly = ConfigRetriever.create(vertx, new ConfigRetrieverOptions().addStore(fileStore));
    ConfigRetriever envAndSys = ConfigRetriever.create(vertx,
        new ConfigRetrieverOptions().addStore(envStore).addStore(sysStore));
    return fileOnly.getConfig()
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
          fileOnly.close();
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
