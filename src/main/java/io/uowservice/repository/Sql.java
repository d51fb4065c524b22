package io.uowservice.repository;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** Value conversions between the core's plain values and MySQL columns. */
final class Sql {

  private Sql() {
  }

  static String placeholders(int n) {
    return String.join(", ", Collections.nCopies(n, "?"));
  }

  static String rowPlaceholders(int rows, int columns) {
    String row = "(" + placeholders(columns) + ")";
    return String.join(", ", Collections.nCopies(rows, row));
  }

  static LocalDateTime timestamp(Instant instant) {
    return LocalDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
  }

  static Instant instant(Row row, String column) {
    LocalDateTime value = row.getLocalDateTime(column);
    return value == null ? null : value.toInstant(ZoneOffset.UTC);
  }

  static boolean bool(Row row, String column) {
    Object value = row.getValue(column);
    if (value instanceof Boolean b) {
      return b;
    }
    return value instanceof Number n && n.intValue() != 0;
  }

  static String json(Map<String, Object> map) {
    return new JsonObject(map).encode();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> jsonMap(Row row, String column) {
    Object value = row.getValue(column);
    if (value == null) {
      return Map.of();
    }
    if (value instanceof JsonObject obj) {
      return (Map<String, Object>) io.uowservice.api.EntityJson.plain(obj);
    }
    String text = value instanceof Buffer b ? b.toString() : value.toString();
    return (Map<String, Object>) io.uowservice.api.EntityJson.plain(new JsonObject(text));
  }

  static BigDecimal decimal(Object value) {
    if (value instanceof BigDecimal d) {
      return d;
    }
    return value == null ? null : new BigDecimal(value.toString());
  }

  /**
   * Bytes one multi-row statement may carry: a share of the server's max_allowed_packet (read at
   * start-up, {@link Database#useServerLimits}), the rest left for the statement text and framing.
   */
  private static volatile long statementBytes = 12L * 1024 * 1024;

  static void statementBytes(long bytes) {
    statementBytes = bytes;
  }

  static long statementBytes() {
    return statementBytes;
  }

  /** Chunks of at most {@code maxRows} rows and (but for a single row) {@link #statementBytes} bytes. */
  static <T> List<List<T>> chunks(List<T> items, int maxRows, java.util.function.ToLongFunction<T> bytes) {
    long budget = statementBytes;
    List<List<T>> out = new java.util.ArrayList<>();
    int start = 0;
    long size = 0;
    for (int i = 0; i < items.size(); i++) {
      long row = bytes.applyAsLong(items.get(i));
      if (i > start && (i - start >= maxRows || size + row > budget)) {
        out.add(items.subList(start, i));
        start = i;
        size = 0;
      }
      size += row;
    }
    if (start < items.size()) {
      out.add(items.subList(start, items.size()));
    }
    return out;
  }

  /** The bytes a parameter takes on the wire, near enough (strings in UTF-8). */
  static long bytes(Object value) {
    if (value instanceof String s) {
      long n = 0;
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        n += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
      }
      return n + 9;
    }
    return 16;
  }

  static long bytes(List<Object> values) {
    long n = 0;
    for (Object v : values) {
      n += bytes(v);
    }
    return n;
  }

  static <T> List<List<T>> chunks(Collection<T> items, int size) {
    List<T> all = List.copyOf(items);
    List<List<T>> out = new java.util.ArrayList<>();
    for (int i = 0; i < all.size(); i += size) {
      out.add(all.subList(i, Math.min(all.size(), i + size)));
    }
    return out;
  }
}
