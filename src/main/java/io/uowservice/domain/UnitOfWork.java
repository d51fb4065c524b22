package io.uowservice.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * One unit of work: an identity map (one entry per entity id) whose entries sit in one of the four
 * sets. Not thread-safe by design: exactly one actor owns it.
 *
 * <p>Identity-map rules for a second registration of the same id: new+dirty stays new with the
 * changes merged; new+deleted drops the entity; dirty+deleted and clean+deleted become deleted;
 * clean+dirty becomes dirty; dirty/deleted on an entity already deleted is a conflict (deleted
 * again is a no-op); registering an already tracked id as new is a conflict.
 */
public final class UnitOfWork {

  public enum Status { OPEN, COMMITTING }

  /** What a registration left in the unit; {@code tracked} is absent when the entity left the unit. */
  public record Registration(Optional<Tracked> tracked, Entity entity, EntityState state) {
  }

  private final String id;
  private final String owner;
  private final Instant createdAt;
  private final UnitLimits limits;
  private final LinkedHashMap<String, Tracked> identityMap = new LinkedHashMap<>();
  private final Map<String, String> idsByLid = new HashMap<>();
  private final Savepoints savepoints;
  private final UnitWeights weights;
  private Instant lastActivity;
  private Status status = Status.OPEN;

  public UnitOfWork(String id, String owner, Instant createdAt, UnitLimits limits) {
    this.id = id;
    this.owner = owner;
    this.createdAt = createdAt;
    this.lastActivity = createdAt;
    this.limits = limits;
    this.weights = new UnitWeights(limits.maxUnitBytes());
    this.savepoints = new Savepoints(limits.maxSavepoints());
  }

  public String id() {
    return id;
  }

