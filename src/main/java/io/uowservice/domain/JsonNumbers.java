package io.uowservice.domain;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * Numbers every store of a value can hold: finite, and integers within 64 bits. A JSON number
 * past a double's range parses as Infinity, which no JSON column or event can store (it was
 * written as the string "Infinity", and every later update of the entity failed validation).
 */
public final class JsonNumbers {

  private static final BigInteger MIN = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);

  private JsonNumbers() {
  }

  /** Adds an error for each number under {@code value} that is non-finite or out of range. */
  public static void check(Object value, String path, List<FieldError> errors) {
    if (value instanceof Map<?, ?> map) {
      map.forEach((k, v) -> check(v, path + "." + k, errors));
    } else if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        check(list.get(i), path + "[" + i + "]", errors);
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
