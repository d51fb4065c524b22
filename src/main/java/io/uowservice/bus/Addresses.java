package io.uowservice.bus;

import io.uowservice.domain.BuiltInTypes;

/**
 * Every event-bus address of the service, and which actor or repository owns what.
 *
 * <p>A unit of work lives in one UnitOfWork actor of the node that created it, at
 * {@code uow.units.<node tag>.<shard>}; its id names both ({@link UnitIds}), so any node of a cluster
 * routes to it without a lookup. On a node of its own, a caller's default unit lives on the shard
 * of the caller's subject. {@link ServiceClient} is the only caller of the routing functions.
 *
 * <p>Unit and progress addresses and the published events reach every node of a cluster; the
 * repositories, the type registry, the outbox admin, the node registry and the bridge's
 * addresses are served by each node for itself (local consumers).
 */
public final class Addresses {

  /** Runtime entity types: register, list, describe; locate an entity id; database ping. */
  public static final String TYPES = "uow.types";

  /** Node tags that ran here, and (clustered) the subjects' default units: this node's registry. */
  public static final String NODES = "uow.nodes";

  /** The outbox's dead letters (admin): list, retry. */
  public static final String OUTBOX = "uow.outbox";

  /** Published when a runtime type is registered, body = the type's JSON; every verticle refreshes its catalog. */
  public static final String TYPE_REGISTERED = "uow.types.registered";

  /** Published: every domain event of a commit or rollback, once it is durable (contract shape). */
  public static final String EVENTS = "uow.events";

  /**
   * Local only: each event of {@link #EVENTS} encoded once as JSON text by the bridge verticle, header
   * {@code type} = the event type; every HTTP instance fans it out to its own WebSocket clients.
   */
  public static final String LIVE_FRAMES = "uow.bridge.frames";

  /** The bridge verticle's live-update counters ({@code live_updates} in the stats). */
  public static final String LIVE_STATS = "uow.bridge.stats";

  private static final String PROGRESS_PREFIX = "uow.progress.";
  private static final String UNITS_PREFIX = "uow.units.";
  private static final String REPOSITORY_PREFIX = "uow.repository.";

  private Addresses() {
  }

  /** Published during a commit: {@code {phase: started|writing|committed|failed, done, total}}. */
  public static String progress(String unitId) {
    return PROGRESS_PREFIX + unitId;
  }

  /** The actor {@code shard} of node {@code nodeTag}. */
  public static String unitShard(String nodeTag, int shard) {
    return UNITS_PREFIX + nodeTag + "." + shard;
  }

  /** The shard of a routing key: a unit id, a subject (its default unit), a subject and key. */
  public static int shardOf(String key, int shards) {
    return Math.floorMod(key.hashCode() * 0x9E3779B9, shards);
  }

  /** Reads of one built-in type; custom and runtime-registered types share the custom repository. */
  public static String repository(String repositoryType) {
    return REPOSITORY_PREFIX + repositoryType;
  }

  /** The repository verticle in charge of a type: its own for a built-in, the custom one for the rest. */
  public static String repositoryOf(String type) {
    return BuiltInTypes.REFERENCE_ORDER.contains(type) ? type : BuiltInTypes.CUSTOM;
  }
}
