package io.uowservice.domain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rules of a runtime-registered type that declares references ({@code attribute -> target type}):
 * the type's own rules (its JSON Schema), plus each declared attribute, when present, must be an
 * entity id, and the commit checks the target exists like a built-in reference.
 */
public final class ReferencingRules implements AttributeRules {

  private final AttributeRules base;
  private final Map<String, String> references;

  public ReferencingRules(AttributeRules base, Map<String, String> references) {
    this.base = base;
    this.references = Map.copyOf(references);
  }

  public Map<String, String> declared() {
    return references;
  }

  @Override
  public Map<String, Object> normalize(Map<String, Object> attributes, List<FieldError> errors) {
    Map<String, Object> normalized = new LinkedHashMap<>(base.normalize(attributes, errors));
    references.keySet().forEach(field -> Attributes.entityId(normalized, field, "", errors));
    return normalized;
  }

  @Override
  public List<Reference> references(Map<String, Object> attributes) {
    List<Reference> refs = new ArrayList<>();
    references.forEach((field, target) -> {
      if (attributes.get(field) instanceof String id) {
        refs.add(new Reference("attributes." + field, target, id));
      }
    });
    return refs;
  }
}
