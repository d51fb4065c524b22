package io.uowservice.domain;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One entity as the service stores it. {@code version} is 0 until the first commit;
 * {@code metadata} and {@code attributes} hold plain JSON values (Map, List, String, Number, Boolean).
 */
public record Entity(
    String id,
    String type,
    String name,
    String description,
    Map<String, Object> metadata,
    boolean active,
    long version,
    Instant createdAt,
    Instant updatedAt,
    Map<String, Object> attributes) {

  public Entity {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    metadata = frozen(metadata);
    attributes = frozen(attributes);
  }

  public static Entity fresh(String id, String type, String name, String description,
      Map<String, Object> metadata, Boolean active, Map<String, Object> attributes) {
    return new Entity(id, type, name, description, metadata, active == null || active, 0, null, null, attributes);
  }

  public Entity withAttributes(Map<String, Object> newAttributes) {
    return new Entity(id, type, name, description, metadata, active, version, createdAt, updatedAt, newAttributes);
  }

  public Entity committed(long newVersion, Instant at) {
    return new Entity(id, type, name, description, metadata, active, newVersion,
        createdAt == null ? at : createdAt, at, attributes);
  }

  private static Map<String, Object> frozen(Map<String, Object> map) {
    if (map == null || map.isEmpty()) {
      return Map.of();
    }
    return Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }
}
