package io.uowservice;

import io.uowservice.bridge.BridgeVerticle;
import io.uowservice.cluster.NodeRegistryVerticle;
import io.uowservice.config.AppConfig;
import io.uowservice.domain.BuiltInTypes;
import io.uowservice.events.CommandConsumerVerticle;
import io.uowservice.events.OutboxRelayVerticle;
import io.uowservice.housekeeping.HousekeepingVerticle;
import io.uowservice.http.HttpVerticle;
import io.uowservice.repository.Database;
import io.uowservice.repository.Migrations;
import io.uowservice.repository.RepositoryVerticle;
import io.uowservice.repository.TypeRegistryVerticle;
import io.uowservice.security.JwtSecurity;
import io.uowservice.uow.UnitOfWorkVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the service onto a Vert.x instance (clustered or not): migrates the schema, then deploys
 * the type registry, the node registry, one repository verticle per entity type, the UnitOfWork actors, the outbox relay (only with
 * {@code message_queue.enabled}; the outbox fills either way), the live-update bridge and the HTTP
 * verticles.
 */
public final class Application {

  private static final Logger LOG = LoggerFactory.getLogger(Application.class);

  private Application() {
  }

  /** Completes with the deployment ids, in deployment order, once the API serves. */
  public static Future<List<String>> deploy(Vertx vertx, AppConfig given) {
    AppConfig config;
    try {
      config = withResolvedSecret(given);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    List<String> ids = new ArrayList<>();
    JsonObject source = config.source();
    return migrate(vertx, config)
        .map(maxEntityBytes -> source.put(Database.SERVER_LIMITS, new JsonObject().put(Database.MAX_ENTITY_BYTES, maxEntityBytes)))
        .compose(v -> vertx.deployVerticle(TypeRegistryVerticle::new, new DeploymentOptions().setConfig(source)))
        // before any unit exists: once this node is gone, its units' ids are told from made-up ones
        .compose(id -> {
          ids.add(id);
          return vertx.deployVerticle(NodeRegistryVerticle::new, new DeploymentOptions().setConfig(source));
        })
        .compose(id -> {
          ids.add(id);
          List<Future<String>> repositories = new ArrayList<>();
          for (String type : BuiltInTypes.REFERENCE_ORDER) {
            repositories.add(vertx.deployVerticle(RepositoryVerticle::new,
                new DeploymentOptions().setConfig(source.copy().put("repository_type", type))));
          }
          return Future.all(repositories).map(all -> {
            ids.addAll(all.list());
            return null;
          });
        })
        .compose(v -> {
          List<Future<String>> shards = new ArrayList<>();
          for (int shard = 0; shard < config.units().shards(); shard++) {
            shards.add(vertx.deployVerticle(UnitOfWorkVerticle::new,
                new DeploymentOptions().setConfig(source.copy().put("shard", shard))));
          }
          return Future.all(shards).map(all -> {
            ids.addAll(all.list());
            return null;
          });
        })
        .compose(v -> deployRelay(vertx, config).map(id -> optionallyAdd(ids, id)))
        .compose(v -> deployCommandConsumer(vertx, config).map(id -> optionallyAdd(ids, id)))
        .compose(v -> vertx.deployVerticle(HousekeepingVerticle::new, new DeploymentOptions().setConfig(source)))
        .compose(id -> {
          ids.add(id);
          return vertx.deployVerticle(BridgeVerticle::new, new DeploymentOptions().setConfig(source));
        })
        .compose(id -> {
          ids.add(id);
          return vertx.deployVerticle(HttpVerticle::new,
              new DeploymentOptions().setConfig(source).setInstances(config.http().instances()));
        })
        .map(id -> {
          ids.add(id);
          return ids;
        });
  }

  /** The HS256 secret checked (or generated, on the embedded default) before any verticle sees it. */
  private static AppConfig withResolvedSecret(AppConfig config) {
    String secret = JwtSecurity.resolveSecret(config);
    if (secret.equals(config.security().jwtSecret())) {
      return config;
    }
    JsonObject source = config.source();
    source.getJsonObject("security").put("jwt_secret", secret);
    LOG.info("security is on with a generated secret (kept in {}); mint a token with: java -jar "
        + "target/unit-of-work-service.jar token --sub alice --roles reader,writer", JwtSecurity.secretFile(config));
    return AppConfig.from(source);
  }

  private static Void optionallyAdd(List<String> ids, String id) {
    if (id != null) {
      ids.add(id);
    }
    return null;
  }

  /** The outbox relay when Kafka is enabled (completes with its deployment id), else nothing (null). */
  public static Future<String> deployRelay(Vertx vertx, AppConfig config) {
    if (!config.messageQueue().enabled()) {
      LOG.info("message_queue.enabled is false: events stay in the outbox, nothing is published to Kafka");
      return Future.succeededFuture();
    }
    return vertx.deployVerticle(OutboxRelayVerticle::new, new DeploymentOptions().setConfig(config.source()));
  }

  /** The Kafka command consumer when Kafka is enabled, else nothing (null). */
  public static Future<String> deployCommandConsumer(Vertx vertx, AppConfig config) {
    if (!config.messageQueue().enabled()) {
      return Future.succeededFuture();
    }
    return vertx.deployVerticle(CommandConsumerVerticle::new, new DeploymentOptions().setConfig(config.source()));
  }

  /** Migrates the schema; completes with the largest entity (JSON bytes) the server accepts in one statement. */
  private static Future<Long> migrate(Vertx vertx, AppConfig config) {
    Pool pool = MySQLBuilder.pool().with(new PoolOptions().setMaxSize(1))
        .connectingTo(Database.connectOptions(config.mysql())).using(vertx).build();
    return Migrations.migrate(pool)
        .onSuccess(n -> LOG.info("database schema up to date ({} migration{} applied)", n, n == 1 ? "" : "s"))
        .compose(n -> Database.useServerLimits(pool))
        .eventually(pool::close);
  }
}
