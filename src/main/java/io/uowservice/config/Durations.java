package io.uowservice.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The duration syntax of the configuration (and of the token command's --ttl). */
public final class Durations {

  private static final Pattern DURATION = Pattern.compile("^(\\d+)\\s*(ms|s|m|h|d)?$");

  private Durations() {
  }

  /** 900 (seconds), "30s", "15m", "2h", "1d", "250ms" or ISO-8601 ("PT15M"); throws IllegalArgumentException or DateTimeParseException. */
  public static Duration parse(Object v) {
    if (v instanceof Integer || v instanceof Long) {
      return Duration.ofSeconds(((Number) v).longValue());
    }
    if (v instanceof Number n) {
      return Duration.ofMillis(Math.round(n.doubleValue() * 1000));
    }
    String s = v == null ? "" : v.toString().trim().toLowerCase(Locale.ROOT);
    Matcher m = DURATION.matcher(s);
    if (!m.matches()) {
      return Duration.parse(s.toUpperCase(Locale.ROOT));
    }
    long amount = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    return switch (unit) {
      case "ms" -> Duration.ofMillis(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      case "d" -> Duration.ofDays(amount);
      default -> Duration.ofSeconds(amount);
    };
  }
}
