package io.uowservice.bus;

import io.uowservice.api.EntityJson;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The serving end of the bus protocol: puts an implementation of a service interface on its
 * address, decodes each message into a call and its outcome into the reply. The verticles that
 * implement the services never see a message, a header or a field name.
 */
public final class ServiceBinder {

  private ServiceBinder() {
  }

  /** Actor {@code shard} of node {@code nodeTag}, reachable from every node of a cluster. */
  public static Future<Void> units(Vertx vertx, String nodeTag, int shard, UnitService units) {
    SharedJsonCodec.registerOn(vertx);
    // the actor builds each reply for its caller, and what it keeps of one (a unit's last commit) it
    // never changes again; the callers (HTTP, Kafka) only read replies: handed over as they are
    return bind(vertx, Addresses.unitShard(nodeTag, shard), Scope.CLUSTER, true, (action, b) -> {
      UnitService.UnitCall call = new UnitService.UnitCall(b.getString(Wire.SUBJECT, "anonymous"),
          b.getString(Wire.UNIT_ID));
      return switch (action) {
        case Wire.Units.CREATE -> units.create(call.subject());
        case Wire.Units.OPEN_DEFAULT -> units.openDefault(call.subject());
        case Wire.Units.RECORDED_COMMIT -> units.recordedCommit(call, idempotency(b));
        case Wire.Units.STATS -> units.stats();
        case Wire.Units.TRANSACT -> units.transact(call.subject(), b.getValue(Wire.OPERATIONS), idempotency(b));
        case Wire.Units.SUMMARY -> units.summary(call);
        case Wire.Units.DISCARD -> units.discard(call);
        case Wire.Units.REGISTER -> units.register(call, b.getString(Wire.STATE),
            b.getJsonObject(Wire.PAYLOAD, new JsonObject()));
        case Wire.Units.ENTITIES -> units.entities(call, b.getString(Wire.STATE));
        case Wire.Units.CLEAR -> units.clear(call);
        case Wire.Units.COMMIT -> units.commit(call, idempotency(b));
        case Wire.Units.ROLLBACK -> units.rollback(call, b.getValue(Wire.TO_SAVEPOINT));
        case Wire.Units.SAVEPOINT -> units.savepoint(call, b.getValue(Wire.NAME));
        case Wire.Units.SAVEPOINTS -> units.savepoints(call);
        default -> unknown(action);
      };
    });
  }

  /** The reads of the types {@code repositoryType} is in charge of ({@link Addresses#repositoryOf}). */
  public static Future<Void> entityReads(Vertx vertx, String repositoryType, EntityReads reads) {
    SharedJsonCodec.registerOn(vertx);
    // every read's reply is built from the rows for its caller: handed over as it is, not copied
    return bind(vertx, Addresses.repository(repositoryType), Scope.NODE, true, (action, b) -> {
      String type = b.getString(Wire.TYPE);
      String id = b.getString(Wire.ID);
      return switch (action) {
        case Wire.Reads.GET -> reads.get(type, id);
        case Wire.Reads.GET_MANY -> reads.getMany(type, ids(b), b.getLong(Wire.MAX_BYTES, Long.MAX_VALUE))
            .map(batch -> {
              JsonArray items = new JsonArray();
              batch.entities().forEach(e -> items.add(EntityJson.toJson(e)));
              return new JsonObject().put(Wire.ITEMS, items).put(Wire.TRUNCATED, batch.truncated());
            });
        case Wire.Reads.EXISTS -> reads.exists(type, id).map(exists -> new JsonObject().put(Wire.EXISTS, exists));
        case Wire.Reads.LIST -> reads.list(type, filters(b), b.getInteger(Wire.LIMIT, 50), b.getString(Wire.AFTER));
        case Wire.Reads.COUNT -> reads.count(type, filters(b));
        default -> unknown(action);
      };
    });
  }

  public static Future<Void> types(Vertx vertx, TypeRegistry types) {
    return bind(vertx, Addresses.TYPES, (action, b) -> switch (action) {
      case Wire.Types.REGISTER -> types.register(b);
      case Wire.Types.LIST -> types.list().map(items -> new JsonObject().put(Wire.ITEMS, items));
      case Wire.Types.DESCRIBE -> types.describe(b.getString(Wire.TYPE));
      case Wire.Types.LOCATE -> types.locate(b.getString(Wire.ID)).map(t -> new JsonObject().put(Wire.TYPE, t));
      case Wire.Types.LOCATE_MANY -> types.locateMany(ids(b)).map(found -> {
        JsonObject out = new JsonObject();
        found.forEach(out::put);
        return new JsonObject().put(Wire.TYPES, out);
      });
      case Wire.Types.PING -> types.ping().map(v -> new JsonObject());
      default -> unknown(action);
    });
  }

