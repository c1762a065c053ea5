package com.presencehub.config;

/** A configuration value is missing or invalid; the message names the key and where it came from. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
