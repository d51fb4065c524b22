package io.uowservice.domain;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A kind of entity: a built-in (user, product, order, payment, custom) or one registered at run
 * time with a JSON Schema. {@code dependsOn} names the types this one references; the flush
 * planner orders writes by it.
 */
public record EntityType(
    String name,
    boolean builtIn,
    String displayName,
    String description,
    Set<String> dependsOn,
    AttributeRules rules,
    Map<String, Object> schema) {

  /** Type names: lower-case letters, digits and '_' (they appear in URLs and SQL parameters). */
  public static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("^[a-z0-9_]{1,64}$");

  public static boolean isValidName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  public EntityType {
    Objects.requireNonNull(name, "name");
    dependsOn = Set.copyOf(dependsOn);
    schema = schema == null ? null : Map.copyOf(schema);
  }
}
