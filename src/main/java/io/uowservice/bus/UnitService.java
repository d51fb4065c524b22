package io.uowservice.bus;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * What the UnitOfWork actors offer: the life of a unit (register, savepoints, commit, rollback)
 * and the one-round-trip transaction. Implemented by the actor and, over the event bus, by
 * {@link ServiceClient#units()}, which routes each call to the actor owning its unit. Replies are
 * the API's JSON; failures carry a problem ({@link io.uowservice.api.Problem}). Arguments a
 * client wrote ({@code operations}, a savepoint name) travel as given: the actor checks them.
 */
public interface UnitService {

  /** A new unit owned by {@code subject}: its summary. */
  Future<JsonObject> create(String subject);

  /**
   * Clustered mode: a new unit that is to be {@code subject}'s default unit (its owner forgets the
   * subject's claim on it in the {@link NodeDirectory} when the unit goes).
   */
  Future<JsonObject> openDefault(String subject);

  /** The counters of the units (summed over every actor by the client). */
  Future<JsonObject> stats();

  /** The operations of a {@code POST /api/v1/transactions} body as one unit, committed at once. */
  Future<Reply> transact(String subject, Object operations, Idempotency idempotency);

  Future<JsonObject> summary(UnitCall call);

  /** Forgets the unit and everything it holds. */
  Future<JsonObject> discard(UnitCall call);

  /** Registers an entity as new, dirty, deleted or clean ({@code state}, wire name). */
  Future<JsonObject> register(UnitCall call, String state, JsonObject payload);

  /** The tracked entities: all sets ({@code state} null) or one set as {@code {items}}. */
  Future<JsonObject> entities(UnitCall call, String state);

  /** Forgets every tracked entity; the unit stays open. */
  Future<JsonObject> clear(UnitCall call);

  Future<Reply> commit(UnitCall call, Idempotency idempotency);

  /**
   * The commit of a unit lost with its node, retried under an Idempotency-Key on another node: the
   * outcome recorded under the key when that commit landed (a replay), else a 410 — nothing of the
   * unit was committed under that key.
   */
  Future<Reply> recordedCommit(UnitCall call, Idempotency idempotency);

  /** Discards the unit's changes, all of them ({@code toSavepoint} null) or back to a savepoint. */
  Future<JsonObject> rollback(UnitCall call, Object toSavepoint);

  Future<JsonObject> savepoint(UnitCall call, Object name);

  /** The unit's savepoints as {@code {items}}. */
  Future<JsonObject> savepoints(UnitCall call);

  /** Which unit a call is for: {@code unitId}, or (null) {@code subject}'s default unit. */
  record UnitCall(String subject, String unitId) {
  }

  /** A commit's answer; {@code replayed}: it is the stored outcome of an earlier request with the same key. */
  record Reply(JsonObject body, boolean replayed) {
  }
}
