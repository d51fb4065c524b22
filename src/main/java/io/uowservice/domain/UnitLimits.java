package io.uowservice.domain;

/** Configured bounds on what a unit may hold. */
public record UnitLimits(int maxEntities, int maxNameLength, int maxDescriptionLength) {

  public static final UnitLimits DEFAULTS = new UnitLimits(10_000, 100, 500);
}
