package com.presencehub.config;

import static com.presencehub.config.ConfigDefaults.envName;
import static com.presencehub.config.ConfigDefaults.sysName;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads one key from the highest layer that has it (system property, then environment, then the
 * config file, then {@link ConfigDefaults}) as a typed value; a wrong value is a {@link
 * ConfigException} naming the key and the layer it came from ({@link #from}).
 */
final class LayeredReader {

  private final JsonObject file;
  private final Map<String, String> env;
  private final Map<String, String> sys;

  LayeredReader(JsonObject file, Map<String, String> env, Map<String, String> sys) {
    this.file = file;
    this.env = env;
    this.sys = sys;
  }

  /** " (from environment PRESENCE_…)" and the like: appended to every error about {@code key}. */
  String from(String key) {
    if (sys.containsKey(sysName(key))) {
      return " (from system property " + sysName(key) + ")";
    }
    if (env.containsKey(envName(key))) {
      return " (from environment " + envName(key) + ")";
    }
    if (file.containsKey(key)) {
      return " (from config file)";
    }
    return " (default)";
  }

  Object raw(String key) {
    if (sys.containsKey(sysName(key))) {
      return sys.get(sysName(key));
    }
    if (env.containsKey(envName(key))) {
      return env.get(envName(key));
    }
    if (file.containsKey(key)) {
      return file.getValue(key);
    }
    return ConfigDefaults.DEFAULTS.get(key);
  }

  private ConfigException bad(String key, String what, Object value) {
    return new ConfigException(key + ": " + what + ", got '" + value + "'" + from(key));
  }

  String string(String key, boolean optional) {
    Object v = raw(key);
    if (v == null) {
      if (optional) {
        return null;
      }
      throw bad(key, "is required", null);
    }
    if (!(v instanceof String s)) {
      throw bad(key, "must be a string", v);
    }
    if (s.isBlank()) {
      if (optional) {
        return null;
      }
      throw bad(key, "must not be empty", v);
    }
    return s;
  }

  long longValue(String key, long min, long max) {
    Object v = raw(key);
    long n;
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      n = ((Number) v).longValue();
    } else if (v instanceof BigInteger big) {
      // JSON numbers beyond a long arrive as BigInteger; longValue() would silently wrap them.
      if (big.bitLength() > 63) {
        throw bad(key, "must be between " + min + " and " + max, v);
      }
      n = big.longValue();
    } else if (v instanceof String s) {
      try {
        n = Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        throw bad(key, "must be an integer", v);
      }
    } else {
      throw bad(key, "must be an integer", v);
    }
    if (n < min || n > max) {
      throw bad(key, "must be between " + min + " and " + max, v);
    }
    return n;
  }

  /** {@code nodeId}, or the host name and the HTTP port when unset. */
  String nodeId() {
    String id = string("nodeId", true);
    return id != null ? id : defaultNodeId() + "-" + integer("httpPort", 0, 65_535);
  }

  int integer(String key, int min, int max) {
    return (int) longValue(key, min, max);
  }

  /** Null when unset (the default depends on another key). */
  Boolean optionalBool(String key) {
    return raw(key) == null ? null : bool(key);
  }

  boolean bool(String key) {
    Object v = raw(key);
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
      return Boolean.parseBoolean(s);
    }
    throw bad(key, "must be true or false", v);
  }

  /**
   * As {@link #list}, but an empty entry is an error instead of being skipped: for lists where a
   * typo must not widen what is allowed ({@code tenants}: {@code ","} would otherwise read as the
   * empty list, which means every tenant).
   */
  List<String> strictList(String key) {
    Object v = raw(key);
    if (v instanceof String s && (s.isBlank() || java.util.Arrays.stream(s.split(",", -1)).anyMatch(String::isBlank))) {
      throw new ConfigException(key + ": an entry is empty in '" + printable(s) + "' (leave the key unset for all)"
          + from(key));
    }
    return list(key);
  }

  /**
   * As {@link #list} (spaces and stray commas tolerated), but a value that is not blank and holds
   * no entry ({@code ","}, {@code ",,"}) is refused: read leniently it would be the empty list, which
   * may mean something else (for {@code clusterMembers}, multicast). A blank value is the empty list.
   *
   * @throws ConfigException naming the key
   */
  List<String> listNonEmptyIfSet(String key) {
    List<String> out = list(key);
    if (out.isEmpty() && raw(key) instanceof String s && !s.isBlank()) {
      throw new ConfigException(key + ": no entry in '" + printable(s) + "' (leave it empty or unset for none)" + from(key));
    }
    return out;
  }

  /** {@code s} with control characters shown as backslash-u escapes (4 hex digits), for a message on one line. */
  static String printable(String s) {
    StringBuilder b = new StringBuilder(s.length());
    s.codePoints().forEach(c -> {
      if (Character.isISOControl(c)) {
        b.append(String.format("\\u%04x", c));
      } else {
        b.appendCodePoint(c);
      }
    });
    return b.toString();
  }

  List<String> list(String key) {
    Object v = raw(key);
    List<String> out = new ArrayList<>();
    if (v instanceof JsonArray a) {
      for (Object o : a) {
        if (!(o instanceof String s)) {
          throw bad(key, "must be a list of strings", v);
        }
        out.add(s.trim());
      }
    } else if (v instanceof List<?> l) {
      for (Object o : l) {
        out.add(String.valueOf(o).trim());
      }
    } else if (v instanceof String s) {
      for (String part : s.split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
    } else {
      throw bad(key, "must be a list or a comma-separated string", v);
    }
    return List.copyOf(out);
  }

  private static String defaultNodeId() {
    String host = System.getenv("HOSTNAME");
    if (host == null || host.isBlank()) {
      try {
        host = java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.io.IOException e) {
        host = "node";
      }
    }
    return host;
  }
}
