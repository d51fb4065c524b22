package io.uowservice.uow;

import io.uowservice.bus.Idempotency;
import io.uowservice.bus.NodeDirectory;
import io.uowservice.bus.ServiceBinder;
import io.uowservice.bus.ServiceClient;
import io.uowservice.bus.UnitIds;
import io.uowservice.cluster.Node;
import io.uowservice.cluster.NodeFence;
import io.uowservice.bus.UnitService;
import io.uowservice.config.AppConfig;
import io.uowservice.domain.Entity;
import io.uowservice.domain.EntityFactory;
import io.uowservice.domain.EntityState;
import io.uowservice.domain.FieldError;
import io.uowservice.domain.TypeCatalog;
import io.uowservice.domain.Tracked;
import io.uowservice.domain.UnitOfWork;
import io.uowservice.domain.UowException;
import io.uowservice.events.OutboxStep;
import io.uowservice.metrics.Telemetry;
import io.uowservice.repository.CatalogHolder;
import io.uowservice.repository.CommitExecutor;
import io.uowservice.repository.CommitStep;
import io.uowservice.repository.Database;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The actor owning one shard of the units of work. Every unit lives in this verticle's maps and is
 * touched only on its event loop, so no locks: calls are handled one at a time, and the
 * asynchronous continuations (entity loads, the commit) come back to the same context. It keeps
 * the units' life and budgets; parsing ({@link Registration}), views ({@link UnitViews}), loads
 * ({@link EntityLoader}), keys ({@link IdempotentCommits}) and commits ({@link UnitCommits}) live beside it.
 */
public final class UnitOfWorkVerticle extends VerticleBase implements UnitService, UnitCommits.Sessions {

  private static final Logger LOG = LoggerFactory.getLogger(UnitOfWorkVerticle.class);

  private final Map<String, UnitOfWork> units = new HashMap<>();
  /** On a node of its own: subject → its default unit, kept by the subject's actor. */
  private final Map<String, String> defaultUnits = new HashMap<>();
  /** Clustered: the ids of the units opened as a subject's default unit, claimed in the node directory. */
  private final Set<String> claimedDefaults = new HashSet<>();
  /** unit id → the bytes of it the node budget counts. */
  private final Map<String, Long> accounted = new HashMap<>();
  private final ShardStats stats = new ShardStats();

  private AppConfig config;
  private int shard;
  private String nodeTag;
  private NodeDirectory nodes;
  private Duration idleTimeout;
  private NodeBudget budget;
  private CatalogHolder catalog;
  private Registrar registrar;
  private EntityLoader loader;
  private UnitViews views;
  private IdempotentCommits idempotency;
  private UnitCommits commits;

  @Override
  public Future<?> start() {
    config = AppConfig.from(config());
    shard = config().getInteger("shard", 0);
    nodeTag = Node.tag(vertx);
    budget = NodeBudget.of(vertx);
    idleTimeout = config.units().idleTimeout();
    long maxEntityBytes = config().getJsonObject(Database.SERVER_LIMITS, new JsonObject())
        .getLong(Database.MAX_ENTITY_BYTES, 12L * 1024 * 1024);
    registrar = new Registrar(new EntityFactory(config.limits(), config.units().defaultEntityType()), maxEntityBytes);
    views = new UnitViews(config.limits(), idleTimeout);
    Pool pool = Database.pool(vertx, config.mysql());
    idempotency = new IdempotentCommits(pool, stats);
    // the outbox rows join every commit's transaction, Kafka enabled or not (the relay is optional)
    CommitExecutor executor = new CommitExecutor(vertx, config.mysql(), List.<CommitStep>of(new OutboxStep(), new NodeFence(nodeTag)),
        new CommitExecutor.Retries(config.units().commitRetries(), Duration.ofMillis(5), Duration.ofMillis(200),
            config.units().commitTimeout()));
    long sweepEvery = Math.max(1000, Math.min(idleTimeout.toMillis() / 10, 30_000));
    vertx.setPeriodic(sweepEvery, id -> expireIdleUnits());
    return CatalogHolder.start(vertx, pool, config.units().supportedEntityTypes())
        .compose(holder -> {
          catalog = holder;
          ServiceClient bus = new ServiceClient(vertx, config.units().shards(), config.units().commitTimeout());
          nodes = bus.nodes();
          loader = new EntityLoader(bus, catalog, config.limits().maxUnitBytes());
          commits = new UnitCommits(vertx, pool, executor, catalog, stats, config.units().idempotencyRetention(), this);
          return ServiceBinder.units(vertx, nodeTag, shard, this);
        });
  }

  /** Undeployed: this shard's units leave the node's budget with it. */
  @Override
  public Future<?> stop() {
    List.copyOf(units.values()).forEach(this::remove);
    return Future.succeededFuture();
  }

