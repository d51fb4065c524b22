package io.uowservice.repository;

import io.uowservice.bus.Addresses;
import io.uowservice.bus.EntityReads;
import io.uowservice.bus.ServiceBinder;
import io.uowservice.api.EntityJson;
import io.uowservice.config.AppConfig;
import io.uowservice.domain.EntityType;
import io.uowservice.domain.UowException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.nio.charset.StandardCharsets;
import io.uowservice.domain.Entity;
import io.uowservice.domain.UnitWeights;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Reads of one entity type (the custom repository also serves runtime-registered types): get,
 * exists, list with filters and keyset pagination, count. Configured with {@code repository_type}.
 */
public final class RepositoryVerticle extends VerticleBase implements EntityReads {

  private String repositoryType;
  private Pool pool;
  private CatalogHolder catalog;

  @Override
  public Future<?> start() {
    AppConfig config = AppConfig.from(config());
    repositoryType = config().getString("repository_type");
    pool = Database.pool(vertx, config.mysql());
    return CatalogHolder.start(vertx, pool, config.units().supportedEntityTypes())
        .compose(holder -> {
          catalog = holder;
          return ServiceBinder.entityReads(vertx, repositoryType, this);
        });
  }

  @Override
  public Future<JsonObject> get(String typeName, String id) {
    return type(typeName).compose(type -> Tables.of(type).find(pool, type.name(), id)).map(found -> EntityJson.toJson(
        found.orElseThrow(() -> new UowException.NotFound("no " + typeName + " with id " + id))));
  }

  @Override
  public Future<Batch> getMany(String typeName, List<String> ids, long maxBytes) {
    return type(typeName).compose(type -> findMany(Tables.of(type), type.name(), ids, maxBytes));
  }

  @Override
  public Future<Boolean> exists(String typeName, String id) {
    return type(typeName).compose(type -> Tables.of(type).exists(pool, type.name(), id));
  }

  @Override
  public Future<JsonObject> list(String typeName, Map<String, String> filters, int limit, String after) {
    return type(typeName).compose(type -> listPage(Tables.of(type), type, filters, limit, decodeCursor(after),
        new JsonArray(), 0));
  }

  @Override
  public Future<JsonObject> count(String typeName, Map<String, String> filters) {
    return type(typeName).compose(type -> Tables.of(type).count(pool, type, filters))
        .map(count -> new JsonObject().put("count", count));
  }

  private Future<EntityType> type(String name) {
    return catalog.knowing(name).map(c -> c.find(name)
        .filter(t -> Addresses.repositoryOf(t.name()).equals(repositoryType))
        .orElseThrow(() -> new UowException.NotFound("unknown entity type '" + name + "'")));
  }

  /**
   * The stored entities among {@code ids}, read {@value #IDS_PER_READ} at a time until their weight
   * (what a unit counts for them, {@link UnitWeights#weigh}) passes {@code maxBytes}: then what was
   * read so far, marked {@code truncated} (the caller's unit could not hold more anyway), so a small
   * request naming large entities cannot load gigabytes.
   */
  private Future<Batch> findMany(EntityTable table, String type, List<String> ids, long maxBytes) {
    List<Entity> found = new ArrayList<>();
    long[] bytes = {0};
    Future<Boolean> chain = Future.succeededFuture(false);
    for (int from = 0; from < ids.size(); from += IDS_PER_READ) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + IDS_PER_READ));
      chain = chain.compose(truncated -> truncated ? Future.succeededFuture(true)
          : table.findMany(pool, type, chunk).map(read -> {
            for (Entity e : read) {
              bytes[0] += UnitWeights.weigh(e); // the unit's own measure: no encoding just to count
              found.add(e);
            }
            return bytes[0] > maxBytes;
          }));
    }
    return chain.map(truncated -> new Batch(found, truncated));
  }

  private static final int IDS_PER_READ = 50;
  /** Rows a list reads at a time: what a page can overshoot its byte budget by. */
  private static final int ROWS_PER_READ = 10;
  /** A page of a list stops at this much JSON (its {@code next} cursor goes on from there). */
  static final long PAGE_BYTES = 8L * 1024 * 1024;

  /**
   * A page of up to {@code limit} entities read {@value #IDS_PER_READ} at a time, cut short once it
   * holds {@link #PAGE_BYTES} of JSON: a client asking for 1,000 entities of 4 MB gets a few and a
   * cursor, not a 4 GB answer.
   */
  private Future<JsonObject> listPage(EntityTable table, io.uowservice.domain.EntityType type,
      Map<String, String> filters, int limit, String after, JsonArray items, long bytes) {
    int want = Math.min(ROWS_PER_READ, limit - items.size());
    return table.list(pool, type, filters, want, after).compose(page -> {
      long size = bytes;
      String last = after;
      List<io.uowservice.domain.Entity> read = page.items();
      for (int i = 0; i < read.size(); i++) {
        if (size >= PAGE_BYTES && !items.isEmpty()) {
          // full: the rest of this read and beyond come with the next page
          return Future.succeededFuture(new JsonObject().put("items", items).put("next", encodeCursor(last)));
        }
        JsonObject json = EntityJson.toJson(read.get(i));
        size += json.encode().length();
        items.add(json);
        last = read.get(i).id();
      }
      boolean more = page.more();
      if (more && items.size() < limit && size < PAGE_BYTES) {
        return listPage(table, type, filters, limit, last, items, size);
      }
      return Future.succeededFuture(new JsonObject().put("items", items)
          .put("next", more && last != null ? encodeCursor(last) : null));
    });
  }

  static String encodeCursor(String lastId) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(lastId.getBytes(StandardCharsets.UTF_8));
  }

  static String decodeCursor(String cursor) {
    if (cursor == null || cursor.isEmpty()) {
      return null;
    }
    try {
      return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new UowException.BadRequest("'after' is not a cursor this service issued");
    }
  }
}
