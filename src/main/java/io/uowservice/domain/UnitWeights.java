package io.uowservice.domain;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * What a unit's entity copies weigh ({@link #weigh}), counted against
 * {@link UnitLimits#maxUnitBytes()}: the live entries' sizes, each savepoint's (so rolling back to
 * one costs no re-weighing), and what only savepoints still hold — copies replaced since one was
 * taken, and the savepoints' own maps.
 */
public final class UnitWeights {

  /** Heap an entity copy costs beyond its characters (see {@link #weigh}). */
  public static final int ENTRY_OVERHEAD = 1024;
  /** Heap one entry of a savepoint's map costs. */
  static final int SAVEPOINT_ENTRY_COST = 64;

  private final long max;
  /** id → the size counted for its copy; {@code bytes} is their sum. */
  private final Map<String, Long> sizes = new HashMap<>();
  private final Map<String, Map<String, Long>> savepointSizes = new HashMap<>();
  private long bytes;
  private long retained;

  UnitWeights(long max) {
    this.max = max;
  }

  /**
   * The weight counted for one entity copy: its text, plus what a copy costs in heap beyond it
   * (maps, records, the identity-map entry). Measured 2026-12-02: 3.6 MB entities take 1.05 heap
   * bytes per character; 2,000 entities of ~230 characters take ~1,050 heap bytes each, hence
   * {@value #ENTRY_OVERHEAD} per entity.
   */
  public static long weigh(Entity e) {
    long n = ENTRY_OVERHEAD + e.id().length() + e.type().length();
    n += e.name() == null ? 0 : e.name().length();
    n += e.description() == null ? 0 : e.description().length();
    return n + CanonicalText.of(e.metadata()).length() + CanonicalText.of(e.attributes()).length();
  }

  long total() {
    return bytes + retained;
  }

  /**
   * Counts {@code tracked}'s weight in place of its id's previous one, or refuses it past the
   * budget; {@code replacedLivesOn}: the copy it replaces stays alive in a savepoint.
   */
  void account(Tracked tracked, boolean replacedLivesOn) {
    long size = weigh(tracked.entity());
    Long previous = sizes.get(tracked.id());
    long kept = previous != null && replacedLivesOn ? previous : 0;
    long next = bytes - (previous == null ? 0 : previous) + size;
    if (next + retained + kept > max) {
      throw new UowException.LimitExceeded("a unit of work holds at most " + max + " bytes of "
          + "entities (unit_of_work.max_unit_bytes), savepoints included; this one would hold "
          + (next + retained + kept) + ": commit it first");
    }
    sizes.put(tracked.id(), size);
    bytes = next;
    retained += kept;
  }

  /** An entry left the unit; {@code savepointMayHoldIt}: its copy may live on in a savepoint. */
  void removed(String id, boolean savepointMayHoldIt) {
    Long size = sizes.remove(id);
    long counted = size == null ? 0 : size;
    bytes -= counted;
    if (savepointMayHoldIt) {
      retained += counted;
    }
  }

  /** A savepoint named {@code name} of {@code entries} entries is taken, or refused past the budget. */
  void savepointTaken(String name, int entries) {
    long mapCost = (long) entries * SAVEPOINT_ENTRY_COST;
    if (bytes + retained + mapCost > max) {
      throw new UowException.LimitExceeded("a unit of work holds at most " + max + " bytes "
          + "(unit_of_work.max_unit_bytes), savepoints included: commit it first");
    }
    savepointSizes.put(name, new HashMap<>(sizes));
    retained += mapCost;
  }

  void savepointDropped(String name) {
    savepointSizes.remove(name);
  }

  /** The entries are what the unit holds now; {@code savepoint}: the one they come from, whose sizes are known. */
  void restore(Collection<Tracked> entries, String savepoint) {
    Map<String, Long> known = savepoint == null ? null : savepointSizes.get(savepoint);
    sizes.clear();
    bytes = 0;
    entries.forEach(t -> {
      Long size = known == null ? null : known.get(t.id());
      long counted = size != null ? size : weigh(t.entity());
      sizes.put(t.id(), counted);
      bytes += counted;
    });
  }

  void clear() {
    sizes.clear();
    savepointSizes.clear();
    bytes = 0;
    retained = 0;
  }
}
