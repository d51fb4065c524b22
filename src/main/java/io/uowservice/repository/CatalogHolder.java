package io.uowservice.repository;

import io.uowservice.bus.Addresses;
import io.uowservice.domain.TypeCatalog;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A verticle's own copy of the type catalog: loaded at start, updated by the registration
 * broadcast, and re-read from the database on a miss (a type registered an instant ago on another
 * verticle or node, whose broadcast has not arrived yet).
 */
public final class CatalogHolder {

  private static final Logger LOG = LoggerFactory.getLogger(CatalogHolder.class);

  private final SqlClient client;
  private TypeCatalog catalog;

  private CatalogHolder(SqlClient client, TypeCatalog catalog) {
    this.client = client;
    this.catalog = catalog;
  }

  /** Call from a verticle's start: the broadcast consumer then runs on that verticle's context. */
  public static Future<CatalogHolder> start(Vertx vertx, SqlClient client, List<String> enabledBuiltIns) {
    return RuntimeTypes.loadAll(client).compose(types -> {
      CatalogHolder holder = new CatalogHolder(client, TypeCatalog.of(enabledBuiltIns, types));
      return vertx.eventBus().<JsonObject>consumer(Addresses.TYPE_REGISTERED, msg -> holder.refresh(msg.body()
              .getString("entity_type")))
          .completion()
          .map(holder);
    });
  }

  public TypeCatalog current() {
    return catalog;
  }

  /** The catalog, guaranteed to know {@code typeName} if the database does. */
  public Future<TypeCatalog> knowing(String typeName) {
    if (typeName == null || catalog.contains(typeName)) {
      return Future.succeededFuture(catalog);
    }
    return refresh(typeName);
  }

  private Future<TypeCatalog> refresh(String typeName) {
    if (!io.uowservice.domain.EntityType.isValidName(typeName)) {
      return Future.succeededFuture(catalog);
    }
    return RuntimeTypes.load(client, typeName).map(found -> {
      found.ifPresent(type -> catalog = catalog.with(type));
      return catalog;
    }).onFailure(err -> LOG.warn("could not load entity type {}: {}", typeName, err.getMessage()));
  }
}
