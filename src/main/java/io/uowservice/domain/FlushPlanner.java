package io.uowservice.domain;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Pure planning of a commit: orders writes by the type dependency graph (users, products, orders,
 * payments, custom; deletes in reverse), resolves references within the unit and lists those the
 * database must confirm, and collects the versions to check.
 */
public final class FlushPlanner {

  private FlushPlanner() {
  }

  public static FlushPlan plan(Collection<Tracked> unit, TypeCatalog catalog) {
    Map<String, Tracked> byId = new LinkedHashMap<>();
    unit.forEach(t -> byId.put(t.id(), t));

    for (Tracked t : unit) {
      catalog.require(t.type()); // a unit can only hold known types; a plan must not silently skip one
    }
    List<FieldError> errors = new ArrayList<>();
    List<FlushPlan.PendingReference> pending = new ArrayList<>();
    for (Tracked t : unit) {
      if (t.state() != EntityState.NEW && t.state() != EntityState.DIRTY) {
        continue;
      }
      EntityType type = catalog.require(t.type());
      for (Reference ref : type.rules().references(t.entity().attributes())) {
        Tracked target = byId.get(ref.targetId());
        String where = t.type() + " " + t.id() + " " + ref.field();
        if (target == null) {
          pending.add(new FlushPlan.PendingReference(t.type(), t.id(), ref));
        } else if (!target.type().equals(ref.targetType())) {
          errors.add(new FieldError(where, ref.targetId() + " is a " + target.type() + ", not a " + ref.targetType()));
        } else if (target.state() == EntityState.DELETED) {
          errors.add(new FieldError(where, "references " + ref.targetType() + " " + ref.targetId()
              + ", which this unit deletes"));
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new UowException.Invalid("the unit of work references entities it deletes or of the wrong type", errors);
    }

    List<String> order = catalog.flushOrder();
    Map<String, List<Tracked>> inserts = group(unit, EntityState.NEW);
    inserts.replaceAll((type, rows) -> referencedFirst(rows, catalog.require(type)));
    Map<String, List<Tracked>> updates = group(unit, EntityState.DIRTY);
    Map<String, List<Tracked>> deletes = group(unit, EntityState.DELETED);
    List<FlushPlan.WriteBatch> writes = new ArrayList<>();
    for (String type : order) {
      addBatch(writes, type, FlushPlan.Operation.INSERT, inserts);
      addBatch(writes, type, FlushPlan.Operation.UPDATE, updates);
    }
    for (int i = order.size() - 1; i >= 0; i--) {
      addBatch(writes, order.get(i), FlushPlan.Operation.DELETE, deletes);
    }

    Map<String, Map<String, Long>> expected = new LinkedHashMap<>();
    Map<String, Map<String, Long>> held = new LinkedHashMap<>();
    List<FlushPlan.Committed> results = new ArrayList<>();
    for (Tracked t : unit) {
      switch (t.state()) {
        case NEW -> results.add(new FlushPlan.Committed(t.id(), t.type(), 1, EntityState.NEW, t.lid()));
        case DIRTY -> {
          expected.computeIfAbsent(t.type(), k -> new TreeMap<>()).put(t.id(), t.expectedVersion());
          held.computeIfAbsent(t.type(), k -> new TreeMap<>()).put(t.id(), t.entity().version());
          results.add(new FlushPlan.Committed(t.id(), t.type(), t.expectedVersion() + 1, EntityState.DIRTY, t.lid()));
        }
        case DELETED -> {
          expected.computeIfAbsent(t.type(), k -> new TreeMap<>()).put(t.id(), t.expectedVersion());
          held.computeIfAbsent(t.type(), k -> new TreeMap<>()).put(t.id(), t.entity().version());
          results.add(new FlushPlan.Committed(t.id(), t.type(), t.expectedVersion(), EntityState.DELETED, t.lid()));
        }
        case CLEAN -> {
          // tracked for reading only: nothing to write or check
        }
      }
    }
    Map<String, List<Reference>> links = new LinkedHashMap<>();
    for (Tracked t : unit) {
      EntityType type = catalog.require(t.type());
      if ((t.state() == EntityState.NEW || t.state() == EntityState.DIRTY) && !type.builtIn()
          && !type.dependsOn().isEmpty()) {
        links.put(t.id(), type.rules().references(t.entity().attributes()));
      }
    }
    return new FlushPlan(List.copyOf(writes), expected, held, List.copyOf(pending), List.copyOf(results), links);
  }

  /**
   * New entities of one type that reference each other (a self-referencing runtime type) go in
   * dependency order; a cycle among them can't be inserted and is reported with the entities in it.
   * Nothing breaks such a cycle for the client: insert one side first, then link it in a later unit.
   */
  private static List<Tracked> referencedFirst(List<Tracked> rows, EntityType type) {
    if (rows.size() < 2 || !type.dependsOn().contains(type.name())) {
      return rows;
    }
    Map<String, Tracked> byId = new LinkedHashMap<>();
    rows.forEach(t -> byId.put(t.id(), t));
    try {
      return TopologicalSort.sort(rows, t -> type.rules().references(t.entity().attributes()).stream()
          .map(ref -> byId.get(ref.targetId()))
          .filter(java.util.Objects::nonNull)
          .toList());
    } catch (TopologicalSort.CycleException e) {
      List<String> names = new ArrayList<>();
      for (Object node : e.cycle()) {
        Tracked t = (Tracked) node;
        names.add(t.type() + " " + (t.lid() != null ? "lid " + t.lid() : t.id()));
      }
      throw new UowException.Invalid("new entities reference each other in a cycle: " + String.join(" -> ", names)
          + "; no order of inserts satisfies it - create one of them first, then link it in a later unit",
          List.of(new FieldError("references", "cycle: " + String.join(" -> ", names))));
    }
  }

  private static Map<String, List<Tracked>> group(Collection<Tracked> unit, EntityState state) {
    Map<String, List<Tracked>> byType = new LinkedHashMap<>();
    for (Tracked t : unit) {
      if (t.state() == state) {
        byType.computeIfAbsent(t.type(), k -> new ArrayList<>()).add(t);
      }
    }
    return byType;
  }

  private static void addBatch(List<FlushPlan.WriteBatch> writes, String type, FlushPlan.Operation op,
      Map<String, List<Tracked>> grouped) {
    List<Tracked> rows = grouped.get(type);
    if (rows != null && !rows.isEmpty()) {
      writes.add(new FlushPlan.WriteBatch(type, op, List.copyOf(rows)));
    }
  }
}
