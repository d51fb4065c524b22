package io.uowservice.domain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Turns client input (plain JSON maps) into valid entities: builds new ones and applies
 * {@code changes} to loaded ones, enforcing the configured limits and each type's rules.
 */
public final class EntityFactory {

  private static final Set<String> ENTITY_FIELDS = Set.of("name", "description", "metadata", "active", "attributes");
  private static final Set<String> READ_ONLY = Set.of("id", "type", "version", "created_at", "updated_at", "state", "lid");

  private final UnitLimits limits;
  private final String defaultType;

  public EntityFactory(UnitLimits limits, String defaultType) {
    this.limits = limits;
    this.defaultType = defaultType;
  }

  /** A new entity from a registration body {@code {type?, id?, name, description?, metadata?, active?, attributes?}}. */
  public Entity create(Map<String, Object> body, TypeCatalog catalog) {
    return create(body, catalog, lid -> null);
  }

  /** As {@link #create(Map, TypeCatalog)}, resolving {@code {"lid": ...}} references with {@code lids}. */
  public Entity create(Map<String, Object> body, TypeCatalog catalog, Function<String, String> lids) {
    List<FieldError> errors = new ArrayList<>();
    Object rawType = body.get("type");
    String typeName = rawType == null ? defaultType : rawType instanceof String s ? s : null;
    if (typeName == null) {
      throw new UowException.Invalid("type must be a string", List.of(new FieldError("type", "must be a string")));
    }
    EntityType type = catalog.require(typeName);
    String id;
    Object rawId = body.get("id");
    if (rawId == null) {
      id = Ids.generate();
    } else if (rawId instanceof String s && Ids.isValid(s)) {
      id = s;
    } else {
      errors.add(new FieldError("id", "must be 1-64 characters of letters, digits, '.', '_', ':', '@' or '-'"));
      id = "invalid";
    }
    if (body.get("name") == null) {
      errors.add(new FieldError("name", "is required"));
    }
    String name = text(body, "name", limits.maxNameLength(), true, errors);
    String description = text(body, "description", limits.maxDescriptionLength(), false, errors);
    Map<String, Object> metadata = object(body, "metadata", errors);
    Boolean active = bool(body, "active", errors);
    Map<String, Object> attributes = Lids.resolve(object(body, "attributes", errors), lids, "attributes", errors);
    StorableValues.check(metadata, "metadata", errors);
    metadataSize(metadata, "metadata", errors);
    StorableValues.check(attributes, "attributes", errors);
    Map<String, Object> normalized = type.rules().normalize(attributes, errors);
    failIfAny("invalid " + type.name(), errors);
    return Entity.fresh(id, type.name(), name, description, metadata, active, normalized);
  }

  /**
   * Applies {@code changes}: entity fields at the top level ({@code name, description, metadata,
   * active}), attribute changes under {@code attributes} or, for convenience, at the top level.
   * {@code metadata} and {@code attributes} merge key by key; a null value removes a key.
   */
  public Entity applyChanges(Entity current, Map<String, Object> changes, TypeCatalog catalog) {
    return applyChanges(current, changes, catalog, lid -> null);
  }

  /** As {@link #applyChanges(Entity, Map, TypeCatalog)}, resolving lid references with {@code lids}. */
  public Entity applyChanges(Entity current, Map<String, Object> changes, TypeCatalog catalog,
      Function<String, String> lids) {
    List<FieldError> errors = new ArrayList<>();
    for (String key : changes.keySet()) {
      if (READ_ONLY.contains(key)) {
        errors.add(new FieldError("changes." + key, "cannot be changed"));
      }
    }
    failIfAny("invalid changes", errors);
    String name = changes.containsKey("name") ? text(changes, "name", limits.maxNameLength(), true, errors)
        : current.name();
    if (changes.containsKey("name") && changes.get("name") == null) {
      errors.add(new FieldError("changes.name", "must not be null"));
    }
    String description = changes.containsKey("description")
        ? text(changes, "description", limits.maxDescriptionLength(), false, errors) : current.description();
    Map<String, Object> metadata = merge(current.metadata(), object(changes, "metadata", errors));
    boolean active = current.active();
    if (changes.get("active") != null) {
      active = Boolean.TRUE.equals(bool(changes, "active", errors));
    }
    Map<String, Object> attributeChanges = new LinkedHashMap<>(object(changes, "attributes", errors));
    for (Map.Entry<String, Object> e : changes.entrySet()) {
      if (!ENTITY_FIELDS.contains(e.getKey()) && !READ_ONLY.contains(e.getKey())) {
        attributeChanges.put(e.getKey(), e.getValue());
      }
    }
    Map<String, Object> attributes = merge(current.attributes(),
        Lids.resolve(attributeChanges, lids, "changes.attributes", errors));
    StorableValues.check(changes.get("metadata"), "changes.metadata", errors);
    metadataSize(metadata, "changes.metadata", errors);
    StorableValues.check(attributeChanges, "changes.attributes", errors);
    EntityType type = catalog.require(current.type());
    Map<String, Object> normalized = type.rules().normalize(attributes, errors);
    failIfAny("invalid changes to " + current.type() + " " + current.id(), errors);
    return new Entity(current.id(), current.type(), name, description, metadata, active, current.version(),
        current.createdAt(), current.updatedAt(), normalized);
  }

  private void metadataSize(Map<String, Object> metadata, String field, List<FieldError> errors) {
    if (!metadata.isEmpty() && CanonicalText.of(metadata).length() > limits.maxMetadataBytes()) {
      errors.add(new FieldError(field, "must be at most " + limits.maxMetadataBytes() + " bytes as JSON "
          + "(validation_rules.max_metadata_bytes)"));
    }
  }

  private static void failIfAny(String message, List<FieldError> errors) {
    UowException.Invalid.throwIfAny(message, errors);
  }


  private static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> changes) {
    if (changes.isEmpty()) {
      return base;
    }
    Map<String, Object> merged = new LinkedHashMap<>(base);
    changes.forEach((k, v) -> {
      if (v == null) {
        merged.remove(k);
      } else {
        merged.put(k, v);
      }
    });
    return merged;
  }

  private static String text(Map<String, Object> body, String key, int max, boolean required, List<FieldError> errors) {
    Object value = body.get(key);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s)) {
      errors.add(new FieldError(key, "must be a string"));
      return null;
    }
    if (required && s.isBlank()) {
      errors.add(new FieldError(key, "must not be blank"));
    }
    if (s.codePointCount(0, s.length()) > max) {
      errors.add(new FieldError(key, "must be at most " + max + " characters"));
    }
    return s;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Map<String, Object> body, String key, List<FieldError> errors) {
    Object value = body.get(key);
    if (value == null) {
      return Map.of();
    }
    if (value instanceof Map<?, ?> map) {
      return (Map<String, Object>) map;
    }
    errors.add(new FieldError(key, "must be a JSON object"));
    return Map.of();
  }

  private static Boolean bool(Map<String, Object> body, String key, List<FieldError> errors) {
    Object value = body.get(key);
    if (value == null || value instanceof Boolean) {
      return (Boolean) value;
    }
    errors.add(new FieldError(key, "must be true or false"));
    return null;
  }
}
