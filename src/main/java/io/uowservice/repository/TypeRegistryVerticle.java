package io.uowservice.repository;

import io.uowservice.bus.Addresses;
import io.uowservice.bus.ServiceBinder;
import io.uowservice.bus.TypeRegistry;
import io.uowservice.api.EntityJson;
import io.uowservice.config.AppConfig;
import io.uowservice.domain.EntityType;
import io.uowservice.domain.FieldError;
import io.uowservice.domain.UowException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mysqlclient.MySQLException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The repositories endpoint's back end: registers entity types at run time (with an optional JSON
 * Schema), lists and describes types with their entity counts, finds the type of an id, and pings
 * the database for the health check.
 */
public final class TypeRegistryVerticle extends VerticleBase implements TypeRegistry {

  private static final java.util.regex.Pattern ATTRIBUTE = java.util.regex.Pattern.compile("^[A-Za-z_][A-Za-z0-9_]{0,63}$");

  private AppConfig config;
  private Pool pool;
  private CatalogHolder catalog;

  @Override
  public Future<?> start() {
    config = AppConfig.from(config());
    pool = Database.pool(vertx, config.mysql());
    return CatalogHolder.start(vertx, pool, config.units().supportedEntityTypes())
        .compose(holder -> {
          catalog = holder;
          return ServiceBinder.types(vertx, this);
        });
  }

  @Override
  public Future<String> locate(String id) {
    return EntityIds.typeOf(pool, id).map(type -> type.orElse(null));
  }

  @Override
  public Future<Map<String, String>> locateMany(List<String> ids) {
    return EntityIds.typesOf(pool, ids);
  }

  @Override
  public Future<Void> ping() {
    return pool.query("SELECT 1").execute().mapEmpty();
  }

