package io.uowservice.config;

/** A configuration value the service cannot run with; the message names the key. */
public final class ConfigException extends RuntimeException {

  public ConfigException(String key, String problem) {
    super("invalid configuration: " + key + " " + problem, null, false, false);
  }

  public ConfigException(String message) {
    super(message, null, false, false);
  }
}
