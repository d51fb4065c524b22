package io.uowservice.domain;

/**
 * A dirty or deleted entity whose stored version is not the one the unit expected; {@code actualVersion}
 * is null when the row is gone. {@code heldVersion} is set when the unit's own copy of the entity is
 * of another version than the one expected: the client claimed a version the unit never loaded, and
 * writing that copy would overwrite changes it never saw.
 */
public record VersionConflict(String type, String id, long expectedVersion, Long actualVersion, Long heldVersion) {

  public VersionConflict(String type, String id, long expectedVersion, Long actualVersion) {
    this(type, id, expectedVersion, actualVersion, null);
  }
}