  public String owner() {
    return owner;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public Instant lastActivity() {
    return lastActivity;
  }

  public Status status() {
    return status;
  }

  public void touch(Instant now) {
    lastActivity = now;
  }

  public Instant expiresAt(Duration idleTimeout) {
    return lastActivity.plus(idleTimeout);
  }

  public boolean isExpired(Instant now, Duration idleTimeout) {
    return status == Status.OPEN && !now.isBefore(expiresAt(idleTimeout));
  }

  public boolean isTracked(String entityId) {
    return identityMap.containsKey(entityId);
  }

  public Optional<Tracked> tracked(String entityId) {
    return Optional.ofNullable(identityMap.get(entityId));
  }

  public int size() {
    return identityMap.size();
  }

  /**
   * What the unit's entity copies weigh: the characters of their text fields, metadata and
   * attributes as JSON. Bounded by {@link UnitLimits#maxUnitBytes()}; the service sums it over
   * its units for its node-wide budget.
   */
  public long bytes() {
    return weights.total();
  }

  public Registration registerNew(Entity entity, String lid) {
    ensureOpen();
    Tracked existing = identityMap.get(entity.id());
    if (existing != null) {
      throw new UowException.Conflict(entity.type() + " " + entity.id() + " is already registered in this unit as "
          + existing.state().wireName());
    }
    if (lid != null && idsByLid.containsKey(lid)) {
      throw new UowException.Invalid("lid '" + lid + "' is defined twice in this unit",
          List.of(new FieldError("lid", "'" + lid + "' already names entity " + idsByLid.get(lid))));
    }
    ensureRoom();
    Tracked tracked = new Tracked(entity, EntityState.NEW, 0, lid);
    account(tracked);
    identityMap.put(entity.id(), tracked);
    if (lid != null) {
      idsByLid.put(lid, entity.id());
    }
    return new Registration(Optional.of(tracked), entity, EntityState.NEW);
  }

  /** The id of the new entity registered with {@code lid}, or null. */
  public String idForLid(String lid) {
    return idsByLid.get(lid);
  }

  /**
   * Marks an entity dirty and applies {@code change} to the unit's copy. {@code loaded} is the
   * stored entity, needed only when the id is not tracked yet (the identity map wins otherwise).
   */
  public Registration registerDirty(String entityId, String type, Entity loaded, UnaryOperator<Entity> change,
      Long expectedVersion) {
    ensureOpen();
    Tracked current = trackedOrLoaded(entityId, type, loaded);
    Tracked next = switch (current.state()) {
      case DELETED -> throw new UowException.Conflict(current.type() + " " + entityId
          + " is registered as deleted in this unit and cannot become dirty");
      case NEW -> current.with(change.apply(current.entity()), EntityState.NEW, 0);
      case DIRTY, CLEAN -> current.with(change.apply(current.entity()), EntityState.DIRTY,
          expectedVersion != null ? expectedVersion : current.expectedVersion());
    };
    return put(next);
  }

  public Registration registerDeleted(String entityId, String type, Entity loaded, Long expectedVersion) {
    ensureOpen();
    Tracked current = trackedOrLoaded(entityId, type, loaded);
    switch (current.state()) {
      case NEW -> {
        identityMap.remove(entityId);
        weights.removed(entityId, !savepoints.isEmpty());
        if (current.lid() != null) {
          idsByLid.remove(current.lid());
        }
        return new Registration(Optional.empty(), current.entity(), EntityState.DELETED);
      }
      case DELETED -> {
        if (expectedVersion != null && expectedVersion != current.expectedVersion()) {
          return put(current.with(current.entity(), EntityState.DELETED, expectedVersion));
        }
        return new Registration(Optional.of(current), current.entity(), EntityState.DELETED);
      }
      default -> {
        return put(current.with(current.entity(), EntityState.DELETED,
            expectedVersion != null ? expectedVersion : current.expectedVersion()));
      }
    }
  }

  /** Tracks a stored entity unchanged; an id already tracked keeps its state (deleted ones conflict). */
  public Registration registerClean(String entityId, String type, Entity loaded) {
    ensureOpen();
    Tracked current = trackedOrLoaded(entityId, type, loaded);
    if (current.state() == EntityState.DELETED) {
      throw new UowException.Conflict(current.type() + " " + entityId + " is registered as deleted in this unit");
    }
    return put(current);
  }

  public List<Tracked> entities() {
    return List.copyOf(identityMap.values());
  }

  public List<Tracked> entities(EntityState state) {
    List<Tracked> out = new ArrayList<>();
    for (Tracked t : identityMap.values()) {
      if (t.state() == state) {
        out.add(t);
      }
    }
    return out;
  }

  public Map<EntityState, Integer> counts() {
    return EntityState.countsOf(identityMap.values());
  }

  public boolean isEmpty() {
    return identityMap.isEmpty();
  }

  /** The unit's content as one deterministic text ({@link CanonicalText#fingerprint}). */
  public String fingerprint() {
    return CanonicalText.fingerprint(identityMap.values());
  }

  /** Empties the unit (savepoints too) and says what it held. */
  public Map<EntityState, Integer> discardAll() {
    ensureOpen();
    Map<EntityState, Integer> counts = counts();
    clearAll();
    return counts;
  }

  // ---- savepoints --------------------------------------------------------------------------------

  /** Marks the unit's current sets; a savepoint of the same name is replaced (as in SQL). */
  public Savepoint savepoint(String name, Instant at) {
    ensureOpen();
    savepoints.requireRoomFor(name);
    weights.savepointTaken(name, identityMap.size());
    return savepoints.add(name, at, snapshot());
  }

  public List<Savepoint> savepoints() {
    return savepoints.all();
  }

  /** Restores the sets as they were at {@code name}; that savepoint stays, later ones are dropped. */
  public Savepoint rollbackTo(String name) {
    ensureOpen();
    Savepoint target = savepoints.rollBackTo(name, weights::savepointDropped);
    if (target == null) {
      throw new UowException.NotFound("no savepoint '" + name + "' in unit of work " + id);
    }
    restoreEntries(target.entries(), name);
    return target;
  }

  /** The unit's entries, frozen; nothing may change the unit until the commit completes or aborts. */
  public List<Tracked> beginCommit() {
    ensureOpen();
    status = Status.COMMITTING;
    return entities();
  }

  /** The commit landed: the unit is empty and reusable. */
  public void completeCommit() {
    requireCommitting();
    clearAll();
    status = Status.OPEN;
  }

  /** The commit failed: everything stays registered so the client can fix it or roll back. */
  public void abortCommit() {
    requireCommitting();
    status = Status.OPEN;
  }

  public Map<String, Tracked> snapshot() {
    return new LinkedHashMap<>(identityMap);
  }

  public void restore(Map<String, Tracked> snapshot) {
    ensureOpen();
    restoreEntries(snapshot, null);
  }

  /** {@code savepoint}: the one the entries come from (null: a snapshot, weighed again). */
  private void restoreEntries(Map<String, Tracked> entries, String savepoint) {
    identityMap.clear();
    identityMap.putAll(entries);
    weights.restore(entries.values(), savepoint);
    idsByLid.clear();
    entries.values().forEach(t -> {
      if (t.lid() != null && t.state() == EntityState.NEW) {
        idsByLid.put(t.lid(), t.id());
      }
    });
  }

  private void clearAll() {
    identityMap.clear();
    weights.clear();
    idsByLid.clear();
    savepoints.clear();
  }

  private Tracked trackedOrLoaded(String entityId, String type, Entity loaded) {
    Tracked tracked = identityMap.get(entityId);
    if (tracked != null) {
      if (type != null && !type.equals(tracked.type())) {
        throw new UowException.Invalid("entity " + entityId + " is a " + tracked.type() + ", not a " + type,
            List.of(new FieldError("type", "does not match the tracked entity's type " + tracked.type())));
      }
      return tracked;
    }
    if (loaded == null) {
      throw new UowException.NotFound("no " + (type == null ? "entity" : type) + " with id " + entityId);
    }
    if (type != null && !type.equals(loaded.type())) {
      throw new UowException.NotFound("no " + type + " with id " + entityId);
    }
    ensureRoom();
    return new Tracked(loaded, EntityState.CLEAN, loaded.version(), null);
  }

  private Registration put(Tracked tracked) {
    account(tracked);
    identityMap.put(tracked.id(), tracked);
    return new Registration(Optional.of(tracked), tracked.entity(), tracked.state());
  }

  /** Counts {@code tracked}'s weight; with a savepoint taken, the copy it replaces may live on in it. */
  private void account(Tracked tracked) {
    Tracked current = identityMap.get(tracked.id());
    weights.account(tracked, !savepoints.isEmpty() && current != null && current.entity() != tracked.entity());
  }

  private void ensureRoom() {
    if (identityMap.size() >= limits.maxEntities()) {
      throw new UowException.LimitExceeded("a unit of work holds at most " + limits.maxEntities() + " entities");
    }
  }

  private void ensureOpen() {
    if (status == Status.COMMITTING) {
      throw new UowException.Conflict("unit of work " + id + " is being committed; retry when the commit completes");
    }
  }

  private void requireCommitting() {
    if (status != Status.COMMITTING) {
      throw new IllegalStateException("unit of work " + id + " is not committing");
    }
  }
}
