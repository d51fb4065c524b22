package io.uowservice.http;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * One JSON Schema of {@code openapi.yaml} compiled into checks: what vertx-json-schema decides for
 * the keywords the contract uses, with its messages and in its order, without walking the schema's
 * JSON for every value (that walk was a quarter of the service's CPU per checkout). A schema with any
 * other keyword does not compile ({@link Unsupported}); its operation keeps the library's validator.
 */
final class CompiledSchema {

  /** A keyword (or form of one) these checks do not implement. */
  static final class Unsupported extends RuntimeException {
    Unsupported(String message) {
      super(message, null, false, false);
    }
  }

  /** A failed check: the instance location (JSON pointer) and the library's message for it. */
  record Failure(String pointer, String message) {
  }

  /**
   * Where a value sits in the instance, built into a JSON pointer only when a check fails (the
   * library builds one per property visited). Keys are encoded as the library encodes them.
   */
  record Location(Location parent, String key, int index) {
    static final Location ROOT = new Location(null, null, -1);

    Location property(String name) {
      return new Location(this, name, -1);
    }

    Location item(int i) {
      return new Location(this, null, i);
    }

    String pointer() {
      if (parent == null) {
        return "";
      }
      return parent.pointer() + "/" + (key == null ? Integer.toString(index) : encode(key));
    }
  }

  /** Collected failures; past {@link #MAX} a body is refused without looking further. */
  static final class Failures {
    static final int MAX = 10_000;
    final List<Failure> list = new ArrayList<>();

    void add(Location at, String message) {
      list.add(new Failure(at.pointer(), message));
    }

    void insert(int index, Location at, String message) {
      list.add(index, new Failure(at.pointer(), message));
    }

    boolean full() {
      return list.size() >= MAX;
    }
  }

  private static final Set<String> ANNOTATIONS = Set.of("description", "title", "default", "example", "examples",
      "deprecated", "readOnly", "writeOnly");
  private static final Set<String> TYPES = Set.of("null", "boolean", "number", "integer", "string", "object", "array");

  private List<String> types; // null: any type
  private String expected; // the "Expected ..." of the type message
  private CompiledSchema ref;
  private List<Object> enumValues;
  private String enumText;
  private List<String> required = List.of();
  private Map<String, CompiledSchema> properties;
  private boolean hasAdditional;
  private boolean additionalAllowed; // additionalProperties: true / false
  private CompiledSchema additional; // additionalProperties: {schema}
  private Number minimum;
  private Number maximum;
  private Integer minLength;
  private Integer maxLength;
  private Pattern pattern;
  private Integer minItems;
  private Integer maxItems;
  private CompiledSchema items;

  private CompiledSchema() {
  }

  /** Compiles {@code schema}; {@code refs} resolves a {@code $ref} to its raw schema. */
  static CompiledSchema compile(JsonObject schema, Function<String, JsonObject> refs) {
    return compile(schema, refs, new HashMap<>(), new HashSet<>());
  }

  private static CompiledSchema compile(JsonObject schema, Function<String, JsonObject> refs,
      Map<String, CompiledSchema> compiled, Set<String> compiling) {
    CompiledSchema s = new CompiledSchema();
    for (String key : schema.fieldNames()) {
      Object value = schema.getValue(key);
      switch (key) {
        case "$ref" -> {
          String name = string(key, value);
          if (!compiling.add(name)) {
            throw new Unsupported("recursive $ref " + name);
          }
          JsonObject target = refs.apply(name);
          if (target == null) {
            throw new Unsupported("unresolved $ref " + name);
          }
          CompiledSchema known = compiled.get(name);
          if (known == null) {
            known = compile(target, refs, compiled, compiling);
            compiled.put(name, known);
          }
          s.ref = known;
          compiling.remove(name);
        }
        case "type" -> {
          List<String> types = new ArrayList<>();
          if (value instanceof JsonArray list) {
            list.forEach(t -> types.add(string(key, t)));
            s.expected = String.join(", ", types);
          } else {
            types.add(string(key, value));
            s.expected = (String) value;
          }
          if (!TYPES.containsAll(types)) {
            throw new Unsupported("type " + types);
          }
          s.types = types;
        }
        case "enum" -> {
          if (!(value instanceof JsonArray list) || list.stream().anyMatch(v -> v != null && !(v instanceof String)
              && !(v instanceof Boolean))) {
            throw new Unsupported("enum of other than strings, booleans and null");
          }
          s.enumValues = list.getList();
          s.enumText = Json.encode(list);
        }
        case "required" -> {
          List<String> names = new ArrayList<>();
          ((JsonArray) value).forEach(n -> names.add(string(key, n)));
          s.required = names;
        }
        case "properties" -> {
          s.properties = new LinkedHashMap<>();
          for (Map.Entry<String, Object> p : ((JsonObject) value)) {
            s.properties.put(p.getKey(), compile(object(key, p.getValue()), refs, compiled, compiling));
          }
        }
        case "additionalProperties" -> {
          s.hasAdditional = true;
          if (value instanceof Boolean allowed) {
            s.additionalAllowed = allowed;
          } else {
            s.additional = compile(object(key, value), refs, compiled, compiling);
          }
        }
        case "minimum" -> s.minimum = number(key, value);
        case "maximum" -> s.maximum = number(key, value);
        case "minLength" -> s.minLength = integer(key, value);
        case "maxLength" -> s.maxLength = integer(key, value);
        case "pattern" -> s.pattern = Pattern.compile(string(key, value));
        case "minItems" -> s.minItems = integer(key, value);
        case "maxItems" -> s.maxItems = integer(key, value);
        case "items" -> s.items = compile(object(key, value), refs, compiled, compiling);
        default -> {
          if (!ANNOTATIONS.contains(key)) {
            throw new Unsupported("keyword " + key);
          }
        }
      }
    }
    return s;
  }

  /** Whether {@code instance} (a decoded JSON value) is valid; every failure goes to {@code out}. */
  boolean validate(Object instance, Location pointer, Failures out) {
    if (out.full()) {
      return false;
    }
    int before = out.list.size();
    String type = typeOf(instance);
    if (ref != null && !ref.validate(instance, pointer, out)) {
      // the library's order: the summary first, then what the subschema found
      out.insert(before, pointer, "A subschema had errors");
    }
    if (types != null && !typeMatches(type, instance)) {
      out.add(pointer, "Instance type " + type + " is invalid. Expected " + expected);
    }
    if (enumValues != null && !enumValues.contains(instance)) {
      out.add(pointer, "Instance does not match any of " + enumText);
    }
    switch (type) {
      case "object" -> validateObject((JsonObject) instance, pointer, out);
      case "array" -> validateArray((JsonArray) instance, pointer, out);
      case "number" -> validateNumber((Number) instance, pointer, out);
      case "string" -> validateString((String) instance, pointer, out);
      default -> {
      }
    }
    return out.list.size() == before;
  }

  private void validateObject(JsonObject object, Location pointer, Failures out) {
    for (String key : required) {
      if (!object.containsKey(key)) {
        out.add(pointer, "Instance does not have required property \"" + key + "\"");
      }
    }
    Set<String> checked = properties == null ? Set.of() : new HashSet<>();
    if (properties != null) {
      for (Map.Entry<String, CompiledSchema> p : properties.entrySet()) {
        String key = p.getKey();
        if (!object.containsKey(key)) {
          continue;
        }
        Location at = pointer.property(key);
        int before = out.list.size();
        if (p.getValue().validate(object.getValue(key), at, out)) {
          checked.add(key);
        } else {
          out.insert(before, at, "Property \"" + key + "\" does not match schema");
        }
      }
    }
    if (hasAdditional && !(additional == null && additionalAllowed)) {
      for (String key : object.fieldNames()) {
        if (checked.contains(key) || out.full()) {
          continue;
        }
        Location at = pointer.property(key);
        int before = out.list.size();
        boolean valid = additional != null ? additional.validate(object.getValue(key), at, out) : additionalAllowed;
        if (!valid) {
          out.insert(before, at, "Property \"" + key + "\" does not match additional properties schema");
        }
      }
    }
  }

  private void validateArray(JsonArray array, Location pointer, Failures out) {
    if (maxItems != null && array.size() > maxItems) {
      out.add(pointer, "Array has too many items ( + " + array.size() + " > " + maxItems + ")");
    }
    if (minItems != null && array.size() < minItems) {
      out.add(pointer, "Array has too few items ( + " + array.size() + " < " + minItems + ")");
    }
    if (items != null) {
      for (int i = 0; i < array.size() && !out.full(); i++) {
        int before = out.list.size();
        if (!items.validate(array.getValue(i), pointer.item(i), out)) {
          out.insert(before, pointer, "Items did not match schema");
        }
      }
    }
  }

  private void validateNumber(Number number, Location pointer, Failures out) {
    if (minimum != null && less(number, minimum)) {
      out.add(pointer, number + " is less than " + minimum);
    }
    if (maximum != null && less(maximum, number)) {
      out.add(pointer, number + " is greater than " + maximum);
    }
  }

  private void validateString(String string, Location pointer, Failures out) {
    if (minLength != null || maxLength != null) {
      int length = string.codePointCount(0, string.length());
      if (minLength != null && length < minLength) {
        out.add(pointer, "String is too short (" + length + " < " + minLength + ")");
      }
      if (maxLength != null && length > maxLength) {
        out.add(pointer, "String is too long (" + length + " > " + maxLength + ")");
      }
    }
    if (pattern != null && !pattern.matcher(string).find()) {
      out.add(pointer, "String does not match pattern");
    }
  }

  private boolean typeMatches(String type, Object instance) {
    for (String t : types) {
      if (t.equals(type) || t.equals("integer") && type.equals("number") && isInteger((Number) instance)) {
        return true;
      }
    }
    return false;
  }

  static String typeOf(Object instance) {
    if (instance == null) {
      return "null";
    }
    if (instance instanceof Boolean) {
      return "boolean";
    }
    if (instance instanceof Number) {
      return "number";
    }
    if (instance instanceof String) {
      return "string";
    }
    if (instance instanceof JsonObject) {
      return "object";
    }
    if (instance instanceof JsonArray) {
      return "array";
    }
    throw new IllegalArgumentException("not a decoded JSON value: " + instance.getClass());
  }

  static boolean isInteger(Number n) {
    if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte || n instanceof BigInteger) {
      return true;
    }
    if (n instanceof Double d) {
      return d % 1 == 0.0;
    }
    if (n instanceof Float f) {
      return f % 1 == 0.0f;
    }
    return n instanceof BigDecimal b && b.remainder(BigDecimal.ONE).signum() == 0;
  }

  /** {@code a < b}: exactly for big numbers, as doubles otherwise (as the library compares). */
  private static boolean less(Number a, Number b) {
    if (a instanceof BigDecimal || b instanceof BigDecimal || a instanceof BigInteger || b instanceof BigInteger) {
      return decimal(a).compareTo(decimal(b)) < 0;
    }
    return a.doubleValue() < b.doubleValue();
  }

  private static BigDecimal decimal(Number n) {
    if (n instanceof BigDecimal b) {
      return b;
    }
    if (n instanceof BigInteger i) {
      return new BigDecimal(i);
    }
    if (n instanceof Double || n instanceof Float) {
      return BigDecimal.valueOf(n.doubleValue());
    }
    return BigDecimal.valueOf(n.longValue());
  }

  private static final String POINTER_SAFE = ":?#@!$&'()*+,;=0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-._";

  /** A key as the library writes it into a pointer: ~0, ~1, other unsafe UTF-8 bytes as %X (unpadded). */
  static String encode(String key) {
    StringBuilder out = new StringBuilder(key.length());
    for (byte b : key.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      if (POINTER_SAFE.indexOf(b) >= 0) {
        out.append((char) b);
      } else if (b == '~') {
        out.append("~0");
      } else if (b == '/') {
        out.append("~1");
      } else {
        out.append('%').append(Integer.toHexString(Byte.toUnsignedInt(b)).toUpperCase(java.util.Locale.ROOT));
      }
    }
    return out.toString();
  }

  private static String string(String key, Object value) {
    if (value instanceof String s) {
      return s;
    }
    throw new Unsupported(key + " that is not a string");
  }

  private static JsonObject object(String key, Object value) {
    if (value instanceof JsonObject o) {
      return o;
    }
    throw new Unsupported(key + " that is not a schema object");
  }

  private static Number number(String key, Object value) {
    if (value instanceof Number n) {
      return n;
    }
    throw new Unsupported(key + " that is not a number");
  }

  private static Integer integer(String key, Object value) {
    if (value instanceof Integer i && i >= 0) {
      return i;
    }
    throw new Unsupported(key + " that is not a small non-negative integer");
  }
}
