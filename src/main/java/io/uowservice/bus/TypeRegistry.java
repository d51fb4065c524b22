package io.uowservice.bus;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/** The entity types (built-in and registered at run time), and which type an id belongs to. */
public interface TypeRegistry {

  /** Registers a runtime type from its definition (the {@code POST /api/v1/repositories} body). */
  Future<JsonObject> register(JsonObject definition);

  Future<JsonArray> list();

  Future<JsonObject> describe(String type);

  /** The type of the stored entity {@code id}, or null when there is none. */
  Future<String> locate(String id);

  /** id → type for the ids that exist, at most {@link EntityReads#IDS_PER_CALL} ids. */
  Future<Map<String, String>> locateMany(List<String> ids);

  /** Succeeds when the database answers. */
  Future<Void> ping();
}
