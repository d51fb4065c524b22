package io.uowservice.domain;

/**
 * An identity-map entry: the unit's copy of an entity, its set, and the version the commit must
 * find in the database ({@code expectedVersion}; meaningless for NEW).
 */
public record Tracked(Entity entity, EntityState state, long expectedVersion, String lid) {

  public String id() {
    return entity.id();
  }

  public String type() {
    return entity.type();
  }

  Tracked with(Entity newEntity, EntityState newState, long newExpected) {
    return new Tracked(newEntity, newState, newExpected, lid);
  }
}
