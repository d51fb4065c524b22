package io.uowservice.domain;

/**
 * Configured bounds on what a unit may hold. {@code maxUnitBytes} bounds the unit's entity copies
 * (their JSON size, near enough: see {@link UnitOfWork#bytes()}); {@code maxSavepoints} the
 * savepoints of one unit (each is a copy of its identity map); {@code maxMetadataBytes} the
 * metadata of one entity.
 */
public record UnitLimits(int maxEntities, int maxNameLength, int maxDescriptionLength, long maxUnitBytes,
    int maxSavepoints, int maxMetadataBytes) {

  public static final long DEFAULT_MAX_UNIT_BYTES = 64L * 1024 * 1024;
  public static final int DEFAULT_MAX_SAVEPOINTS = 32;
  public static final int DEFAULT_MAX_METADATA_BYTES = 16 * 1024;

  public static final UnitLimits DEFAULTS = new UnitLimits(10_000, 100, 500);

  public UnitLimits(int maxEntities, int maxNameLength, int maxDescriptionLength) {
    this(maxEntities, maxNameLength, maxDescriptionLength, DEFAULT_MAX_UNIT_BYTES, DEFAULT_MAX_SAVEPOINTS,
        DEFAULT_MAX_METADATA_BYTES);
  }
}
