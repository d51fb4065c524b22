package io.uowservice.domain;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * What every store of an entity's metadata and attributes accepts (its row, its outbox event, its
 * audit record): numbers that are finite and integers within 64 bits (a JSON number past a double's
 * range parses as Infinity, which was written as the string "Infinity" and then failed every later
 * update), and nesting no deeper than {@value #MAX_DEPTH} levels, counting the object itself:
 * MariaDB stores JSON nested at most 31 deep, and an event wraps the attributes in two more levels
 * ({@code {data: {attributes: ...}}}).
 */
public final class StorableValues {

  public static final int MAX_DEPTH = 29;

  private static final BigInteger MIN = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);

  private StorableValues() {
  }

  /**
   * Adds an error for each number under {@code value} that is non-finite or out of range, and one
   * when {@code value} nests deeper than {@link #MAX_DEPTH}.
   */
  public static void check(Object value, String path, List<FieldError> errors) {
    if (depth(value, 0) > MAX_DEPTH) {
      errors.add(new FieldError(path, "nests deeper than " + MAX_DEPTH + " levels, the deepest every store of it "
          + "accepts"));
      return;
    }
    numbers(value, path, errors);
  }

  /** Levels of objects and arrays, {@code value} itself included; stops counting past the limit. */
  private static int depth(Object value, int above) {
    if (above > MAX_DEPTH) {
      return above;
    }
    int deepest = 0;
    if (value instanceof Map<?, ?> map) {
      for (Object v : map.values()) {
        deepest = Math.max(deepest, depth(v, above + 1));
      }
      return Math.max(deepest, above + 1);
    }
    if (value instanceof List<?> list) {
      for (Object v : list) {
        deepest = Math.max(deepest, depth(v, above + 1));
      }
      return Math.max(deepest, above + 1);
    }
    return above;
  }

  private static void numbers(Object value, String path, List<FieldError> errors) {
    if (value instanceof Map<?, ?> map) {
      map.forEach((k, v) -> numbers(v, FieldError.child(path, k), errors));
    } else if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        numbers(list.get(i), FieldError.element(path, i), errors);
      }
    } else if (value instanceof Double d && !Double.isFinite(d) || value instanceof Float f && !Float.isFinite(f)) {
      errors.add(new FieldError(path, "is a number out of range (at most ±1.7976931348623157e308); send large or "
          + "exact values as strings"));
    } else if (value instanceof BigInteger big && (big.compareTo(MIN) < 0 || big.compareTo(MAX) > 0)) {
      errors.add(new FieldError(path, "is an integer out of range (64-bit signed); send large values as strings"));
    } else if (value instanceof BigDecimal dec && !Double.isFinite(dec.doubleValue())) {
      errors.add(new FieldError(path, "is a number out of range; send large or exact values as strings"));
    }
  }
}
