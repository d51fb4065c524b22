package io.uowservice.bus;

import io.uowservice.domain.Entity;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * Reads of committed entities, served by the repository verticle in charge of each type
 * ({@link Addresses#repositoryOf}); {@link ServiceClient#entities()} picks it.
 */
public interface EntityReads {

  /** At most this many ids in one {@link #getMany} (and {@link TypeRegistry#locateMany}) call. */
  int IDS_PER_CALL = 500;

  /** The entity's JSON; fails 404 when there is none. */
  Future<JsonObject> get(String type, String id);

  /**
   * The stored entities among {@code ids}, stopping once their weight as a unit counts it
   * ({@link io.uowservice.domain.UnitWeights#weigh}) passes {@code maxBytes} ({@link Batch#truncated} then).
   */
  Future<Batch> getMany(String type, List<String> ids, long maxBytes);

  Future<Boolean> exists(String type, String id);

  /** A page {@code {items, next}} of entities matching {@code filters}, after the cursor {@code after}. */
  Future<JsonObject> list(String type, Map<String, String> filters, int limit, String after);

  /** {@code {count}} of the entities matching {@code filters}. */
  Future<JsonObject> count(String type, Map<String, String> filters);

  record Batch(List<Entity> entities, boolean truncated) {
  }
}
