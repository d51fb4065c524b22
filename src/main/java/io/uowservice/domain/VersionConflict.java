package io.uowservice.domain;

/** A dirty or deleted entity whose stored version is not the one the unit expected; actual is null when the row is gone. */
public record VersionConflict(String type, String id, long expectedVersion, Long actualVersion) {
}
