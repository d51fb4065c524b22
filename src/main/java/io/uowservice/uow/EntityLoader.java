package io.uowservice.uow;

import io.uowservice.api.EntityJson;
import io.uowservice.api.Problem;
import io.uowservice.async.Futures;
import io.uowservice.bus.EntityReads;
import io.uowservice.bus.ServiceClient;
import io.uowservice.domain.Entity;
import io.uowservice.domain.TypeCatalog;
import io.uowservice.domain.UnitWeights;
import io.uowservice.domain.UowException;
import io.uowservice.repository.CatalogHolder;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Loads the stored entities registrations name, through the repositories (never the actor's own pool). */
final class EntityLoader {

  private final ServiceClient bus;
  private final CatalogHolder catalog;
  private final long maxUnitBytes;

  EntityLoader(ServiceClient bus, CatalogHolder catalog, long maxUnitBytes) {
    this.bus = bus;
    this.catalog = catalog;
    this.maxUnitBytes = maxUnitBytes;
  }

  /** The stored entity, or null when there is none (the unit then answers 404 in its own words). */
  Future<Entity> load(String type, String id) {
    Future<String> resolvedType = type == null ? bus.types().locate(id) : catalog.knowing(type).map(types -> {
      types.require(type);
      return type;
    });
    return resolvedType.compose(t -> t == null ? Future.succeededFuture(null) : bus.entities().get(t, id)
        .map(EntityJson::fromJson)
        .recover(err -> Problem.from(err).status() == 404 ? Future.succeededFuture(null) : Future.failedFuture(err)));
  }

  /**
   * Loads the stored entities the non-new operations name, in batches: the ids without a type are
   * located first, then each type's ids are read {@value EntityReads#IDS_PER_CALL} at a time, one
   * request in flight per transaction — a 10,000-operation transaction costs a few dozen queries in
   * sequence, never 10,000 queued at once on the shared pool.
   */
  Future<Map<String, Entity>> prefetch(List<JsonObject> operations, TransactionOperations.Resolved resolved) {
    Map<String, String> typeOf = new LinkedHashMap<>();
    Set<String> untyped = new LinkedHashSet<>();
    for (int i = 0; i < operations.size(); i++) {
      JsonObject op = operations.get(i);
      String id = resolved.ids().get(i);
      if ("new".equals(op.getString("op")) || resolved.newIds().contains(id) || typeOf.containsKey(id)
          || untyped.contains(id)) {
        continue;
      }
      if (op.getValue("type") instanceof String t) {
        try {
          catalog.current().require(t);
        } catch (UowException e) {
          throw (UowException) TransactionOperations.at(i, e);
        }
        typeOf.put(id, t);
      } else {
        untyped.add(id);
      }
    }
    return Futures.inChunks(new ArrayList<>(untyped), EntityReads.IDS_PER_CALL,
            chunk -> bus.types().locateMany(chunk).map(found -> {
              typeOf.putAll(found);
              return null;
            }))
        .compose(v -> {
          Map<String, List<String>> byType = new TreeMap<>();
          typeOf.forEach((id, type) -> byType.computeIfAbsent(type, k -> new ArrayList<>()).add(id));
          Map<String, Entity> loaded = new HashMap<>();
          long[] read = {0};
          return Futures.inOrder(byType.entrySet(), e -> Futures.inChunks(e.getValue(), EntityReads.IDS_PER_CALL,
              chunk -> bus.entities().getMany(e.getKey(), chunk, maxUnitBytes - read[0]).map(batch -> {
                batch.entities().forEach(entity -> {
                  loaded.put(entity.id(), entity);
                  read[0] += UnitWeights.weigh(entity);
                });
                // what the operations name could never fit in one unit: refused before loading the rest
                if (batch.truncated() || read[0] > maxUnitBytes) {
                  throw new UowException.LimitExceeded("the stored entities these operations name are more than "
                      + "a unit of work holds (unit_of_work.max_unit_bytes " + maxUnitBytes + ")");
                }
                return null;
              }))).map(loaded);
        });
  }

  /** The catalog knows every type the operations name; the first unknown one fails the transaction. */
  Future<TypeCatalog> knowTypes(List<JsonObject> operations) {
    Future<TypeCatalog> types = Future.succeededFuture(catalog.current());
    Set<String> named = new LinkedHashSet<>();
    for (int i = 0; i < operations.size(); i++) {
      int index = i;
      if (operations.get(i).getValue("type") instanceof String t && named.add(t)) {
        // one lookup at a time: no lookup for every other name a client makes up
        types = types.compose(c -> catalog.knowing(t).map(known -> {
          try {
            known.require(t);
          } catch (UowException e) {
            throw (UowException) TransactionOperations.at(index, e);
          }
          return known;
        }));
      }
    }
    return types;
  }
}
