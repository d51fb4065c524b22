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

  /**
   * A unit's content as one text: every entry's set, expected version, temp id and entity, by id.
   * Two units with the same fingerprint would commit the same writes; an Idempotency-Key is bound to
   * it so a key is never replayed for other content.
   */
  public static String fingerprint(java.util.Collection<Tracked> entries) {
    Map<String, Object> byId = new TreeMap<>();
    for (Tracked t : entries) {
      Entity e = t.entity();
      Map<String, Object> entry = new java.util.LinkedHashMap<>();
      entry.put("state", t.state().wireName());
      entry.put("expected_version", t.expectedVersion());
      entry.put("lid", t.lid());
      entry.put("type", e.type());
      entry.put("name", e.name());
      entry.put("description", e.description());
      entry.put("metadata", e.metadata());
      entry.put("active", e.active());
      entry.put("version", e.version());
      entry.put("attributes", e.attributes());
      byId.put(t.id(), entry);
    }
    return of(byId);
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
