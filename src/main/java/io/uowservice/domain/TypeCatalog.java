package io.uowservice.domain;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The entity types a deployment knows: the enabled built-ins plus types registered at run time.
 * Immutable: registering a type yields a new catalog, so an actor can swap it in one assignment.
 */
public final class TypeCatalog {

  private final Map<String, EntityType> types;
  private final List<String> flushOrder;

  private TypeCatalog(Map<String, EntityType> types) {
    this.types = Collections.unmodifiableMap(types);
    this.flushOrder = computeFlushOrder(types.values());
  }

  public static TypeCatalog of(Collection<String> enabledBuiltIns, Collection<EntityType> runtimeTypes) {
    Map<String, EntityType> types = new LinkedHashMap<>();
    for (EntityType t : BuiltInTypes.all()) {
      if (enabledBuiltIns.contains(t.name())) {
        types.put(t.name(), t);
      }
    }
    List<EntityType> runtime = new ArrayList<>(runtimeTypes);
    runtime.sort(Comparator.comparing(EntityType::name));
    for (EntityType t : runtime) {
      types.putIfAbsent(t.name(), t);
    }
    return new TypeCatalog(types);
  }

  public TypeCatalog with(EntityType type) {
    Map<String, EntityType> copy = new LinkedHashMap<>(types);
    copy.put(type.name(), type);
    return new TypeCatalog(copy);
  }

  public Optional<EntityType> find(String name) {
    return Optional.ofNullable(name == null ? null : types.get(name));
  }

  public EntityType require(String name) {
    return find(name).orElseThrow(() -> new UowException.Invalid("unknown entity type '" + name + "'",
        List.of(new FieldError("type", "must be one of " + String.join(", ", types.keySet())))));
  }

  public boolean contains(String name) {
    return types.containsKey(name);
  }

  public Collection<EntityType> all() {
    return types.values();
  }

  public long runtimeTypeCount() {
    return types.values().stream().filter(t -> !t.builtIn()).count();
  }

  /** Writes happen in this order (a type after the types it references); deletes in reverse. */
  public List<String> flushOrder() {
    return flushOrder;
  }

  private static List<String> computeFlushOrder(Collection<EntityType> types) {
    // Preference: the contract's reference order for built-ins, then runtime types by name.
    List<String> preferred = new ArrayList<>();
    for (String name : BuiltInTypes.REFERENCE_ORDER) {
      if (types.stream().anyMatch(t -> t.name().equals(name))) {
        preferred.add(name);
      }
    }
    types.stream().map(EntityType::name).filter(n -> !preferred.contains(n)).forEach(preferred::add);
    Map<String, EntityType> byName = new LinkedHashMap<>();
    types.forEach(t -> byName.put(t.name(), t));
    return List.copyOf(TopologicalSort.sort(preferred, name -> byName.get(name).dependsOn()));
  }
}
