package io.uowservice.cluster;

import io.uowservice.bus.NodeDirectory;
import io.uowservice.bus.ServiceBinder;
import io.uowservice.bus.UnitIds;
import io.uowservice.config.AppConfig;
import io.uowservice.domain.UowException;
import io.uowservice.repository.Database;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node registry of one node: writes this node's row before any unit exists (so every other
 * node can tell its units from made-up ids once it is gone), refreshes it, forgets nodes silent for
 * longer than a unit can live, and serves {@link NodeDirectory} to this node.
 */
public final class NodeRegistryVerticle extends VerticleBase implements NodeDirectory {

  private static final Logger LOG = LoggerFactory.getLogger(NodeRegistryVerticle.class);

  private Pool pool;
  private String tag;
  private String nodeId;
  private long keepSeconds;

  @Override
  public Future<?> start() {
    AppConfig config = AppConfig.from(config());
    pool = Database.pool(vertx, config.mysql());
    tag = Node.tag(vertx);
    nodeId = Node.id(vertx);
    long every = Math.max(1000, Math.min(60_000, config.units().idleTimeout().toMillis() / 4));
    // a node silent this long held no unit that had not expired anyway: its ids may become 404 again
    keepSeconds = config.units().idleTimeout().toSeconds() + 3 * every / 1000 + 60;
    if (Node.membersWithMyTag(vertx) > 1) {
      // 1 in 2^32 per pair of nodes: two actors on one address would answer each other's units
      return Future.failedFuture(new IllegalStateException("another member of the cluster has this node's tag " + tag
          + "; start this node again (it gets a new id)"));
    }
    AppConfig.Cluster cluster = config.cluster();
    if (Node.isClustered(vertx) && !cluster.host().startsWith("127.") && !"localhost".equals(cluster.host())) {
      LOG.warn("the cluster ports (Hazelcast {}, the event bus) of {} must be reachable only by the nodes: any process "
          + "that can reach them and knows the cluster name can join and call the units", cluster.port(), cluster.host());
    }
    return NodeRows.alive(pool, tag, nodeId).compose(v -> {
      LOG.info("node {} ({}) registered{}", tag, nodeId, Node.isClustered(vertx) ? " in the cluster" : "");
      if (Node.isClustered(vertx) && !"redis".equals(config.cache().type())) {
        LOG.warn("clustered with cache.type {}: each node counts rate limits for itself; cache.type redis "
            + "makes one limit for the whole cluster", config.cache().type());
      }
      vertx.setPeriodic(every, id -> beat());
      return ServiceBinder.nodes(vertx, this);
    });
  }

  private void beat() {
    NodeRows.alive(pool, tag, nodeId).compose(v -> NodeRows.purge(pool, keepSeconds)).onComplete(ar -> {
      if (ar.failed()) {
        LOG.warn("could not refresh this node's registry row: {}", ar.cause().toString());
      } else if (ar.result() > 0) {
        LOG.info("forgot {} node{} silent for more than {} s", ar.result(), ar.result() == 1 ? "" : "s", keepSeconds);
      }
    });
  }

  @Override
  public Future<Boolean> known(String nodeTag) {
    return nodeTag.matches("[0-9a-f]{8}") ? unavailableOnFailure(NodeRows.known(pool, nodeTag))
        : Future.succeededFuture(false);
  }

  @Override
  public Future<DefaultUnit> defaultUnit(String subject) {
    return unavailableOnFailure(NodeRows.defaultUnit(pool, subject));
  }

  @Override
  public Future<Void> markLost(String subject, String unitId) {
    return unavailableOnFailure(NodeRows.markLost(pool, subject, unitId));
  }

  @Override
  public Future<Void> fence(String nodeTag) {
    if (nodeTag.equals(tag)) {
      return Future.failedFuture(new IllegalArgumentException("a node never fences itself"));
    }
    return unavailableOnFailure(NodeRows.fence(pool, nodeTag));
  }

  @Override
  public Future<String> claimDefault(String subject, String unitId) {
    String owner = UnitIds.owner(unitId).map(UnitIds.Owner::nodeTag).orElse(tag);
    return unavailableOnFailure(NodeRows.claimDefault(pool, subject, unitId, owner, 3));
  }

  @Override
  public Future<Void> forgetDefault(String subject, String unitId) {
    return unavailableOnFailure(NodeRows.forgetDefault(pool, subject, unitId));
  }

  /** The database not answering is the service being unavailable for now (503), never a 500. */
  private static <T> Future<T> unavailableOnFailure(Future<T> query) {
    return query.recover(err -> {
      LOG.warn("node registry query failed: {}", err.toString());
      return Future.failedFuture(new UowException.Unavailable("the database does not answer; retry later"));
    });
  }
}