  // ---- the service ----------------------------------------------------------------------------

  @Override
  public Future<JsonObject> create(String subject) {
    return Future.succeededFuture(summaryOf(open(subject)));
  }

  @Override
  public Future<JsonObject> openDefault(String subject) {
    UnitOfWork unit = open(subject);
    claimedDefaults.add(unit.id());
    return Future.succeededFuture(summaryOf(unit));
  }

  @Override
  public Future<JsonObject> stats() {
    return Future.succeededFuture(UnitViews.stats(units.values(), stats));
  }

  @Override
  public Future<JsonObject> summary(UnitCall call) {
    return onUnit(call, unit -> Future.succeededFuture(summaryOf(unit)));
  }

  @Override
  public Future<JsonObject> discard(UnitCall call) {
    return onUnit(call, unit -> {
      unit.discardAll();
      remove(unit);
      stats.discarded++;
      return Future.succeededFuture(new JsonObject());
    });
  }

  @Override
  public Future<JsonObject> register(UnitCall call, String state, JsonObject payload) {
    return onUnit(call, unit -> {
      requireNodeRoom();
      Registration r = Registration.of(EntityState.fromWire(state), payload);
      // a new entity may be of a type registered on another node a moment ago: the catalog learns it
      Future<TypeCatalog> types = r.state() == EntityState.NEW ? catalog.knowing(r.type())
          : Future.succeededFuture(catalog.current());
      Future<Entity> loaded = r.state() == EntityState.NEW || unit.isTracked(r.entityId())
          ? Future.succeededFuture(null) : loader.load(r.type(), r.entityId());
      return types.compose(t -> loaded.map(entity -> {
        JsonObject registered = UnitViews.registration(registrar.apply(unit, r, entity,
            r.state() == EntityState.NEW ? t : catalog.current(), unit::idForLid));
        return r.lid() == null ? registered : registered.put("lid", r.lid());
      }));
    });
  }

  @Override
  public Future<JsonObject> entities(UnitCall call, String state) {
    return onUnit(call, unit -> Future.succeededFuture(UnitViews.entities(unit,
        state == null ? null : EntityState.fromWire(state))));
  }

  @Override
  public Future<JsonObject> clear(UnitCall call) {
    return onUnit(call, unit -> {
      unit.discardAll();
      return Future.succeededFuture(summaryOf(unit));
    });
  }

  @Override
  public Future<Reply> commit(UnitCall call, Idempotency key) {
    return onUnit(call, unit -> {
      // frozen before the key is looked up: what the key is bound to is exactly what gets committed
      List<Tracked> entries = unit.beginCommit();
      IdempotentCommits.Request idem = IdempotentCommits.Request.of(key, unit);
      return idempotency.run(call.subject(), idem, () -> commits.commit(unit, entries, call.subject(), idem,
          (plan, started) -> UnitViews.commitResult(unit, plan, started)), unit::abortCommit);
    });
  }

  @Override
  public Future<Reply> recordedCommit(UnitCall call, Idempotency key) {
    return idempotency.recorded(call.subject(), key, () -> new UowException.Gone("unit of work " + call.unitId()
        + " was lost with its node, and no commit of it is recorded under Idempotency-Key '" + key.key()
        + "': nothing of it was committed; start a new unit"));
  }

  @Override
  public Future<JsonObject> rollback(UnitCall call, Object toSavepoint) {
    return onUnit(call, unit -> toSavepoint == null ? commits.rollback(unit, call.subject())
        : Future.succeededFuture(UnitViews.rolledBackTo(unit, unit.rollbackTo(savepointName(toSavepoint)))));
  }

  @Override
  public Future<JsonObject> savepoint(UnitCall call, Object name) {
    return onUnit(call, unit -> Future.succeededFuture(UnitViews.savepoint(unit.savepoint(savepointName(name),
        Instant.now()))));
  }

  @Override
  public Future<JsonObject> savepoints(UnitCall call) {
    return onUnit(call, unit -> Future.succeededFuture(UnitViews.savepoints(unit)));
  }

