package io.uowservice.uow;

import io.uowservice.bus.Addresses;
import io.uowservice.bus.Addresses.RepositoryActions;
import io.uowservice.bus.Addresses.TypeActions;
import io.uowservice.bus.Addresses.UnitActions;
import io.uowservice.bus.EntityJson;
import io.uowservice.bus.Messages;
import io.uowservice.bus.Problem;
import io.uowservice.bus.Replies;
import io.uowservice.bus.RequestHashes;
import io.uowservice.config.AppConfig;
import io.uowservice.domain.Entity;
import io.uowservice.domain.EntityFactory;
import io.uowservice.domain.EntityState;
import io.uowservice.domain.FieldError;
import io.uowservice.domain.FlushPlan;
import io.uowservice.domain.FlushPlanner;
import io.uowservice.domain.Lids;
import io.uowservice.domain.Tracked;
import io.uowservice.domain.UnitOfWork;
import io.uowservice.domain.UowException;
import io.uowservice.events.DomainEvents;
import io.uowservice.events.Outbox;
import io.uowservice.events.OutboxStep;
import io.uowservice.metrics.Telemetry;
import io.uowservice.repository.CatalogHolder;
import io.uowservice.repository.CommitExecutor;
import io.uowservice.repository.CommitStep;
import io.uowservice.repository.Database;
import io.uowservice.repository.IdempotencyStore;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Supplier;
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
  /** unit id → its last commit: in progress, committed (with the response) or failed (with the problem). */
  private final Map<String, JsonObject> lastCommits = new HashMap<>();
  /** unit id → the bytes of it the node budget counts. */
  private final Map<String, Long> accounted = new HashMap<>();
  private NodeBudget budget;
  private static final long RESOLVE_EVERY_MS = 2_000;
  private static final int RESOLVE_ATTEMPTS = 30;
  private final ShardStats stats = new ShardStats();

  private AppConfig config;
  private int shard;
  private Duration idleTimeout;
  private CatalogHolder catalog;
  private EntityFactory factory;
  private CommitExecutor committer;
  private Pool pool;
  private DeliveryOptions lookupOptions;
  private long maxEntityBytes;

  @Override
  public Future<?> start() {
    config = AppConfig.from(config());
    shard = config().getInteger("shard", 0);
    budget = NodeBudget.of(vertx);
    maxEntityBytes = config().getJsonObject(Database.SERVER_LIMITS, new JsonObject())
        .getLong(Database.MAX_ENTITY_BYTES, 12L * 1024 * 1024);
    idleTimeout = config.units().idleTimeout();
    factory = new EntityFactory(config.limits(), config.units().defaultEntityType());
    pool = Database.pool(vertx, config.mysql());
    // the outbox rows join every commit's transaction, Kafka enabled or not (the relay is optional)
    committer = new CommitExecutor(vertx, pool, List.<CommitStep>of(new OutboxStep()),
        new CommitExecutor.Retries(config.units().commitRetries(), Duration.ofMillis(5), Duration.ofMillis(200),
            config.units().commitTimeout()));
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
      case UnitActions.TRANSACT -> {
        requireNodeRoom();
        IdempotencyRequest idem = IdempotencyRequest.of(body, null);
        yield idempotent(subject, idem, () -> transact(body.getValue(Messages.OPERATIONS), subject, idem));
      }
      default -> {
        UnitOfWork unit = resolve(body.getString(Messages.UNIT_ID), subject);
        unit.touch(Instant.now());
        if (UnitActions.REGISTER.equals(action)) {
          requireNodeRoom();
        }
        yield settledAfter(unit, switch (action == null ? "" : action) {
          case UnitActions.SUMMARY -> Future.succeededFuture(summary(unit));
          case UnitActions.DISCARD -> discard(unit);
          case UnitActions.REGISTER -> register(unit, body.getString(Messages.STATE),
              body.getJsonObject(Messages.PAYLOAD, new JsonObject()));
          case UnitActions.ENTITIES -> Future.succeededFuture(entities(unit, body.getString(Messages.STATE)));
          case UnitActions.CLEAR -> {
            unit.discardAll();
            yield Future.succeededFuture(summary(unit));
          }
          case UnitActions.ROLLBACK -> body.getValue(Messages.TO_SAVEPOINT) == null
              ? rollback(unit, subject)
              : Future.succeededFuture(rollbackTo(unit, body.getValue(Messages.TO_SAVEPOINT)));
          case UnitActions.SAVEPOINT -> Future.succeededFuture(savepoint(unit, body.getValue(Messages.NAME)));
          case UnitActions.SAVEPOINTS -> Future.succeededFuture(savepoints(unit));
          case UnitActions.COMMIT -> {
            // frozen before the key is looked up: what the key is bound to is exactly what gets committed
            List<Tracked> entries = unit.beginCommit();
            IdempotencyRequest idem = IdempotencyRequest.of(body, unit);
            yield idempotent(subject, idem, () -> commit(unit, entries, subject, idem,
                (plan, started) -> commitResult(plan, started, unit)), unit::abortCommit);
          }
          default -> Future.failedFuture(new IllegalArgumentException("unknown unit action " + action));
        });
      }
    });
  }

  private void requireNodeRoom() {
    if (budget.bytes() > config.units().maxNodeBytes()) {
      throw new UowException.Unavailable("this node's units hold their limit of entity data "
          + "(unit_of_work.max_node_bytes " + config.units().maxNodeBytes() + "); retry later");
    }
  }

  /** Once {@code work} is done, the node budget counts what the unit holds now. */
  private Future<?> settledAfter(UnitOfWork unit, Future<?> work) {
    return work.onComplete(ar -> settle(unit));
  }

  private void settle(UnitOfWork unit) {
    if (units.get(unit.id()) != unit) {
      return; // removed meanwhile: its bytes were released then
    }
    long now = unit.bytes();
    Long was = accounted.put(unit.id(), now);
    budget.addBytes(now - (was == null ? 0 : was));
  }

  /** Undeployed: this shard's units leave the node's budget with it. */
  @Override
  public Future<?> stop() {
    List.copyOf(units.values()).forEach(this::remove);
    return Future.succeededFuture();
  }

  // ---- unit lifecycle -------------------------------------------------------------------------

  private UnitOfWork create(String subject) {
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
    release(unit);
    lastCommits.remove(unit.id());
    defaultUnits.remove(unit.owner(), unit.id());
  }

  /** A unit leaves the node: its bytes and its place among its subject's units are given back. */
  private void release(UnitOfWork unit) {
    Long was = accounted.remove(unit.id());
    budget.addBytes(-(was == null ? 0 : was));
    budget.closeUnit(unit.owner());
  }

  private void expireIdleUnits() {
    Instant now = Instant.now();
    Iterator<UnitOfWork> it = units.values().iterator();
    while (it.hasNext()) {
      UnitOfWork unit = it.next();
      if (unit.isExpired(now, idleTimeout)) {
        it.remove();
        release(unit);
        defaultUnits.remove(unit.owner(), unit.id());
        lastCommits.remove(unit.id());
        stats.expired++;
        Telemetry.unitExpired();
        LOG.debug("unit of work {} expired after {} idle", unit.id(), idleTimeout);
      }
    }
  }

  // ---- registration ---------------------------------------------------------------------------

  private Future<JsonObject> register(UnitOfWork unit, String stateName, JsonObject payload) {
    EntityState state = EntityState.fromWire(stateName);
    if (state == EntityState.NEW) {
      Object type = payload.getValue("type");
      List<FieldError> lidErrors = new ArrayList<>();
      String lid = Lids.parse(payload.getValue("lid"), lidErrors);
      if (!lidErrors.isEmpty()) {
        throw new UowException.Invalid("invalid lid", lidErrors);
      }
      return catalog.knowing(type instanceof String s ? s : null).map(types -> {
        Entity entity = storable(factory.create(EntityJson.plainMap(payload), types, unit::idForLid));
        JsonObject registered = registration(unit.registerNew(entity, lid));
        return lid == null ? registered : registered.put("lid", lid);
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
      case DIRTY -> unit.registerDirty(entityId, type, entity, current -> storable(factory.applyChanges(current,
          EntityJson.plainMap((JsonObject) changes), catalog.current(), unit::idForLid)), expectedVersion);
      case DELETED -> unit.registerDeleted(entityId, type, entity, expectedVersion);
      case CLEAN -> unit.registerClean(entityId, type, entity);
      case NEW -> throw new IllegalStateException();
    }));
  }

  /**
   * An entity no commit could write (its row, or its event, larger than the database accepts in
   * one statement) is refused when registered, not at every commit attempt.
   */
  private Entity storable(Entity entity) {
    int bytes = EntityJson.toJson(entity).toBuffer().length();
    if (bytes > maxEntityBytes) {
      throw new UowException.LimitExceeded(entity.type() + " " + entity.id() + " is " + bytes + " bytes as JSON; the "
          + "database accepts at most " + maxEntityBytes + " per entity (its max_allowed_packet)");
    }
    return entity;
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
    return EntityJson.toJson(r.entity()).put("state", r.state().wireName());
  }

  // ---- commit and rollback --------------------------------------------------------------------

  /**
   * Commits {@code unit} in one transaction. {@code view} shapes the success body (a unit commit or
   * a transaction); with an idempotency key that body is also stored in the same transaction.
   */
  private Future<JsonObject> commit(UnitOfWork unit, List<Tracked> entries, String actor, IdempotencyRequest idem,
      BiFunction<FlushPlan, Long, JsonObject> view) {
    long started = System.nanoTime();
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
    JsonObject[] response = new JsonObject[1];
    Supplier<JsonObject> body = () -> {
      if (response[0] == null) {
        response[0] = view.apply(plan, started);
      }
      return response[0];
    };
    // an empty commit writes nothing: its key is not spent on it
    List<CommitStep> perCommit = idem == null || entries.isEmpty() ? List.of()
        : List.of(IdempotencyStore.record(actor, idem.key(), idem.hash(), idem.scope(), 200, body,
            config.units().idempotencyRetention()));
    String progress = Addresses.progress(unit.id());
    int total = plan.writes().stream().mapToInt(batch -> batch.entities().size()).sum();
    int[] done = {0};
    publishProgress(progress, "started", 0, total);
    noteCommit(unit, new JsonObject().put("status", "committing").put("started_at", EntityJson.time(at)));
    return committer.execute(new CommitStep.Context(unit.id(), actor, plan, at, events), perCommit, rows -> {
          done[0] = rows;
          publishProgress(progress, "writing", rows, total);
        })
        .map(v -> {
          unit.completeCommit();
          stats.commits++;
          Telemetry.commit("committed", Duration.ofNanos(System.nanoTime() - started));
          publishProgress(progress, "committed", total, total);
          events.forEach(event -> vertx.eventBus().publish(Addresses.EVENTS, event));
          noteCommit(unit, new JsonObject().put("status", "committed").put("at", EntityJson.time(at))
              .put("result", summaryOf(body.get())));
          return body.get();
        })
        .recover(err -> {
          if (err instanceof UowException.OutcomeUnknown) {
            // the unit stays frozen until the database tells what happened to it
            noteCommit(unit, new JsonObject().put("status", "unknown").put("at", EntityJson.time(at))
                .put("problem", Problem.from(err).toJson()));
            Telemetry.commit("unknown", Duration.ofNanos(System.nanoTime() - started));
            publishProgress(progress, "unknown", done[0], total);
            resolveLater(unit, events.get(events.size() - 1).getString("event_id"), body, events, 0);
            return Future.failedFuture(err);
          }
          unit.abortCommit();
          if (err instanceof UowException.StaleVersions) {
            stats.conflicts++;
          }
          stats.failedCommits++;
          Telemetry.commit(err instanceof UowException.StaleVersions ? "conflict"
              : err instanceof UowException.OutcomeUnknown ? "unknown"
              : err instanceof UowException && !(err instanceof UowException.Unavailable) ? "rejected" : "failed",
              Duration.ofNanos(System.nanoTime() - started));
          publishProgress(progress, "failed", done[0], total);
          boolean unknown = err instanceof UowException.OutcomeUnknown;
          if (err instanceof UowException) { // others are logged and answered once, where the reply is sent
            noteCommit(unit, new JsonObject().put("status", unknown ? "unknown" : "failed")
                .put("at", EntityJson.time(at)).put("problem", Problem.from(err).toJson()));
          } else {
            noteCommit(unit, new JsonObject().put("status", "failed").put("at", EntityJson.time(at)));
          }
          return Future.failedFuture(err);
        });
  }

  /**
   * After a COMMIT that got no answer: asks the database, a few seconds apart, whether the commit's
   * {@code unit_of_work.committed} event row exists (it is written in the commit's own transaction, so
   * it exists if and only if the commit landed). Found: the unit completes as committed. Absent once the
   * connection is gone: it did not land, the unit opens again as it was. No answer within
   * {@value #RESOLVE_ATTEMPTS} tries: the unit opens again and its summary keeps saying unknown.
   */
  private void resolveLater(UnitOfWork unit, String eventId, Supplier<JsonObject> body, List<JsonObject> events,
      int attempt) {
    vertx.setTimer(RESOLVE_EVERY_MS, t -> Outbox.contains(pool, eventId).onComplete(ar -> {
      if (unit.status() != UnitOfWork.Status.COMMITTING) {
        return;
      }
      if (ar.succeeded() && ar.result()) {
        unit.completeCommit();
        stats.commits++;
        noteCommit(unit, new JsonObject().put("status", "committed").put("at", EntityJson.time(Instant.now()))
            .put("result", summaryOf(body.get())).put("resolved", true));
        events.forEach(event -> vertx.eventBus().publish(Addresses.EVENTS, event));
        settle(unit);
      } else if (ar.succeeded() && attempt >= 1) {
        unit.abortCommit();
        stats.failedCommits++;
        noteCommit(unit, new JsonObject().put("status", "failed").put("at", EntityJson.time(Instant.now()))
            .put("resolved", true).put("problem", Problem.from(new UowException.Unavailable(
                "the commit did not land (its answer was lost); nothing was written, retry it")).toJson()));
      } else if (attempt + 1 < RESOLVE_ATTEMPTS) {
        resolveLater(unit, eventId, body, events, attempt + 1);
      } else {
        unit.abortCommit();
        LOG.warn("unit of work {}: the outcome of its commit is still unknown after {} checks", unit.id(),
            RESOLVE_ATTEMPTS);
      }
    }));
  }

  /** A commit's response as the summary keeps it: whole when small, else without its per-entity list. */
  private static JsonObject summaryOf(JsonObject response) {
    JsonArray entities = response.getJsonArray("entities");
    if (entities == null || entities.size() <= 100) {
      return response;
    }
    JsonObject kept = response.copy();
    kept.remove("entities");
    return kept.put("entities_omitted", entities.size());
  }

  /** Remembers a session unit's last commit for its summary (a transaction's unit has no summary). */
  private void noteCommit(UnitOfWork unit, JsonObject outcome) {
    if (units.get(unit.id()) == unit) {
      lastCommits.put(unit.id(), outcome);
    }
  }

  /**
   * An Idempotency-Key, the hash of what it commits ({@code hash}) and of the request it came with
   * ({@code scope}); null when the request had none. A transaction's content is its body, so both
   * are the body's hash; a unit's commit is bound to the unit's content at the moment it arrives.
   * {@code unit} is that unit (null for a transaction): a replay that matches its content empties it,
   * as the replayed commit did.
   */
  private record IdempotencyRequest(String key, String hash, String scope, UnitOfWork unit) {
    static IdempotencyRequest of(JsonObject body, UnitOfWork unit) {
      String key = body.getString(Messages.IDEMPOTENCY_KEY);
      if (key == null) {
        return null;
      }
      String request = body.getString(Messages.REQUEST_HASH, "");
      return new IdempotencyRequest(key, unit == null ? request : RequestHashes.content(request, unit.fingerprint()),
          request, unit);
    }
  }

  /**
   * Runs {@code execute} at most once per (subject, key): a stored outcome is replayed (same
   * request) or refused with 422 (another request); a concurrent duplicate that lost the race for
   * the key replays the winner's outcome.
   */
  private Future<Object> idempotent(String subject, IdempotencyRequest idem, Supplier<Future<JsonObject>> execute) {
    return idempotent(subject, idem, execute, () -> { });
  }

  /** As above; {@code notRun} is called when {@code execute} will not run (a replay, a failed lookup). */
  private Future<Object> idempotent(String subject, IdempotencyRequest idem, Supplier<Future<JsonObject>> execute,
      Runnable notRun) {
    if (idem == null) {
      return execute.get().map(body -> body);
    }
    return IdempotencyStore.find(pool, subject, idem.key(), Instant.now()).onFailure(err -> notRun.run())
        .compose(found -> {
      if (found.isPresent()) {
        notRun.run();
        return replay(found.get(), idem);
      }
      return execute.get().<Object>map(body -> body).recover(err -> {
        if (!(err instanceof IdempotencyStore.KeyTaken)) {
          return Future.failedFuture(err);
        }
        return IdempotencyStore.find(pool, subject, idem.key(), Instant.now()).compose(winner -> winner.isPresent()
            ? replay(winner.get(), idem)
            : Future.failedFuture(new UowException.InProgress("a request with the same Idempotency-Key is in "
                + "progress; retry later to get its outcome")));
      });
    });
  }

  /**
   * The stored outcome, when the key was first used for this same content, or for this same unit
   * that its commit left empty (a retry after the response was lost); anything else under the key
   * is another request: 422, nothing replayed, nothing written.
   */
  private Future<Object> replay(IdempotencyStore.Outcome outcome, IdempotencyRequest idem) {
    boolean sameContent = outcome.requestHash().equals(idem.hash());
    boolean sameUnitSinceEmptied = idem.unit() != null && idem.unit().isEmpty()
        // records from before scopes existed were bound to the request alone
        && idem.scope().equals(outcome.scopeHash() != null ? outcome.scopeHash() : outcome.requestHash());
    if (!sameContent && !sameUnitSinceEmptied) {
      return Future.failedFuture(new UowException.Invalid("Idempotency-Key '" + idem.key()
          + "' was already used with a different request" + (idem.unit() != null
              ? " (another unit, or this unit with other content than the commit it recorded)" : ""),
          List.of(new FieldError("Idempotency-Key", idem.unit() != null
              ? "already used to commit other content" : "already used with a different request body"))));
    }
    if (sameContent && idem.unit() != null && !idem.unit().isEmpty()
        && idem.unit().status() == UnitOfWork.Status.OPEN) {
      idem.unit().discardAll(); // the recorded commit already wrote exactly this content
    }
    stats.replays++;
    Telemetry.idempotentReplay();
    return Future.succeededFuture(new Replies.WithHeaders(outcome.response(), Map.of(Replies.REPLAYED, "true")));
  }

  // ---- one-round-trip transactions ------------------------------------------------------------

  /**
   * Applies a list of operations to a fresh unit and commits it through the same path as a session
   * unit. Temp ids: every new operation's {@code lid} is known before any operation is applied, so
   * a reference may name a lid defined later in the list.
   */
  private Future<JsonObject> transact(Object rawOperations, String subject, IdempotencyRequest idem) {
    List<JsonObject> operations = TransactionOperations.parse(rawOperations, config.limits().maxEntities());
    TransactionOperations.Resolved resolved = TransactionOperations.assignIds(operations);
    UnitOfWork unit = new UnitOfWork(UUID.randomUUID().toString(), subject, Instant.now(), config.limits());
    Future<io.uowservice.domain.TypeCatalog> types = Future.succeededFuture(catalog.current());
    java.util.Set<String> named = new java.util.LinkedHashSet<>();
    for (int i = 0; i < operations.size(); i++) {
      int index = i;
      if (operations.get(i).getValue("type") instanceof String t && named.add(t)) {
        // the first unknown type fails the transaction: no lookup for every other name a client makes up
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
    return types.compose(c -> prefetch(operations, resolved))
        .compose(loaded -> {
          for (int i = 0; i < operations.size(); i++) {
            apply(unit, operations.get(i), resolved, loaded, i);
          }
          stats.transactions++;
          // a transaction's unit lives only as long as its commit, but counts against the node meanwhile
          long held = unit.bytes();
          budget.addBytes(held);
          return commit(unit, unit.beginCommit(), subject, idem,
              (plan, started) -> transactionResult(unit, plan, started))
              .onComplete(ar -> budget.addBytes(-held));
        });
  }

  /**
   * Loads the stored entities the non-new operations name, in batches: the ids without a type are
   * located first, then each type's ids are read {@value Messages#IDS_PER_MESSAGE} at a time, one
   * request in flight per transaction — a 10,000-operation transaction costs a few dozen queries in
   * sequence, never 10,000 queued at once on the shared pool.
   */
  private Future<Map<String, Entity>> prefetch(List<JsonObject> operations, TransactionOperations.Resolved resolved) {
    Map<String, String> typeOf = new java.util.LinkedHashMap<>();
    java.util.Set<String> untyped = new java.util.LinkedHashSet<>();
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
    return inChunks(new ArrayList<>(untyped), chunk -> request(Addresses.TYPES, TypeActions.LOCATE_MANY,
            new JsonObject().put(Messages.IDS, new JsonArray(chunk)))
        .map(reply -> {
          reply.getJsonObject(Messages.TYPES, new JsonObject()).forEach(e -> typeOf.put(e.getKey(), (String) e.getValue()));
          return null;
        }))
        .compose(v -> {
          Map<String, List<String>> byType = new java.util.TreeMap<>();
          typeOf.forEach((id, type) -> byType.computeIfAbsent(type, k -> new ArrayList<>()).add(id));
          Map<String, Entity> loaded = new HashMap<>();
          long[] read = {0};
          long budget = config.limits().maxUnitBytes();
          Future<Void> chain = Future.succeededFuture();
          for (Map.Entry<String, List<String>> e : byType.entrySet()) {
            chain = chain.compose(x -> inChunks(e.getValue(), chunk -> request(
                Addresses.repository(Tables.repositoryOf(e.getKey())), RepositoryActions.GET_MANY,
                new JsonObject().put(Messages.TYPE, e.getKey()).put(Messages.IDS, new JsonArray(chunk))
                    .put(Messages.MAX_BYTES, budget - read[0]))
                .map(reply -> {
                  reply.getJsonArray(Messages.ITEMS, new JsonArray()).forEach(item -> {
                    Entity entity = EntityJson.fromJson((JsonObject) item);
                    loaded.put(entity.id(), entity);
                    read[0] += UnitOfWork.weigh(entity);
                  });
                  // what the operations name could never fit in one unit: refused before loading the rest
                  if (reply.getBoolean(Messages.TRUNCATED, false) || read[0] > budget) {
                    throw new UowException.LimitExceeded("the stored entities these operations name are more than "
                        + "a unit of work holds (unit_of_work.max_unit_bytes " + budget + ")");
                  }
                  return null;
                })));
          }
          return chain.map(loaded);
        });
  }

  /** Runs {@code step} over {@code ids} a message's worth at a time, one after the other. */
  private static Future<Void> inChunks(List<String> ids, java.util.function.Function<List<Object>, Future<Void>> step) {
    Future<Void> chain = Future.succeededFuture();
    for (int from = 0; from < ids.size(); from += Messages.IDS_PER_MESSAGE) {
      List<Object> chunk = new ArrayList<>(ids.subList(from, Math.min(ids.size(), from + Messages.IDS_PER_MESSAGE)));
      chain = chain.compose(v -> step.apply(chunk));
    }
    return chain;
  }

  private Future<JsonObject> request(String address, String action, JsonObject body) {
    return vertx.eventBus().<JsonObject>request(address, body,
        new DeliveryOptions(lookupOptions).addHeader(Addresses.ACTION, action)).map(Message::body);
  }

  private void apply(UnitOfWork unit, JsonObject op, TransactionOperations.Resolved resolved, Map<String, Entity> loaded,
      int index) {
    String id = resolved.ids().get(index);
    try {
      String type = optionalType(op);
      Long expected = expectedVersion(op);
      switch (op.getString("op")) {
        case "new" -> unit.registerNew(storable(factory.create(EntityJson.plainMap(op.copy().put("id", id)),
            catalog.current(), resolved.lids()::get)), op.getString("lid"));
        case "dirty" -> {
          Object changes = op.getValue("changes");
          if (changes != null && !(changes instanceof JsonObject)) {
            throw new UowException.Invalid("changes must be a JSON object",
                List.of(new FieldError("changes", "must be a JSON object")));
          }
          unit.registerDirty(id, type, loaded.get(id), current -> storable(factory.applyChanges(current,
              EntityJson.plainMap((JsonObject) changes), catalog.current(), resolved.lids()::get)), expected);
        }
        case "deleted" -> unit.registerDeleted(id, type, loaded.get(id), expected);
        case "clean" -> unit.registerClean(id, type, loaded.get(id));
        default -> throw new IllegalStateException("unparsed op");
      }
    } catch (UowException e) {
      throw (UowException) TransactionOperations.at(index, e);
    }
  }

  private static JsonObject transactionResult(UnitOfWork unit, FlushPlan plan, long startedNanos) {
    return new JsonObject()
        .put("transaction_id", unit.id())
        .put("results", EntityJson.committed(plan))
        .put("duration_ms", millisSince(startedNanos));
  }

  // ---- savepoints -----------------------------------------------------------------------------

  private static JsonObject savepoint(UnitOfWork unit, Object rawName) {
    String name = savepointName(rawName);
    return savepointJson(unit.savepoint(name, Instant.now()));
  }

  private static JsonObject savepoints(UnitOfWork unit) {
    JsonArray items = new JsonArray();
    unit.savepoints().forEach(sp -> items.add(savepointJson(sp)));
    return new JsonObject().put("items", items);
  }

  private static JsonObject rollbackTo(UnitOfWork unit, Object rawName) {
    UnitOfWork.Savepoint restored = unit.rollbackTo(savepointName(rawName));
    return new JsonObject().put("unit_of_work_id", unit.id()).put("to_savepoint", restored.name())
        .put("counts", countsJson(unit.counts()));
  }

  private static String savepointName(Object raw) {
    if (raw instanceof String s && s.matches("[A-Za-z0-9_.:-]{1,64}")) {
      return s;
    }
    throw new UowException.Invalid("a savepoint name is 1-64 letters, digits, '_', '.', ':' or '-'",
        List.of(new FieldError("name", "must be 1-64 letters, digits, '_', '.', ':' or '-'")));
  }

  private static JsonObject savepointJson(UnitOfWork.Savepoint sp) {
    return new JsonObject().put("name", sp.name()).put("created_at", EntityJson.time(sp.createdAt()))
        .put("counts", countsJson(sp.counts()));
  }

  /**
   * A commit-progress frame for live clients (SockJS {@code uow.progress.<unit id>}); {@code done} counts
   * rows written so far, a few frames per commit (one per write batch), never one per row. Publishing
   * to an address nobody listens to costs next to nothing, so it is not made conditional.
   */
  private void publishProgress(String address, String phase, int done, int total) {
    vertx.eventBus().publish(address, new JsonObject().put("phase", phase).put("done", done).put("total", total));
  }

  private static JsonObject commitResult(FlushPlan plan, long startedNanos, UnitOfWork unit) {
    return new JsonObject()
        .put("unit_of_work_id", unit.id())
        .put("committed", EntityJson.committedCounts(plan))
        .put("entities", EntityJson.committed(plan))
        .put("duration_ms", millisSince(startedNanos));
  }

  private static double millisSince(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1_000_000.0;
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
    Telemetry.rollback();
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
        .put("bytes", unit.bytes())
        .put("max_bytes", config.limits().maxUnitBytes())
        .put("created_at", EntityJson.time(unit.createdAt()))
        .put("last_activity_at", EntityJson.time(unit.lastActivity()))
        .put("expires_at", EntityJson.time(unit.expiresAt(idleTimeout)))
        .put("last_commit", lastCommits.get(unit.id()));
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
        .put("conflicts", stats.conflicts)
        .put("transactions", stats.transactions)
        .put("idempotent_replays", stats.replays);
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
    long transactions;
    long replays;
  }
}
