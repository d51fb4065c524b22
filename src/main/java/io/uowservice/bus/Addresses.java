package io.uowservice.bus;

import io.uowservice.domain.BuiltInTypes;

/**
 * Every event-bus address of the service, and which actor or repository owns what.
 *
 * <p>Units of work are spread over {@code shards} UnitOfWork actors by a hash of the unit id; a
 * caller's default unit lives on the shard of the caller's subject (its id is chosen so that both
 * routes agree). {@link ServiceClient} is the only caller of the routing functions.
 */
public final class Addresses {

  /** Runtime entity types: register, list, describe; locate an entity id; database ping. */
  public static final String TYPES = "uow.types";

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

  public static String unitShard(int shard) {
    return UNITS_PREFIX + shard;
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
