package io.uowservice.bus;

/**
 * Field names of event-bus message bodies (all JSON objects). Unit messages carry
 * {@code unit_id} (absent = the subject's default unit) and {@code subject}; replies carry the
 * API's JSON as is. Failures travel as {@code fail(httpStatus, problemJson)}, see {@link Problem}.
 */
public final class Messages {

  public static final String UNIT_ID = "unit_id";
  public static final String SUBJECT = "subject";
  public static final String STATE = "state";
  public static final String PAYLOAD = "payload";
  public static final String TYPE = "type";
  public static final String ID = "id";
  /** Several ids at once (batch loads); at most {@link #IDS_PER_MESSAGE}. */
  public static final String IDS = "ids";
  public static final String ITEMS = "items";
  /** Batch reads: stop once the entities read pass this many bytes of JSON ({@link #TRUNCATED} then). */
  public static final String MAX_BYTES = "max_bytes";
  public static final String TRUNCATED = "truncated";
  public static final String TYPES = "types";
  public static final int IDS_PER_MESSAGE = 500;
  public static final String FILTERS = "filters";
  public static final String LIMIT = "limit";
  public static final String AFTER = "after";
  public static final String OPERATIONS = "operations";
  public static final String NAME = "name";
  public static final String TO_SAVEPOINT = "to_savepoint";
  /** The Idempotency-Key header's value, and a hash of the request it came with. */
  public static final String IDEMPOTENCY_KEY = "idempotency_key";
  /** What an Idempotency-Key may be, over HTTP and Kafka alike: 1-255 printable ASCII characters. */
  public static final java.util.regex.Pattern IDEMPOTENCY_KEY_FORMAT = java.util.regex.Pattern.compile("[\\x21-\\x7E]{1,255}");
  public static final String REQUEST_HASH = "request_hash";

  private Messages() {
  }
}
