package io.uowservice.domain;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Small, strict readers for attribute values; each reports a {@link FieldError} instead of throwing. */
final class Attributes {

  private static final Pattern DECIMAL = Pattern.compile("^-?\\d{1,15}(\\.\\d{1,4})?$");
  private static final Pattern EMAIL = Pattern.compile("^[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]+$");

  private Attributes() {
  }

  static String path(String prefix, String field) {
    return prefix.isEmpty() ? FieldError.child("attributes", field) : FieldError.child(prefix, field);
  }

  static boolean present(Map<String, Object> attrs, String key) {
    return attrs.get(key) != null;
  }

  static void required(Map<String, Object> attrs, String key, String prefix, List<FieldError> errors) {
    if (!present(attrs, key)) {
      errors.add(new FieldError(path(prefix, key), "is required"));
    }
  }

  /** A money amount as a canonical decimal string (at least two fraction digits). */
  static void money(Map<String, Object> attrs, String key, String prefix, List<FieldError> errors) {
    Object value = attrs.get(key);
    if (value == null) {
      return;
    }
    String text;
    if (value instanceof String s) {
      text = s.trim();
    } else if (value instanceof Integer || value instanceof Long || value instanceof BigInteger) {
      text = value.toString();
    } else if (value instanceof Number) {
      errors.add(new FieldError(path(prefix, key), "must be a decimal string such as \"25.00\" (floats lose cents)"));
      return;
    } else {
      errors.add(new FieldError(path(prefix, key), "must be a decimal string such as \"25.00\""));
      return;
    }
    if (!DECIMAL.matcher(text).matches()) {
      errors.add(new FieldError(path(prefix, key), "must be a decimal with at most 15 integer and 4 fraction digits"));
      return;
    }
    BigDecimal amount = new BigDecimal(text);
    if (amount.signum() < 0) {
      errors.add(new FieldError(path(prefix, key), "must not be negative"));
      return;
    }
    attrs.put(key, Money.canonical(amount));
  }

  static void nonNegativeInt(Map<String, Object> attrs, String key, String prefix, List<FieldError> errors) {
    integer(attrs, key, prefix, errors, 0);
  }

  static void integer(Map<String, Object> attrs, String key, String prefix, List<FieldError> errors, long min) {
    Object value = attrs.get(key);
    if (value == null) {
      return;
    }
    Long n = asLong(value);
    if (n == null || n > Integer.MAX_VALUE) {
      errors.add(new FieldError(path(prefix, key), "must be an integer"));
    } else if (n < min) {
      errors.add(new FieldError(path(prefix, key), min == 0 ? "must be >= 0" : "must be >= " + min));
    } else {
      attrs.put(key, n.intValue());
    }
  }

  static Long asLong(Object value) {
    if (value instanceof Integer || value instanceof Long || value instanceof Short) {
      return ((Number) value).longValue();
    }
    if (value instanceof BigInteger b) {
      return b.bitLength() < 63 ? b.longValue() : null;
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (d == Math.rint(d) && Math.abs(d) < 1e15) {
        return (long) d;
      }
    }
    return null;
  }

  static void string(Map<String, Object> attrs, String key, String prefix, int maxLength, List<FieldError> errors) {
    Object value = attrs.get(key);
    if (value == null) {
      return;
    }
    if (!(value instanceof String s)) {
      errors.add(new FieldError(path(prefix, key), "must be a string"));
    } else if (s.isBlank()) {
      errors.add(new FieldError(path(prefix, key), "must not be blank"));
    } else if (s.length() > maxLength) {
      errors.add(new FieldError(path(prefix, key), "must be at most " + maxLength + " characters"));
    }
  }

  static void oneOf(Map<String, Object> attrs, String key, String prefix, Set<String> allowed, String dflt,
      List<FieldError> errors) {
    Object value = attrs.get(key);
    if (value == null) {
      if (dflt != null) {
        attrs.put(key, dflt);
      }
      return;
    }
    if (!(value instanceof String s) || !allowed.contains(s)) {
      errors.add(new FieldError(path(prefix, key), "must be one of " + String.join(", ", sorted(allowed))));
    }
  }

  static void currency(Map<String, Object> attrs, String key, String prefix, List<FieldError> errors) {
    Object value = attrs.get(key);
    if (value == null) {
      return;
    }
    if (value instanceof String s && s.length() == 3) {
      String code = s.toUpperCase(Locale.ROOT);
      try {
        Currency.getInstance(code);
        attrs.put(key, code);
        return;
      } catch (IllegalArgumentException ignored) {
        // fall through to the error
      }
    }
    errors.add(new FieldError(path(prefix, key), "must be an ISO 4217 currency code such as EUR"));
  }

  static void email(Map<String, Object> attrs, String key, String prefix, List<FieldError> errors) {
    Object value = attrs.get(key);
    if (value == null) {
      return;
    }
    if (!(value instanceof String s) || s.length() > 254 || !EMAIL.matcher(s).matches()) {
      errors.add(new FieldError(path(prefix, key), "must be a valid e-mail address"));
    }
  }

  /** A reference to another entity: a non-blank id string. */
  static void entityId(Map<String, Object> attrs, String key, String prefix, List<FieldError> errors) {
    Object value = attrs.get(key);
    if (value == null) {
      return;
    }
    if (!(value instanceof String s) || s.isBlank() || s.length() > Ids.MAX_LENGTH) {
      errors.add(new FieldError(path(prefix, key), "must be an entity id (a non-empty string of at most "
          + Ids.MAX_LENGTH + " characters)"));
    }
  }

  private static List<String> sorted(Set<String> values) {
    return values.stream().sorted().toList();
  }
}
