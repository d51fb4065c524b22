package io.uowservice.domain;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A deterministic text of plain JSON values (object keys sorted), so equal content always gives
 * the same text whatever order its maps were built in: the input of content fingerprints.
 */
public final class CanonicalText {

  private CanonicalText() {
  }

  public static String of(Object value) {
    StringBuilder out = new StringBuilder();
    append(out, value);
    return out.toString();
  }

  static void append(StringBuilder out, Object value) {
    if (value instanceof Map<?, ?> map) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<String, Object> e : sorted(map).entrySet()) {
        out.append(first ? "" : ",");
        first = false;
        string(out, e.getKey());
        out.append(':');
        append(out, e.getValue());
      }
      out.append('}');
    } else if (value instanceof List<?> list) {
      out.append('[');
      for (int i = 0; i < list.size(); i++) {
        out.append(i == 0 ? "" : ",");
        append(out, list.get(i));
      }
      out.append(']');
    } else if (value instanceof String s) {
      string(out, s);
    } else {
      out.append(value); // numbers, booleans, null
    }
  }

  private static Map<String, Object> sorted(Map<?, ?> map) {
    Map<String, Object> sorted = new TreeMap<>();
    map.forEach((k, v) -> sorted.put(String.valueOf(k), v));
    return sorted;
  }

  private static void string(StringBuilder out, String s) {
    out.append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
  }
}
