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
}
