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
      return (Map<String, Object>) io.uowservice.bus.EntityJson.plain(obj);
    }
    String text = value instanceof Buffer b ? b.toString() : value.toString();
    return (Map<String, Object>) io.uowservice.bus.EntityJson.plain(new JsonObject(text));
  }

  static BigDecimal decimal(Object value) {
    if (value instanceof BigDecimal d) {
      return d;
    }
    return value == null ? null : new BigDecimal(value.toString());
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