  /**
   * Applies a list of operations to a fresh unit and commits it through the same path as a session
   * unit. Temp ids: every new operation's {@code lid} is known before any operation is applied, so
   * a reference may name a lid defined later in the list.
   */
  @Override
  public Future<Reply> transact(String subject, Object rawOperations, Idempotency key) {
    requireNodeRoom();
    IdempotentCommits.Request idem = IdempotentCommits.Request.of(key, null);
    return idempotency.run(subject, idem, () -> {
      List<JsonObject> operations = TransactionOperations.parse(rawOperations, config.limits().maxEntities());
      TransactionOperations.Resolved resolved = TransactionOperations.assignIds(operations);
      UnitOfWork unit = new UnitOfWork(UUID.randomUUID().toString(), subject, Instant.now(), config.limits());
      return loader.knowTypes(operations).compose(c -> loader.prefetch(operations, resolved)).compose(loaded -> {
        for (int i = 0; i < operations.size(); i++) {
          JsonObject op = operations.get(i);
          String id = resolved.ids().get(i);
          try {
            registrar.apply(unit, Registration.ofOperation(EntityState.fromWire(op.getString("op")), op, id),
                loaded.get(id), catalog.current(), resolved.lids()::get);
          } catch (UowException e) {
            throw (UowException) TransactionOperations.at(i, e);
          }
        }
        stats.transactions++;
        // a transaction's unit lives only as long as its commit, but counts against the node meanwhile
        long held = unit.bytes();
        budget.addBytes(held);
        return commits.commit(unit, unit.beginCommit(), subject, idem,
            (plan, started) -> UnitViews.transactionResult(unit, plan, started))
            .onComplete(ar -> budget.addBytes(-held));
      });
    }, () -> { });
  }

  // ---- units and their budgets ----------------------------------------------------------------

  /** Runs {@code work} on the unit a call names, then the node budget counts what the unit holds. */
  private <T> Future<T> onUnit(UnitCall call, Function<UnitOfWork, Future<T>> work) {
    UnitOfWork unit = resolve(call.unitId(), call.subject());
    unit.touch(Instant.now());
    return work.apply(unit).onComplete(ar -> settle(unit));
  }

  @Override
  public boolean isSession(UnitOfWork unit) {
    return units.get(unit.id()) == unit;
  }

  @Override
  public void settle(UnitOfWork unit) {
    if (!isSession(unit)) {
      return; // removed meanwhile: its bytes were released then
    }
    long now = unit.bytes();
    Long was = accounted.put(unit.id(), now);
    budget.addBytes(now - (was == null ? 0 : was));
  }

  private void requireNodeRoom() {
    if (budget.bytes() > config.units().maxNodeBytes()) {
      throw new UowException.Unavailable("this node's units hold their limit of entity data "
          + "(unit_of_work.max_node_bytes " + config.units().maxNodeBytes() + "); retry later");
    }
  }

  private UnitOfWork open(String subject) {
    if (!budget.openUnit(subject, config.units().maxUnitsPerSubject())) {
      throw new UowException.LimitExceeded("a subject may have at most " + config.units().maxUnitsPerSubject()
          + " open units of work on a node (unit_of_work.max_units_per_subject): commit and discard (DELETE) one, "
          + "or let idle ones expire");
    }
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
      UnitOfWork created = open(subject);
      defaultUnits.put(subject, created.id());
      return created;
    }
    UnitOfWork unit = units.get(unitId);
    if (unit == null || !unit.owner().equals(subject)) {
      throw new UowException.NotFound("unit of work " + unitId + " does not exist or has expired");
    }
    return unit;
  }

  /** An id that names this node and this actor, so any node finds the unit from its id alone. */
  private String newUnitId() {
    return UnitIds.mint(nodeTag, shard);
  }

  private JsonObject summaryOf(UnitOfWork unit) {
    return views.summary(unit, commits.last(unit.id()));
  }

  private void remove(UnitOfWork unit) {
    units.remove(unit.id());
    release(unit);
  }

  /** A unit leaves the node: its bytes and its place among its subject's units are given back. */
  private void release(UnitOfWork unit) {
    Long was = accounted.remove(unit.id());
    budget.addBytes(-(was == null ? 0 : was));
    budget.closeUnit(unit.owner());
    commits.forget(unit.id());
    defaultUnits.remove(unit.owner(), unit.id());
    if (claimedDefaults.remove(unit.id())) {
      // best effort: a claim left behind names a unit its owner no longer has, and is replaced on use
      nodes.forgetDefault(unit.owner(), unit.id());
    }
  }

  private void expireIdleUnits() {
    Instant now = Instant.now();
    Iterator<UnitOfWork> it = units.values().iterator();
    while (it.hasNext()) {
      UnitOfWork unit = it.next();
      if (unit.isExpired(now, idleTimeout)) {
        it.remove();
        release(unit);
        stats.expired++;
        Telemetry.unitExpired();
        LOG.debug("unit of work {} expired after {} idle", unit.id(), idleTimeout);
      }
    }
  }

  private static String savepointName(Object raw) {
    if (raw instanceof String s && s.matches("[A-Za-z0-9_.:-]{1,64}")) {
      return s;
    }
    throw new UowException.Invalid("a savepoint name is 1-64 letters, digits, '_', '.', ':' or '-'",
        List.of(new FieldError("name", "must be 1-64 letters, digits, '_', '.', ':' or '-'")));
  }
}
