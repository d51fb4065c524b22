package io.uowservice.domain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What a runtime type's JSON Schema may be, checked when it is registered, because every writer's
 * registration is validated against it on an actor's event loop: known keywords only, local
 * {@code $ref}s into {@code $defs} without cycles, a bounded size, and {@code pattern}s that compile
 * and cannot backtrack catastrophically (no quantified group that itself holds a quantifier or an
 * alternation, no backreferences, at most {@value #MAX_PATTERN} characters).
 */
public final class SchemaCheck {

  public static final int MAX_SCHEMA_CHARS = 64 * 1024;
  public static final int MAX_PATTERN = 256;

  private static final Set<String> KEYWORDS = Set.of("$schema", "$id", "$comment", "$defs", "$ref", "title",
      "description", "default", "examples", "deprecated", "readOnly", "writeOnly", "type", "enum", "const",
      "properties", "required", "additionalProperties", "patternProperties", "propertyNames", "minProperties",
      "maxProperties", "dependentRequired", "items", "prefixItems", "contains", "minContains", "maxContains",
      "minItems", "maxItems", "uniqueItems", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
      "multipleOf", "minLength", "maxLength", "pattern", "format", "allOf", "anyOf", "oneOf", "not", "if", "then",
      "else");
  /** Keywords whose value is a map of name → schema. */
  private static final Set<String> SCHEMA_MAPS = Set.of("properties", "patternProperties", "$defs");
  /** Keywords whose value is one schema. */
  private static final Set<String> SCHEMAS = Set.of("additionalProperties", "propertyNames", "items", "contains", "not",
      "if", "then", "else");
  /** Keywords whose value is a list of schemas. */
  private static final Set<String> SCHEMA_LISTS = Set.of("prefixItems", "allOf", "anyOf", "oneOf");
  private static final Pattern LOCAL_REF = Pattern.compile("#/\\$defs/([A-Za-z0-9_.-]{1,64})");

  private SchemaCheck() {
  }

  /** The problems of {@code schema} (empty when it may be registered); {@code chars} is its JSON size. */
  public static List<FieldError> check(Map<String, Object> schema, long chars) {
    List<FieldError> errors = new ArrayList<>();
    if (chars > MAX_SCHEMA_CHARS) {
      errors.add(new FieldError("schema", "must be at most " + MAX_SCHEMA_CHARS + " characters as JSON"));
      return errors;
    }
    Map<String, Set<String>> refsByDef = new HashMap<>();
    walk(schema, "schema", null, refsByDef, errors);
    if (errors.isEmpty()) {
      Object defs = schema.get("$defs");
      Set<String> known = defs instanceof Map<?, ?> m ? keys(m) : Set.of();
      refsByDef.values().forEach(targets -> targets.stream().filter(t -> !known.contains(t)).forEach(t ->
          errors.add(new FieldError("schema.$ref", "#/$defs/" + t + " is not defined"))));
      String cycle = cycle(refsByDef);
      if (cycle != null) {
        errors.add(new FieldError("schema.$defs", "$ref cycle: " + cycle));
      }
    }
    return errors;
  }

  private static void walk(Object node, String path, String inDef, Map<String, Set<String>> refsByDef,
      List<FieldError> errors) {
    if (errors.size() >= UowException.Invalid.MAX_ERRORS) {
      return;
    }
    if (node instanceof Boolean) {
      return; // true / false are schemas too
    }
    if (!(node instanceof Map<?, ?> schema)) {
      errors.add(new FieldError(path, "must be a JSON Schema object"));
      return;
    }
    for (Map.Entry<?, ?> e : schema.entrySet()) {
      String keyword = String.valueOf(e.getKey());
      Object value = e.getValue();
      String at = FieldError.child(path, keyword);
      if (!KEYWORDS.contains(keyword) && !keyword.startsWith("x-")) {
        errors.add(new FieldError(at, "is not a supported JSON Schema keyword"));
      } else if (keyword.equals("$ref")) {
        var m = value instanceof String s ? LOCAL_REF.matcher(s) : null;
        if (m == null || !m.matches()) {
          errors.add(new FieldError(at, "must be a local reference \"#/$defs/<name>\""));
        } else {
          refsByDef.computeIfAbsent(inDef == null ? "" : inDef, k -> new HashSet<>()).add(m.group(1));
        }
      } else if (keyword.equals("pattern")) {
        pattern(value, at, errors);
      } else if (SCHEMA_MAPS.contains(keyword)) {
        if (!(value instanceof Map<?, ?> members)) {
          errors.add(new FieldError(at, "must be an object of schemas"));
          continue;
        }
        for (Map.Entry<?, ?> member : members.entrySet()) {
          String name = String.valueOf(member.getKey());
          if (keyword.equals("patternProperties")) {
            pattern(name, FieldError.child(at, name), errors);
          }
          walk(member.getValue(), FieldError.child(at, name), keyword.equals("$defs") ? name : inDef, refsByDef,
              errors);
        }
      } else if (SCHEMAS.contains(keyword)) {
        walk(value, at, inDef, refsByDef, errors);
      } else if (SCHEMA_LISTS.contains(keyword)) {
        if (!(value instanceof List<?> list)) {
          errors.add(new FieldError(at, "must be a list of schemas"));
          continue;
        }
        for (int i = 0; i < list.size(); i++) {
          walk(list.get(i), FieldError.element(at, i), inDef, refsByDef, errors);
        }
      }
    }
  }

  /** A regular expression that compiles and cannot backtrack catastrophically on any input. */
  static void pattern(Object value, String at, List<FieldError> errors) {
    if (!(value instanceof String regex)) {
      errors.add(new FieldError(at, "must be a string"));
      return;
    }
    if (regex.length() > MAX_PATTERN) {
      errors.add(new FieldError(at, "must be at most " + MAX_PATTERN + " characters"));
      return;
    }
    try {
      Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      errors.add(new FieldError(at, "is not a valid regular expression: " + e.getDescription()));
      return;
    }
    String problem = backtracking(regex);
    if (problem != null) {
      errors.add(new FieldError(at, "could take exponential time to match (" + problem + "); simplify it"));
    }
  }

  /**
   * Why {@code regex} may backtrack catastrophically, or null: a quantified group containing a
   * quantifier or an alternation (as in {@code (a+)+}, {@code (a|ab)*}), or a backreference.
   */
  static String backtracking(String regex) {
    // per open group: did it contain a quantifier or an alternation?
    List<boolean[]> open = new ArrayList<>();
    boolean lastWasRiskyGroup = false;
    for (int i = 0; i < regex.length(); i++) {
      char c = regex.charAt(i);
      // repetition (an optional "?" repeats nothing; "?" after a quantifier only makes it lazy)
      boolean quantifier = c == '*' || c == '+' || (c == '{' && !regex.startsWith("{0,1}", i)
          && !regex.startsWith("{1}", i));
      if (c == '\\') {
        if (i + 1 < regex.length() && Character.isDigit(regex.charAt(i + 1)) && regex.charAt(i + 1) != '0') {
          return "a backreference";
        }
        if (i + 1 < regex.length() && regex.charAt(i + 1) == 'k') {
          return "a backreference";
        }
        i++;
        lastWasRiskyGroup = false;
        continue;
      }
      if (c == '[') { // a character class: skip to its end
        int j = i + 1;
        while (j < regex.length() && regex.charAt(j) != ']') {
          j += regex.charAt(j) == '\\' ? 2 : 1;
        }
        i = j;
        lastWasRiskyGroup = false;
        continue;
      }
      if (c == '(') {
        open.add(new boolean[] {false});
        lastWasRiskyGroup = false;
        continue;
      }
      if (c == ')') {
        boolean risky = !open.isEmpty() && open.remove(open.size() - 1)[0];
        if (risky && !open.isEmpty()) {
          open.get(open.size() - 1)[0] = true;
        }
        lastWasRiskyGroup = risky;
        continue;
      }
      if (c == '|' && !open.isEmpty()) {
        open.get(open.size() - 1)[0] = true;
      }
      if (quantifier) {
        if (lastWasRiskyGroup) {
          return "a repeated group that itself repeats or alternates";
        }
        if (!open.isEmpty()) {
          open.get(open.size() - 1)[0] = true;
        }
      }
      lastWasRiskyGroup = false;
    }
    return null;
  }

  private static Set<String> keys(Map<?, ?> map) {
    Set<String> keys = new HashSet<>();
    map.keySet().forEach(k -> keys.add(String.valueOf(k)));
    return keys;
  }

  /** A cycle among the definitions' references ("a -> b -> a"), or null. The root ("") is no definition. */
  private static String cycle(Map<String, Set<String>> refs) {
    Map<String, Integer> state = new HashMap<>(); // 1 visiting, 2 done
    for (String start : refs.keySet()) {
      List<String> path = new ArrayList<>();
      String found = visit(start, refs, state, path);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  private static String visit(String node, Map<String, Set<String>> refs, Map<String, Integer> state,
      List<String> path) {
    Integer s = state.get(node);
    if (s != null && s == 2) {
      return null;
    }
    if (s != null && s == 1) {
      List<String> loop = new ArrayList<>(path.subList(path.indexOf(node), path.size()));
      loop.add(node);
      return String.join(" -> ", loop);
    }
    state.put(node, 1);
    path.add(node);
    for (String next : refs.getOrDefault(node, Set.of())) {
      String found = visit(next, refs, state, path);
      if (found != null) {
        return found;
      }
    }
    path.remove(path.size() - 1);
    state.put(node, 2);
    return null;
  }
}
