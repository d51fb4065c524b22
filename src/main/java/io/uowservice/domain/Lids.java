package io.uowservice.domain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Temporary ids: a new entity may carry a {@code lid}, and any attribute value written as
 * {@code {"lid": "x"}} (an object whose only key is {@code lid}) stands for the id of the new entity
 * with that lid in the same unit or transaction. Resolution replaces those objects with the ids.
 */
public final class Lids {

  public static final int MAX_LENGTH = 64;

  private Lids() {
  }

  /** True when {@code value} is a lid reference object. */
  public static boolean isReference(Object value) {
    return value instanceof Map<?, ?> map && map.size() == 1 && map.containsKey("lid");
  }

  /**
   * Returns {@code attributes} with every lid reference replaced by {@code lookup}'s id; an unknown
   * or malformed lid adds an error naming the field and the lid.
   */
  public static Map<String, Object> resolve(Map<String, Object> attributes, Function<String, String> lookup,
      String prefix, List<FieldError> errors) {
    @SuppressWarnings("unchecked")
    Map<String, Object> resolved = (Map<String, Object>) resolveValue(attributes, lookup, prefix, errors);
    return resolved;
  }

  private static Object resolveValue(Object value, Function<String, String> lookup, String path,
      List<FieldError> errors) {
    if (isReference(value)) {
      Object lid = ((Map<?, ?>) value).get("lid");
      if (!(lid instanceof String s) || s.isBlank()) {
        errors.add(new FieldError(path, "lid must be a non-empty string"));
        return value;
      }
      String id = lookup.apply(s);
      if (id == null) {
        errors.add(new FieldError(path, "unknown lid '" + s + "': no new entity in this unit carries it"));
        return value;
      }
      return id;
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put(String.valueOf(k), resolveValue(v, lookup, FieldError.child(path, k), errors)));
      return out;
    }
    if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      for (int i = 0; i < list.size(); i++) {
        out.add(resolveValue(list.get(i), lookup, FieldError.element(path, i), errors));
      }
      return out;
    }
    return value;
  }

  /** A lid as the client gave it: null when absent, else a 1-64 character string. */
  public static String parse(Object raw, List<FieldError> errors) {
    if (raw == null) {
      return null;
    }
    if (raw instanceof String s && !s.isBlank() && s.length() <= MAX_LENGTH) {
      return s;
    }
    errors.add(new FieldError("lid", "must be a string of 1-" + MAX_LENGTH + " characters"));
    return null;
  }
}
