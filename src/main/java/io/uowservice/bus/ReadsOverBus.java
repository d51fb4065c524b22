package io.uowservice.bus;

import io.uowservice.api.EntityJson;
import io.uowservice.domain.Entity;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@link EntityReads}, {@link TypeRegistry} and {@link OutboxAdmin} over the bus. */
final class ReadsOverBus implements EntityReads {

  private final ServiceClient bus;

  ReadsOverBus(ServiceClient bus) {
    this.bus = bus;
  }

  @Override
  public Future<JsonObject> get(String type, String id) {
    return read(type, Wire.Reads.GET, new JsonObject().put(Wire.TYPE, type).put(Wire.ID, id));
  }

  @Override
  public Future<Batch> getMany(String type, List<String> ids, long maxBytes) {
    return read(type, Wire.Reads.GET_MANY, new JsonObject().put(Wire.TYPE, type).put(Wire.IDS, new JsonArray(
        new ArrayList<>(ids))).put(Wire.MAX_BYTES, maxBytes)).map(reply -> {
          List<Entity> entities = new ArrayList<>();
          reply.getJsonArray(Wire.ITEMS, new JsonArray()).forEach(item -> entities.add(EntityJson.fromJson((JsonObject) item)));
          return new Batch(entities, reply.getBoolean(Wire.TRUNCATED, false));
        });
  }

  @Override
  public Future<Boolean> exists(String type, String id) {
    return read(type, Wire.Reads.EXISTS, new JsonObject().put(Wire.TYPE, type).put(Wire.ID, id))
        .map(reply -> reply.getBoolean(Wire.EXISTS, false));
  }

  @Override
  public Future<JsonObject> list(String type, Map<String, String> filters, int limit, String after) {
    return read(type, Wire.Reads.LIST, new JsonObject().put(Wire.TYPE, type).put(Wire.FILTERS, filters(filters))
        .put(Wire.LIMIT, limit).put(Wire.AFTER, after));
  }

  @Override
  public Future<JsonObject> count(String type, Map<String, String> filters) {
    return read(type, Wire.Reads.COUNT, new JsonObject().put(Wire.TYPE, type).put(Wire.FILTERS, filters(filters)));
  }

  private Future<JsonObject> read(String type, String action, JsonObject body) {
    return bus.request(Addresses.repository(Addresses.repositoryOf(type)), action, body);
  }

  private static JsonObject filters(Map<String, String> filters) {
    JsonObject json = new JsonObject();
    filters.forEach(json::put);
    return json;
  }

  TypeRegistry types() {
    return new TypeRegistry() {
      @Override
      public Future<JsonObject> register(JsonObject definition) {
        return bus.request(Addresses.TYPES, Wire.Types.REGISTER, definition);
      }

      @Override
      public Future<JsonArray> list() {
        return bus.request(Addresses.TYPES, Wire.Types.LIST, new JsonObject())
            .map(reply -> reply.getJsonArray(Wire.ITEMS, new JsonArray()));
      }

      @Override
      public Future<JsonObject> describe(String type) {
        return bus.request(Addresses.TYPES, Wire.Types.DESCRIBE, new JsonObject().put(Wire.TYPE, type));
      }

      @Override
      public Future<String> locate(String id) {
        return bus.request(Addresses.TYPES, Wire.Types.LOCATE, new JsonObject().put(Wire.ID, id))
            .map(reply -> reply.getString(Wire.TYPE));
      }

      @Override
      public Future<Map<String, String>> locateMany(List<String> ids) {
        return bus.request(Addresses.TYPES, Wire.Types.LOCATE_MANY, new JsonObject()
            .put(Wire.IDS, new JsonArray(new ArrayList<>(ids)))).map(reply -> {
              Map<String, String> types = new LinkedHashMap<>();
              reply.getJsonObject(Wire.TYPES, new JsonObject()).forEach(e -> types.put(e.getKey(), (String) e.getValue()));
              return types;
            });
      }

      @Override
      public Future<Void> ping() {
        return bus.request(Addresses.TYPES, Wire.Types.PING, new JsonObject()).mapEmpty();
      }
    };
  }

  OutboxAdmin outbox() {
    return new OutboxAdmin() {
      @Override
      public Future<JsonArray> deadLetters(int limit) {
        return bus.request(Addresses.OUTBOX, Wire.Outbox.DEAD_LETTERS, new JsonObject().put(Wire.LIMIT, limit))
            .map(reply -> reply.getJsonArray(Wire.ITEMS, new JsonArray()));
      }

      @Override
      public Future<JsonObject> retry(long seq) {
        return bus.request(Addresses.OUTBOX, Wire.Outbox.RETRY, new JsonObject().put(Wire.ID, seq));
      }

      @Override
      public Future<Long> countDeadLetters() {
        return bus.request(Addresses.OUTBOX, Wire.Outbox.COUNT_DEAD, new JsonObject())
            .map(reply -> reply.getLong(Wire.DEAD_LETTERS, 0L));
      }
    };
  }
}
