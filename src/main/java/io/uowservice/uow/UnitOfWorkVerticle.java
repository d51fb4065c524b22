package io.uowservice.uow;

import io.uowservice.bus.Addresses;
import io.uowservice.bus.Addresses.RepositoryActions;
import io.uowservice.bus.Addresses.TypeActions;
import io.uowservice.bus.Addresses.UnitActions;
import io.uowservice.bus.EntityJson;
import io.uowservice.bus.Messages;
import io.uowservice.bus.Replies;
import io.uowservice.config.AppConfig;
import io.uowservice.domain.Entity;
import io.uowservice.domain.EntityFactory;
import io.uowservice.domain.EntityState;
import io.uowservice.domain.FieldError;
import io.uowservice.domain.FlushPlan;
import io.uowservice.domain.FlushPlanner;
import io.uowservice.domain.Tracked;
import io.uowservice.domain.UnitOfWork;
import io.uowservice.domain.UowException;
import io.uowservice.events.DomainEvents;
import io.uowservice.events.Outbox;
import io.uowservice.events.OutboxStep;
import io.uowservice.repository.CatalogHolder;
import io.uowservice.repository.CommitExecutor;
import io.uowservice.repository.CommitStep;
import io.uowservice.repository.Database;
import io.uowservice.repository.Tables;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The actor owning one shard of the units of work. Every unit lives in this verticle's maps and is
 * touched only on its event loop, so no locks: messages are handled one at a time, and the
 * asynchronous continuations (entity loads, the commit) come back to the same context.
 */
