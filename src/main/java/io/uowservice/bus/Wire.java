package io.uowservice.bus;

/**
 * How the service's calls travel on the event bus, known only to {@link ServiceClient} and
 * {@link ServiceBinder}: a JSON object body, the call's name in the {@link #ACTION} header, the
 * field names below. Failures travel as {@code fail(httpStatus, problemJson)}.
 */
final class Wire {

  static final String ACTION = "action";
  /** Reply header: the reply is a stored outcome replayed for an Idempotency-Key. */
  static final String REPLAYED = "replayed";

  static final String UNIT_ID = "unit_id";
  static final String SUBJECT = "subject";
  static final String STATE = "state";
  static final String PAYLOAD = "payload";
  static final String TYPE = "type";
  static final String ID = "id";
  static final String IDS = "ids";
  static final String ITEMS = "items";
  static final String MAX_BYTES = "max_bytes";
  static final String TRUNCATED = "truncated";
  static final String TYPES = "types";
  static final String FILTERS = "filters";
  static final String LIMIT = "limit";
  static final String AFTER = "after";
  static final String OPERATIONS = "operations";
  static final String NAME = "name";
  static final String TO_SAVEPOINT = "to_savepoint";
  static final String EXISTS = "exists";
  static final String DEAD_LETTERS = "dead_letters";
  static final String IDEMPOTENCY_KEY = "idempotency_key";
  static final String REQUEST_HASH = "request_hash";
  static final String TAG = "tag";
  static final String KNOWN = "known";
  static final String LOST = "lost";

  /** Calls of {@link UnitService}. */
  static final class Units {
    static final String CREATE = "create";
    static final String STATS = "stats";
    static final String TRANSACT = "transact";
    static final String SUMMARY = "summary";
    static final String DISCARD = "discard";
    static final String REGISTER = "register";
    static final String ENTITIES = "entities";
    static final String CLEAR = "clear";
    static final String COMMIT = "commit";
    static final String ROLLBACK = "rollback";
    static final String SAVEPOINT = "savepoint";
    static final String SAVEPOINTS = "savepoints";
    static final String OPEN_DEFAULT = "open_default";
    static final String RECORDED_COMMIT = "recorded_commit";

    private Units() {
    }
  }

  /** Calls of {@link EntityReads}. */
  static final class Reads {
    static final String GET = "get";
    static final String GET_MANY = "get_many";
    static final String EXISTS = "exists";
    static final String LIST = "list";
    static final String COUNT = "count";

    private Reads() {
    }
  }

  /** Calls of {@link TypeRegistry}. */
  static final class Types {
    static final String REGISTER = "register";
    static final String LIST = "list";
    static final String DESCRIBE = "describe";
    static final String LOCATE = "locate";
    static final String LOCATE_MANY = "locate_many";
    static final String PING = "ping";

    private Types() {
    }
  }

  /** Calls of {@link NodeDirectory}. */
  static final class Nodes {
    static final String KNOWN = "known";
    static final String DEFAULT_UNIT = "default_unit";
    static final String CLAIM_DEFAULT = "claim_default";
    static final String FORGET_DEFAULT = "forget_default";
    static final String MARK_LOST = "mark_lost";
    static final String FENCE = "fence";

    private Nodes() {
    }
  }

  /** Calls of {@link OutboxAdmin}. */
  static final class Outbox {
    static final String DEAD_LETTERS = "dead_letters";
    static final String RETRY = "retry";
    static final String COUNT_DEAD = "count_dead";

    private Outbox() {
    }
  }

  private Wire() {
  }
}
