package io.uowservice.domain;

/** The four sets of Fowler's unit of work; an entity in a unit is in exactly one. */
public enum EntityState {
  NEW, DIRTY, DELETED, CLEAN;

  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public static EntityState fromWire(String value) {
    for (EntityState s : values()) {
      if (s.wireName().equals(value)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown entity state: " + value);
  }

  /** How many of {@code entries} sit in each set (every set present, zero or more). */
  public static java.util.Map<EntityState, Integer> countsOf(java.util.Collection<Tracked> entries) {
    java.util.Map<EntityState, Integer> counts = new java.util.EnumMap<>(EntityState.class);
    for (EntityState s : values()) {
      counts.put(s, 0);
    }
    entries.forEach(t -> counts.merge(t.state(), 1, Integer::sum));
    return counts;
  }
}
