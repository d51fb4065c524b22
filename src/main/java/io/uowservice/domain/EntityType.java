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

  public EntityType {
    Objects.requireNonNull(name, "name");
    dependsOn = Set.copyOf(dependsOn);
    schema = schema == null ? null : Map.copyOf(schema);
  }
}