public final class UnitOfWorkVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(UnitOfWorkVerticle.class);

  private final Map<String, UnitOfWork> units = new HashMap<>();
  private final Map<String, String> defaultUnits = new HashMap<>();
  private final ShardStats stats = new ShardStats();

  private AppConfig config;
  private int shard;
  private Duration idleTimeout;
  private CatalogHolder catalog;
  private EntityFactory factory;
  private CommitExecutor committer;
  private Pool pool;
  private DeliveryOptions lookupOptions;

  @Override
  public Future<?> start() {
    config = AppConfig.from(config());
    shard = config().getInteger("shard", 0);
    idleTimeout = config.units().idleTimeout();
    factory = new EntityFactory(config.limits(), config.units().defaultEntityType());
    pool = Database.pool(vertx, config.mysql());
    // the outbox rows join every commit's transaction, Kafka enabled or not (the relay is optional)
    committer = new CommitExecutor(pool, List.<CommitStep>of(new OutboxStep()));
    lookupOptions = new DeliveryOptions().setSendTimeout(config.units().commitTimeout().toMillis());
    long sweepEvery = Math.max(1000, Math.min(idleTimeout.toMillis() / 10, 30_000));
    vertx.setPeriodic(sweepEvery, id -> expireIdleUnits());
    return CatalogHolder.start(vertx, pool, config.units().supportedEntityTypes())
        .compose(holder -> {
          catalog = holder;
          return vertx.eventBus().<JsonObject>consumer(Addresses.unitShard(shard), this::handle).completion();
        });
  }

  private void handle(Message<JsonObject> message) {
    JsonObject body = message.body() == null ? new JsonObject() : message.body();
    String action = message.headers().get(Addresses.ACTION);
    String subject = body.getString(Messages.SUBJECT, "anonymous");
    Replies.answer(message, () -> switch (action == null ? "" : action) {
      case UnitActions.CREATE -> Future.succeededFuture(summary(create(subject)));
      case UnitActions.STATS -> Future.succeededFuture(statsJson());
      default -> {
        UnitOfWork unit = resolve(body.getString(Messages.UNIT_ID), subject);
        unit.touch(Instant.now());
        yield switch (action == null ? "" : action) {
          case UnitActions.SUMMARY -> Future.succeededFuture(summary(unit));
          case UnitActions.DISCARD -> discard(unit);
          case UnitActions.REGISTER -> register(unit, body.getString(Messages.STATE),
              body.getJsonObject(Messages.PAYLOAD, new JsonObject()));
          case UnitActions.ENTITIES -> Future.succeededFuture(entities(unit, body.getString(Messages.STATE)));
          case UnitActions.CLEAR -> {
            unit.discardAll();
            yield Future.succeededFuture(summary(unit));
          }
          case UnitActions.ROLLBACK -> rollback(unit, subject);
          case UnitActions.COMMIT -> commit(unit, subject);
          default -> Future.failedFuture(new IllegalArgumentException("unknown unit action " + action));
        };
      }
    });
  }

  // ---- unit lifecycle -------------------------------------------------------------------------

  private UnitOfWork create(String subject) {
    UnitOfWork unit = new UnitOfWork(newUnitId(), subject, Instant.now(), config.limits());
    units.put(unit.id(), unit);
    stats.created++;
    return unit;
  }

  /** A unit named by id (only its owner sees it), or the subject's default unit, created on first use. */
  private UnitOfWork resolve(String unitId, String subject) {
    if (unitId == null) {
      UnitOfWork existing = units.get(defaultUnits.getOrDefault(subject, ""));
      if (existing != null) {
        return existing;
      }
      UnitOfWork created = create(subject);
      defaultUnits.put(subject, created.id());
      return created;
    }
    UnitOfWork unit = units.get(unitId);
    if (unit == null || !unit.owner().equals(subject)) {
      throw new UowException.NotFound("unit of work " + unitId + " does not exist or has expired");
    }
    return unit;
  }

  /** Ids are UUIDs that route to this shard, so any node can find a unit from its id alone. */
  private String newUnitId() {
    int shards = config.units().shards();
    while (true) {
      String id = UUID.randomUUID().toString();
      if (Addresses.shardOf(id, shards) == shard) {
        return id;
      }
    }
  }

  private Future<JsonObject> discard(UnitOfWork unit) {
    unit.discardAll();
    remove(unit);
    stats.discarded++;
    return Future.succeededFuture(new JsonObject());
  }

  private void remove(UnitOfWork unit) {
    units.remove(unit.id());
    defaultUnits.remove(unit.owner(), unit.id());
  }

  private void expireIdleUnits() {
    Instant now = Instant.now();
    Iterator<UnitOfWork> it = units.values().iterator();
    while (it.hasNext()) {
      UnitOfWork unit = it.next();
      if (unit.isExpired(now, idleTimeout)) {
        it.remove();
        defaultUnits.remove(unit.owner(), unit.id());
        stats.expired++;
        LOG.debug("unit of work {} expired after {} idle", unit.id(), idleTimeout);
      }
    }
  }

  // ---- registration ---------------------------------------------------------------------------

  private Future<JsonObject> register(UnitOfWork unit, String stateName, JsonObject payload) {
    EntityState state = EntityState.fromWire(stateName);
    if (state == EntityState.NEW) {
      Object type = payload.getValue("type");
      return catalog.knowing(type instanceof String s ? s : null).map(types -> {
        Entity entity = factory.create(EntityJson.plainMap(payload), types);
        return registration(unit.registerNew(entity, null));
      });
    }
    String entityId = requiredId(payload);
    String type = optionalType(payload);
    Long expectedVersion = expectedVersion(payload);
    Object changes = payload.getValue("changes");
    if (changes != null && !(changes instanceof JsonObject)) {
      throw new UowException.Invalid("changes must be a JSON object", List.of(new FieldError("changes",
          "must be a JSON object")));
    }
    Future<Entity> loaded = unit.isTracked(entityId) ? Future.succeededFuture(null) : load(type, entityId);
    return loaded.map(entity -> registration(switch (state) {
      case DIRTY -> unit.registerDirty(entityId, type, entity, current -> factory.applyChanges(current,
          EntityJson.plainMap((JsonObject) changes), catalog.current()), expectedVersion);
      case DELETED -> unit.registerDeleted(entityId, type, entity, expectedVersion);
      case CLEAN -> unit.registerClean(entityId, type, entity);
      case NEW -> throw new IllegalStateException();
    }));
  }

  private static String requiredId(JsonObject payload) {
    Object id = payload.getValue("entity_id");
    if (id == null) {
      id = payload.getValue("id");
    }
    if (!(id instanceof String s) || s.isBlank()) {
      throw new UowException.Invalid("entity_id is required", List.of(new FieldError("entity_id",
          "is required: the id of a stored entity")));
    }
    return s;
  }

  private String optionalType(JsonObject payload) {
    Object type = payload.getValue("type");
    if (type == null) {
      return null;
    }
    if (!(type instanceof String s)) {
      throw new UowException.Invalid("type must be a string", List.of(new FieldError("type", "must be a string")));
    }
    return s;
  }

  private static Long expectedVersion(JsonObject payload) {
    Object v = payload.getValue("expected_version");
    if (v == null) {
      return null;
    }
    if ((v instanceof Integer || v instanceof Long) && ((Number) v).longValue() >= 0) {
      return ((Number) v).longValue();
    }
    throw new UowException.Invalid("expected_version must be a non-negative integer",
        List.of(new FieldError("expected_version", "must be a non-negative integer")));
  }

  /** The stored entity, or null when there is none (the unit then answers 404 in its own words). */
  private Future<Entity> load(String type, String id) {
    Future<String> resolvedType;
    if (type != null) {
      resolvedType = catalog.knowing(type).map(types -> {
        types.require(type);
        return type;
      });
    } else {
      resolvedType = vertx.eventBus().<JsonObject>request(Addresses.TYPES, new JsonObject().put(Messages.ID, id),
              new DeliveryOptions(lookupOptions).addHeader(Addresses.ACTION, TypeActions.LOCATE))
          .map(reply -> reply.body().getString(Messages.TYPE));
    }
    return resolvedType.compose(t -> {
      if (t == null) {
        return Future.succeededFuture(null);
      }
      return vertx.eventBus().<JsonObject>request(Addresses.repository(Tables.repositoryOf(t)),
              new JsonObject().put(Messages.TYPE, t).put(Messages.ID, id),
              new DeliveryOptions(lookupOptions).addHeader(Addresses.ACTION, RepositoryActions.GET))
          .map(reply -> EntityJson.fromJson(reply.body()))
          .recover(err -> err instanceof ReplyException re && re.failureCode() == 404
              ? Future.succeededFuture(null) : Future.failedFuture(err));
    });
  }

  private static JsonObject registration(UnitOfWork.Registration r) {
    return EntityJson.toJson(r.entity()).put("state", r.state().wireName())
        .put("in_unit", r.tracked().isPresent());
  }

  // ---- commit and rollback --------------------------------------------------------------------

  private Future<JsonObject> commit(UnitOfWork unit, String actor) {
    long started = System.nanoTime();
    List<Tracked> entries = unit.beginCommit();
    FlushPlan plan;
    try {
      plan = FlushPlanner.plan(entries, catalog.current());
    } catch (RuntimeException e) {
      unit.abortCommit();
      stats.failedCommits++;
      return Future.failedFuture(e);
    }
    Instant at = Instant.now();
    List<JsonObject> events = DomainEvents.ofCommit(unit.id(), actor, plan, at);
    return committer.execute(new CommitStep.Context(unit.id(), actor, plan, at, events))
        .map(v -> {
          unit.completeCommit();
          stats.commits++;
          events.forEach(event -> vertx.eventBus().publish(Addresses.EVENTS, event));
          return commitResult(unit, plan, started);
        })
        .recover(err -> {
          unit.abortCommit();
          if (err instanceof UowException.StaleVersions) {
            stats.conflicts++;
          }
          stats.failedCommits++;
          return Future.failedFuture(err);
        });
  }

  private static JsonObject commitResult(UnitOfWork unit, FlushPlan plan, long startedNanos) {
    JsonArray entities = new JsonArray();
    for (FlushPlan.Committed c : plan.results()) {
      JsonObject e = new JsonObject().put("id", c.id()).put("type", c.type()).put("version", c.version())
          .put("state", c.state().wireName());
      if (c.lid() != null) {
        e.put("lid", c.lid());
      }
      entities.add(e);
    }
    return new JsonObject()
        .put("unit_of_work_id", unit.id())
        .put("committed", new JsonObject()
            .put("new", plan.count(FlushPlan.Operation.INSERT))
            .put("dirty", plan.count(FlushPlan.Operation.UPDATE))
            .put("deleted", plan.count(FlushPlan.Operation.DELETE)))
        .put("entities", entities)
        .put("duration_ms", (System.nanoTime() - startedNanos) / 1_000_000.0);
  }

  /**
   * Discards the unit, writes {@code unit_of_work.rolled_back} to the outbox (its own small insert:
   * nothing else is written), then announces it. The discard happened in memory and cannot be
   * undone, so a failed insert is logged and the rollback still succeeds; the live update still goes out.
   */
  private Future<JsonObject> rollback(UnitOfWork unit, String actor) {
    Instant at = Instant.now();
    Map<EntityState, Integer> discarded = unit.discardAll();
    stats.rollbacks++;
    JsonObject event = DomainEvents.rolledBack(unit.id(), actor, discarded, at);
    JsonObject reply = new JsonObject().put("unit_of_work_id", unit.id()).put("discarded", countsJson(discarded));
    return Outbox.insert(pool, List.of(event), at)
        .onFailure(err -> LOG.error("unit of work {} rolled back, but its event could not be written to the outbox",
            unit.id(), err))
        .transform(ar -> {
          vertx.eventBus().publish(Addresses.EVENTS, event);
          return Future.succeededFuture(reply);
        });
  }

  // ---- views ----------------------------------------------------------------------------------

  private JsonObject summary(UnitOfWork unit) {
    return new JsonObject()
        .put("id", unit.id())
        .put("state", unit.status().name().toLowerCase(java.util.Locale.ROOT))
        .put("owner", unit.owner())
        .put("counts", countsJson(unit.counts()))
        .put("size", unit.size())
        .put("max_entities", config.limits().maxEntities())
        .put("created_at", EntityJson.time(unit.createdAt()))
        .put("last_activity_at", EntityJson.time(unit.lastActivity()))
        .put("expires_at", EntityJson.time(unit.expiresAt(idleTimeout)));
  }

  private static JsonObject entities(UnitOfWork unit, String stateName) {
    if (stateName != null) {
      JsonArray items = new JsonArray();
      unit.entities(EntityState.fromWire(stateName)).forEach(t -> items.add(EntityJson.toJson(t)));
      return new JsonObject().put("items", items);
    }
    JsonObject sets = new JsonObject();
    for (EntityState s : EntityState.values()) {
      sets.put(s.wireName(), new JsonArray());
    }
    unit.entities().forEach(t -> sets.getJsonArray(t.state().wireName()).add(EntityJson.toJson(t)));
    return sets;
  }

  private static JsonObject countsJson(Map<EntityState, Integer> counts) {
    JsonObject json = new JsonObject();
    for (EntityState s : EntityState.values()) {
      json.put(s.wireName(), counts.getOrDefault(s, 0));
    }
    return json;
  }

  private JsonObject statsJson() {
    JsonObject entities = new JsonObject();
    for (EntityState s : EntityState.values()) {
      entities.put(s.wireName(), 0);
    }
    int committing = 0;
    for (UnitOfWork unit : units.values()) {
      unit.counts().forEach((s, n) -> entities.put(s.wireName(), entities.getInteger(s.wireName()) + n));
      if (unit.status() == UnitOfWork.Status.COMMITTING) {
        committing++;
      }
    }
    return new JsonObject()
        .put("units", new JsonObject().put("open", units.size()).put("committing", committing)
            .put("created", stats.created).put("expired", stats.expired).put("discarded", stats.discarded))
        .put("entities", entities)
        .put("commits", stats.commits)
        .put("failed_commits", stats.failedCommits)
        .put("rollbacks", stats.rollbacks)
        .put("conflicts", stats.conflicts);
  }

  /** Counters of this shard; summed over shards by the stats endpoint. */
  private static final class ShardStats {
    long created;
    long expired;
    long discarded;
    long commits;
    long failedCommits;
    long rollbacks;
    long conflicts;
  }
}
