package io.uowservice.domain;

/**
 * One invalid input field, reported to clients as {@code errors[]} of a problem. Field paths and
 * messages are clipped: a path is built from the client's own keys, and a hostile body (long keys,
 * deep nesting) must not turn a refusal into megabytes of error text.
 */
public record FieldError(String field, String message) {

  public static final int MAX_FIELD = 256;
  public static final int MAX_MESSAGE = 512;

  public FieldError {
    field = clip(field, MAX_FIELD);
    message = clip(message, MAX_MESSAGE);
  }

  /** The path of {@code key} under {@code parent}, clipped: building it costs at most {@link #MAX_FIELD}. */
  public static String child(String parent, Object key) {
    if (parent.length() >= MAX_FIELD) {
      return parent;
    }
    return clip(parent + "." + clip(String.valueOf(key), 64), MAX_FIELD);
  }

  /** The path of element {@code index} under {@code parent}, clipped. */
  public static String element(String parent, int index) {
    return parent.length() >= MAX_FIELD ? parent : clip(parent + "[" + index + "]", MAX_FIELD);
  }

  static String clip(String text, int max) {
    return text == null || text.length() <= max ? text : text.substring(0, max - 3) + "...";
  }
}
