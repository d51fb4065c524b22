package io.uowservice.bus;

import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link UnitService} over the bus. A unit's calls go to the actor its id routes to, the default
 * unit's to the actor its subject routes to; new units and keyless transactions spread over all
 * actors; a transaction's retries under one Idempotency-Key reach the same actor, whatever the
 * channel (HTTP or Kafka), so its twin in flight is seen.
 */
final class UnitsOverBus implements UnitService {

  private final ServiceClient bus;
  private final int shards;

  UnitsOverBus(ServiceClient bus, int shards) {
    this.bus = bus;
    this.shards = shards;
  }

  @Override
  public Future<JsonObject> create(String subject) {
    return bus.request(shard(subject + ":" + System.nanoTime()), Wire.Units.CREATE,
        new JsonObject().put(Wire.SUBJECT, subject));
  }

  @Override
  public Future<JsonObject> stats() {
    List<Future<JsonObject>> each = new ArrayList<>();
    for (int i = 0; i < shards; i++) {
      each.add(bus.request(Addresses.unitShard(i), Wire.Units.STATS, new JsonObject()));
    }
    return Future.all(each).map(all -> {
      JsonObject total = new JsonObject();
      for (int i = 0; i < all.size(); i++) {
        sum(total, all.resultAt(i));
      }
      return total.put("shards", all.size());
    });
  }

  @Override
  public Future<Reply> transact(String subject, Object operations, Idempotency idempotency) {
    String routing = idempotency != null ? subject + "\n" + idempotency.key() : subject + ":" + System.nanoTime();
    JsonObject body = withKey(new JsonObject().put(Wire.SUBJECT, subject).put(Wire.OPERATIONS, operations),
        idempotency);
    return outcome(bus.exchange(shard(routing), Wire.Units.TRANSACT, body));
  }

  @Override
  public Future<JsonObject> summary(UnitCall call) {
    return onUnit(call, Wire.Units.SUMMARY, new JsonObject());
  }

  @Override
  public Future<JsonObject> discard(UnitCall call) {
    return onUnit(call, Wire.Units.DISCARD, new JsonObject());
  }

  @Override
  public Future<JsonObject> register(UnitCall call, String state, JsonObject payload) {
    return onUnit(call, Wire.Units.REGISTER, new JsonObject().put(Wire.STATE, state).put(Wire.PAYLOAD, payload));
  }

  @Override
  public Future<JsonObject> entities(UnitCall call, String state) {
    return onUnit(call, Wire.Units.ENTITIES, new JsonObject().put(Wire.STATE, state));
  }

  @Override
  public Future<JsonObject> clear(UnitCall call) {
    return onUnit(call, Wire.Units.CLEAR, new JsonObject());
  }

  @Override
  public Future<Reply> commit(UnitCall call, Idempotency idempotency) {
    JsonObject body = withKey(unitBody(call), idempotency);
    return outcome(bus.exchange(owner(call), Wire.Units.COMMIT, body));
  }

  @Override
  public Future<JsonObject> rollback(UnitCall call, Object toSavepoint) {
    return onUnit(call, Wire.Units.ROLLBACK, new JsonObject().put(Wire.TO_SAVEPOINT, toSavepoint));
  }

  @Override
  public Future<JsonObject> savepoint(UnitCall call, Object name) {
    return onUnit(call, Wire.Units.SAVEPOINT, new JsonObject().put(Wire.NAME, name));
  }

  @Override
  public Future<JsonObject> savepoints(UnitCall call) {
    return onUnit(call, Wire.Units.SAVEPOINTS, new JsonObject());
  }

  private Future<JsonObject> onUnit(UnitCall call, String action, JsonObject body) {
    return bus.request(owner(call), action, body.mergeIn(unitBody(call)));
  }

  private static JsonObject unitBody(UnitCall call) {
    return new JsonObject().put(Wire.SUBJECT, call.subject()).put(Wire.UNIT_ID, call.unitId());
  }

  private String owner(UnitCall call) {
    return shard(call.unitId() != null ? call.unitId() : call.subject());
  }

  private String shard(String routingKey) {
    return Addresses.unitShard(Addresses.shardOf(routingKey, shards));
  }

  private static JsonObject withKey(JsonObject body, Idempotency idempotency) {
    return idempotency == null ? body
        : body.put(Wire.IDEMPOTENCY_KEY, idempotency.key()).put(Wire.REQUEST_HASH, idempotency.requestHash());
  }

  private static Future<Reply> outcome(Future<Message<JsonObject>> reply) {
    return Replies.outcomeUnknownOnTimeout(reply)
        .map(m -> new Reply(m.body(), "true".equals(m.headers().get(Wire.REPLAYED))));
  }

  /** Adds numeric leaves of {@code add} into {@code into}, recursively. */
  private static void sum(JsonObject into, JsonObject add) {
    add.forEach(e -> {
      if (e.getValue() instanceof JsonObject nested) {
        JsonObject target = into.getJsonObject(e.getKey());
        if (target == null) {
          target = new JsonObject();
          into.put(e.getKey(), target);
        }
        sum(target, nested);
      } else if (e.getValue() instanceof Number n) {
        into.put(e.getKey(), into.getLong(e.getKey(), 0L) + n.longValue());
      }
    });
  }
}
