package io.uowservice.bus;

/**
 * Every event-bus address of the service, and the routing of units to their owning actor.
 *
 * <p>Units of work are spread over {@code shards} UnitOfWork actors by a hash of the unit id; a
 * caller's default unit lives on the shard of the caller's subject (its id is chosen so that both
 * routes agree). In a cluster the same function picks the owning node's actor.
 */
public final class Addresses {

  /** Header carrying the action a message asks for. */
  public static final String ACTION = "action";

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

  public static int shardOf(String key, int shards) {
    return Math.floorMod(key.hashCode() * 0x9E3779B9, shards);
  }

  /** Reads of one built-in type; custom and runtime-registered types share the custom repository. */
  public static String repository(String repositoryType) {
    return REPOSITORY_PREFIX + repositoryType;
  }

  /** Actions understood by the UnitOfWork actors ({@link #unitShard}). */
  public static final class UnitActions {
    public static final String CREATE = "create";
    public static final String SUMMARY = "summary";
    public static final String DISCARD = "discard";
    public static final String REGISTER = "register";
    public static final String ENTITIES = "entities";
    public static final String CLEAR = "clear";
    public static final String COMMIT = "commit";
    public static final String ROLLBACK = "rollback";
    public static final String STATS = "stats";
    public static final String SAVEPOINT = "savepoint";
    public static final String SAVEPOINTS = "savepoints";
    public static final String TRANSACT = "transact";

    private UnitActions() {
    }
  }

  /** Actions understood by repository verticles ({@link #repository}). */
  public static final class RepositoryActions {
    public static final String GET = "get";
    /** {@code {type, ids}} → {@code {items}}: the stored entities among the ids (one query per chunk). */
    public static final String GET_MANY = "get_many";
    public static final String EXISTS = "exists";
    public static final String LIST = "list";
    public static final String COUNT = "count";

    private RepositoryActions() {
    }
  }

  /** Actions understood at {@link #TYPES}. */
  public static final class OutboxActions {
    public static final String DEAD_LETTERS = "dead_letters";
    public static final String RETRY = "retry";
    public static final String COUNT_DEAD = "count_dead";

    private OutboxActions() {
    }
  }

  public static final class TypeActions {
    public static final String REGISTER = "register";
    public static final String LIST = "list";
    public static final String DESCRIBE = "describe";
    public static final String LOCATE = "locate";
    /** {@code {ids}} → {@code {types: {id: type}}} for the ids that exist. */
    public static final String LOCATE_MANY = "locate_many";
    public static final String PING = "ping";

    private TypeActions() {
    }
  }
}
