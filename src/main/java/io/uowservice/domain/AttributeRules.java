package io.uowservice.domain;

import java.util.List;
import java.util.Map;

/** How one entity type checks, normalizes and links its attributes. */
public interface AttributeRules {

  /**
   * Returns the attributes normalized (defaults filled in, money and currency in canonical form),
   * adding one {@link FieldError} per broken rule to {@code errors}.
   */
  Map<String, Object> normalize(Map<String, Object> attributes, List<FieldError> errors);

  /** The entities these (normalized) attributes point at. */
  default List<Reference> references(Map<String, Object> attributes) {
    return List.of();
  }

  /** Accepts any JSON object: the seed's generic {@code custom} type. */
  AttributeRules ANY = (attributes, errors) -> attributes;
}
