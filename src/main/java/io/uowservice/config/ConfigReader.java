package io.uowservice.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Typed, key-naming reads from the merged configuration tree. */
final class ConfigReader {

  private final JsonObject root;

  ConfigReader(JsonObject root) {
    this.root = root;
  }

  Object raw(String key) {
    Object node = root;
    for (String part : key.split("\\.")) {
      if (!(node instanceof JsonObject obj)) {
        return null;
      }
      node = obj.getValue(part);
    }
    return node;
  }

  String string(String key) {
    Object v = raw(key);
    if (v == null) {
      return "";
    }
    if (v instanceof JsonObject || v instanceof JsonArray) {
      throw new ConfigException(key, "must be a plain value, not " + v);
    }
    return v.toString();
  }

  String nonBlank(String key) {
    String s = string(key).trim();
    if (s.isEmpty()) {
      throw new ConfigException(key, "must not be empty");
    }
    return s;
  }

  boolean bool(String key) {
    Object v = raw(key);
    if (v instanceof Boolean b) {
      return b;
    }
    String s = v == null ? "" : v.toString().trim().toLowerCase(Locale.ROOT);
    return switch (s) {
      case "true", "yes", "on", "1" -> true;
      case "false", "no", "off", "0" -> false;
      default -> throw new ConfigException(key, "must be true or false, got '" + v + "'");
    };
  }

  int integer(String key, int min, int max) {
    Object v = raw(key);
    long n;
    if (v instanceof Integer || v instanceof Long) {
      n = ((Number) v).longValue();
    } else {
      try {
        n = Long.parseLong(v == null ? "" : v.toString().trim());
      } catch (NumberFormatException e) {
        throw new ConfigException(key, "must be an integer, got '" + v + "'");
      }
    }
    if (n < min || n > max) {
      throw new ConfigException(key, "must be between " + min + " and " + max + ", got " + n);
    }
    return (int) n;
  }

  Duration duration(String key, Duration min) {
    Object v = raw(key);
    Duration d;
    try {
      d = Durations.parse(v);
    } catch (ArithmeticException | IllegalArgumentException | java.time.format.DateTimeParseException e) {
      throw new ConfigException(key, "must be a duration such as 900, 30s, 15m or 2h, got '" + v + "'");
    }
    if (d.compareTo(min) < 0) {
      throw new ConfigException(key, "must be at least " + min.toMillis() + " ms");
    }
    return d;
  }

  List<String> list(String key) {
    Object v = raw(key);
    List<String> out = new ArrayList<>();
    if (v instanceof JsonArray arr) {
      for (Object o : arr) {
        if (o == null || o instanceof JsonObject || o instanceof JsonArray) {
          throw new ConfigException(key, "must be a list of plain values");
        }
        out.add(o.toString().trim());
      }
    } else if (v != null && !v.toString().isBlank()) {
      for (String part : v.toString().split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
    }
    return out;
  }

  String oneOf(String key, List<String> allowed) {
    String s = string(key).trim();
    if (!allowed.contains(s)) {
      throw new ConfigException(key, "must be one of " + allowed + ", got '" + s + "'");
    }
    return s;
  }
}