  @Override
  public Future<JsonObject> register(JsonObject body) {
    List<FieldError> errors = new ArrayList<>();
    Object rawName = body.getValue("entity_type");
    String name = rawName instanceof String s ? s : null;
    if (!EntityType.isValidName(name)) {
      errors.add(new FieldError("entity_type", "is required: 1-64 lower-case letters, digits or '_'"));
    }
    Object displayName = body.getValue("name");
    if (!(displayName instanceof String dn) || dn.isBlank() || dn.length() > config.limits().maxNameLength()) {
      errors.add(new FieldError("name", "is required: a string of at most " + config.limits().maxNameLength()
          + " characters"));
    }
    Object description = body.getValue("description");
    if (description != null && (!(description instanceof String d)
        || d.length() > config.limits().maxDescriptionLength())) {
      errors.add(new FieldError("description", "must be a string of at most "
          + config.limits().maxDescriptionLength() + " characters"));
    }
    Object schema = body.getValue("schema");
    if (schema != null && !(schema instanceof JsonObject)) {
      errors.add(new FieldError("schema", "must be a JSON Schema object"));
    } else if (schema != null) {
      Map<String, Object> plain = EntityJson.plainMap((JsonObject) schema);
      io.uowservice.domain.StorableValues.check(plain, "schema", errors);
      errors.addAll(io.uowservice.domain.SchemaCheck.check(plain, ((JsonObject) schema).encode().length()));
    }
    Map<String, String> references = new java.util.TreeMap<>();
    Object rawReferences = body.getValue("references");
    if (rawReferences instanceof JsonObject refs) {
      refs.forEach(e -> {
        if (!ATTRIBUTE.matcher(e.getKey()).matches() || !(e.getValue() instanceof String target)
            || !EntityType.isValidName(target)) {
          errors.add(new FieldError("references." + e.getKey(),
              "must map an attribute name to an entity type name"));
        } else {
          references.put(e.getKey(), target);
        }
      });
    } else if (rawReferences != null) {
      errors.add(new FieldError("references", "must be an object of attribute name -> entity type"));
    }
    if (!errors.isEmpty()) {
      return Future.failedFuture(new UowException.Invalid("invalid repository registration", errors));
    }
    EntityType type;
    try {
      type = RuntimeTypes.entityType(name, (String) displayName, (String) description,
          schema == null ? null : EntityJson.plainMap((JsonObject) schema), references);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new UowException.Invalid("invalid schema for " + name,
          List.of(new FieldError("schema", e.getMessage()))));
    }
    List<String> targets = List.copyOf(new java.util.TreeSet<>(references.values()));
    Future<io.uowservice.domain.TypeCatalog> known = catalog.knowing(name);
    for (String target : targets) {
      known = known.compose(c -> catalog.knowing(target));
    }
    return known.compose(current -> {
      if (current.contains(name) || Tables.isBuiltIn(name)) {
        return Future.failedFuture(new UowException.Conflict("entity type '" + name + "' already exists"));
      }
      List<FieldError> unknown = new ArrayList<>();
      references.forEach((field, target) -> {
        if (!target.equals(name) && !current.contains(target)) {
          unknown.add(new FieldError("references." + field, "names no entity type: '" + target + "'"));
        }
      });
      if (!unknown.isEmpty()) {
        return Future.failedFuture(new UowException.Invalid("invalid repository registration", unknown));
      }
      // REPEATABLE READ for this one transaction (sessions run READ COMMITTED): its locking count then
      // locks the gaps too, so two registrations racing for the last place cannot both get it
      return pool.withConnection(conn -> conn.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").execute()
          .compose(v -> conn.begin())
          .compose(tx -> conn.query("SELECT COUNT(*) FROM entity_types FOR UPDATE").execute()
              .compose(rows -> {
                long registered = rows.iterator().next().getLong(0);
                if (registered >= config.units().maxRepositories()) {
                  return Future.<Void>failedFuture(new UowException.LimitExceeded("at most "
                      + config.units().maxRepositories() + " repositories can be registered"));
                }
                return RuntimeTypes.insert(conn, type, Instant.now());
              })
              .transform(ar -> ar.succeeded() ? tx.commit()
                  : tx.rollback().transform(r -> Future.<Void>failedFuture(ar.cause())))))
          .recover(err -> Future.failedFuture(!(err instanceof MySQLException e) ? err
              : e.getErrorCode() == 1062 ? new UowException.Conflict("entity type '" + name + "' already exists")
              // two registrations racing for the last place: one of them waits its turn by retrying
              : e.getErrorCode() == 1213 || e.getErrorCode() == 1205 ? new UowException.Unavailable(
                  "another repository registration ran at the same time; retry it")
              : err))
          .compose(v -> {
            vertx.eventBus().publish(Addresses.TYPE_REGISTERED, new JsonObject().put("entity_type", name));
            return catalog.knowing(name);
          })
          .map(c -> describeJson(type, 0));
    });
  }

  @Override
  public Future<JsonArray> list() {
    return counts().map(counts -> {
      JsonArray items = new JsonArray();
      catalog.current().all().forEach(t -> items.add(describeJson(t, counts.getOrDefault(t.name(), 0L))));
      return items;
    });
  }

  @Override
  public Future<JsonObject> describe(String name) {
    return catalog.knowing(name).compose(c -> {
      EntityType type = c.find(name).orElseThrow(() -> new UowException.NotFound("unknown entity type '" + name + "'"));
      return pool.preparedQuery("SELECT COUNT(*) FROM entity_ids WHERE entity_type = ?").execute(Tuple.of(name))
          .map(rows -> describeJson(type, rows.iterator().next().getLong(0)));
    });
  }

  private Future<Map<String, Long>> counts() {
    return pool.query("SELECT entity_type, COUNT(*) FROM entity_ids GROUP BY entity_type").execute().map(rows -> {
      Map<String, Long> counts = new HashMap<>();
      rows.forEach(r -> counts.put(r.getString(0), r.getLong(1)));
      return counts;
    });
  }

  private static JsonObject describeJson(EntityType type, long count) {
    return new JsonObject()
        .put("entity_type", type.name())
        .put("name", type.displayName())
        .put("description", type.description())
        .put("built_in", type.builtIn())
        .put("count", count)
        .put("schema", type.schema() == null ? null : new JsonObject(type.schema()))
        .put("references", new JsonObject(new java.util.LinkedHashMap<>(RuntimeTypes.references(type))));
  }
}
