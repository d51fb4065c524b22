package io.uowservice.domain;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything a commit must do, decided before the transaction opens.
 *
 * @param writes           batches in execution order (saves by reference order, then deletes reversed)
 * @param expectedVersions type → id → version each dirty/deleted row must still have
 * @param heldVersions     type → id → version of the unit's copy of each dirty/deleted row; a row
 *                         whose copy is of another version than expected must not be written
 * @param references       links from the unit's entities to stored entities that must exist
 * @param results          what the unit will have committed, in registration order
 * @param links            id → the references it declares, for every new or dirty entity of a type
 *                         whose references are kept as rows (runtime types; built-ins have their own
 *                         foreign keys); an empty list clears a dirty entity's links
 */
public record FlushPlan(
    List<WriteBatch> writes,
    Map<String, Map<String, Long>> expectedVersions,
    Map<String, Map<String, Long>> heldVersions,
    List<PendingReference> references,
    List<Committed> results,
    Map<String, List<Reference>> links) {

  public enum Operation { INSERT, UPDATE, DELETE }

  /** Rows of one type written by one kind of statement. */
  public record WriteBatch(String type, Operation operation, List<Tracked> entities) {
  }

  /** A reference from an entity of the unit to one that is not in the unit. */
  public record PendingReference(String fromType, String fromId, Reference reference) {
  }

  /** One entity of the outcome, with the version it has after the commit. */
  public record Committed(String id, String type, long version, EntityState state, String lid) {
  }

  public boolean isEmpty() {
    return writes.isEmpty();
  }

  /** type → ids that must exist in the database. */
  public Map<String, Set<String>> referencedIds() {
    Map<String, Set<String>> ids = new java.util.LinkedHashMap<>();
    for (PendingReference r : references) {
      ids.computeIfAbsent(r.reference().targetType(), k -> new java.util.TreeSet<>()).add(r.reference().targetId());
    }
    return ids;
  }

  public int count(Operation operation) {
    return writes.stream().filter(w -> w.operation() == operation).mapToInt(w -> w.entities().size()).sum();
  }
}