  public static Future<Void> outbox(Vertx vertx, OutboxAdmin outbox) {
    return bind(vertx, Addresses.OUTBOX, (action, b) -> switch (action) {
      case Wire.Outbox.DEAD_LETTERS -> outbox.deadLetters(b.getInteger(Wire.LIMIT, 100))
          .map(items -> new JsonObject().put(Wire.ITEMS, items));
      case Wire.Outbox.RETRY -> outbox.retry(b.getLong(Wire.ID, -1L));
      case Wire.Outbox.COUNT_DEAD -> outbox.countDeadLetters().map(n -> new JsonObject().put(Wire.DEAD_LETTERS, n));
      default -> unknown(action);
    });
  }

  public static Future<Void> nodes(Vertx vertx, NodeDirectory nodes) {
    return bind(vertx, Addresses.NODES, (action, b) -> switch (action) {
      case Wire.Nodes.KNOWN -> nodes.known(b.getString(Wire.TAG, "")).map(k -> new JsonObject().put(Wire.KNOWN, k));
      case Wire.Nodes.DEFAULT_UNIT -> nodes.defaultUnit(b.getString(Wire.SUBJECT)).map(d -> d == null
          ? new JsonObject() : new JsonObject().put(Wire.UNIT_ID, d.unitId()).put(Wire.LOST, d.lost()));
      case Wire.Nodes.MARK_LOST -> nodes.markLost(b.getString(Wire.SUBJECT), b.getString(Wire.UNIT_ID))
          .map(v -> new JsonObject());
      case Wire.Nodes.FENCE -> nodes.fence(b.getString(Wire.TAG, "")).map(v -> new JsonObject());
      case Wire.Nodes.CLAIM_DEFAULT -> nodes.claimDefault(b.getString(Wire.SUBJECT), b.getString(Wire.UNIT_ID))
          .map(id -> new JsonObject().put(Wire.UNIT_ID, id));
      case Wire.Nodes.FORGET_DEFAULT -> nodes.forgetDefault(b.getString(Wire.SUBJECT), b.getString(Wire.UNIT_ID))
          .map(v -> new JsonObject());
      default -> unknown(action);
    });
  }

  /** The bridge's live-update counters. */
  public static Future<Void> liveStats(Vertx vertx, Supplier<JsonObject> stats) {
    return bind(vertx, Addresses.LIVE_STATS, (action, b) -> Future.succeededFuture(stats.get()));
  }

  private interface Dispatch {
    Future<?> call(String action, JsonObject body);
  }

  /** Who may call a service: every node of a cluster, or only the node it runs on. */
  private enum Scope { CLUSTER, NODE }

  private static Future<Void> bind(Vertx vertx, String address, Dispatch dispatch) {
    return bind(vertx, address, Scope.NODE, false, dispatch);
  }

  private static Future<Void> bind(Vertx vertx, String address, Scope scope, boolean freshReplies,
      Dispatch dispatch) {
    io.vertx.core.Handler<Message<JsonObject>> handler = message -> {
      JsonObject body = message.body() == null ? new JsonObject() : message.body();
      String action = message.headers().get(Wire.ACTION);
      Replies.answer(message, () -> dispatch.call(action == null ? "" : action, body), freshReplies);
    };
    return (scope == Scope.CLUSTER ? vertx.eventBus().consumer(address, handler)
        : vertx.eventBus().localConsumer(address, handler)).completion();
  }

  private static Future<Object> unknown(String action) {
    return Future.failedFuture(new IllegalArgumentException("unknown call '" + action + "'"));
  }

  private static Idempotency idempotency(JsonObject body) {
    String key = body.getString(Wire.IDEMPOTENCY_KEY);
    return key == null ? null : new Idempotency(key, body.getString(Wire.REQUEST_HASH, ""));
  }

  private static List<String> ids(JsonObject body) {
    JsonArray ids = body.getJsonArray(Wire.IDS, new JsonArray());
    if (ids.size() > EntityReads.IDS_PER_CALL) {
      throw new IllegalArgumentException("at most " + EntityReads.IDS_PER_CALL + " ids per call");
    }
    List<String> out = new ArrayList<>();
    ids.forEach(id -> out.add(String.valueOf(id)));
    return out;
  }

  private static Map<String, String> filters(JsonObject body) {
    Map<String, String> filters = new LinkedHashMap<>();
    body.getJsonObject(Wire.FILTERS, new JsonObject()).forEach(e -> filters.put(e.getKey(), String.valueOf(e.getValue())));
    return filters;
  }
}
