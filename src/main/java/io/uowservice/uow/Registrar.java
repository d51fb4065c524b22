package io.uowservice.uow;

import io.uowservice.api.EntityJson;
import io.uowservice.domain.Entity;
import io.uowservice.domain.EntityFactory;
import io.uowservice.domain.TypeCatalog;
import io.uowservice.domain.UnitOfWork;
import io.uowservice.domain.UnitWeights;
import io.uowservice.domain.UowException;
import java.util.function.Function;

/**
 * Applies a {@link Registration} to a unit: builds the new entity or the change with the entity
 * factory, and refuses an entity no commit could write. The one path of the session API and of a
 * transaction's operations.
 */
final class Registrar {

  private final EntityFactory factory;
  private final long maxEntityBytes;

  Registrar(EntityFactory factory, long maxEntityBytes) {
    this.factory = factory;
    this.maxEntityBytes = maxEntityBytes;
  }

  /**
   * {@code loaded}: the stored entity a non-new registration names, null when none was loaded (the
   * unit tracks it already, or there is none: the unit answers 404 in its own words); {@code lids}
   * resolves the temp ids its references may use.
   */
  UnitOfWork.Registration apply(UnitOfWork unit, Registration r, Entity loaded, TypeCatalog types,
      Function<String, String> lids) {
    return switch (r.state()) {
      case NEW -> unit.registerNew(storable(factory.create(EntityJson.plainMap(r.fields()), types, lids)), r.lid());
      case DIRTY -> unit.registerDirty(r.entityId(), r.type(), loaded, current -> storable(factory.applyChanges(current,
          EntityJson.plainMap(r.changes()), types, lids)), r.expectedVersion());
      case DELETED -> unit.registerDeleted(r.entityId(), r.type(), loaded, r.expectedVersion());
      case CLEAN -> unit.registerClean(r.entityId(), r.type(), loaded);
    };
  }

  /**
   * An entity no commit could write (its row, or its event, larger than the database accepts in
   * one statement) is refused when registered, not at every commit attempt.
   */
  private Entity storable(Entity entity) {
    // a bound first: no character takes more than 6 bytes as JSON (an escaped control character), and
    // the fields' names, version and timestamps fit in 1 KiB; only an entity that may be too large is encoded
    if (6 * UnitWeights.weigh(entity) + 1024 <= maxEntityBytes) {
      return entity;
    }
    int bytes = EntityJson.toJson(entity).toBuffer().length();
    if (bytes > maxEntityBytes) {
      throw new UowException.LimitExceeded(entity.type() + " " + entity.id() + " is " + bytes + " bytes as JSON; the "
          + "database accepts at most " + maxEntityBytes + " per entity (its max_allowed_packet)");
    }
    return entity;
  }
}
